import Foundation
import XCTest

/// Size limits of files that commands read: larger input is rejected after reading one byte past the limit.
final class InputLimitTests: CLITestCase {
    /// Runs keyledger with `arguments`, where "endless.fifo" is a FIFO that `writer`, a shell
    /// command, writes into without end. A command that read its input to the end would never
    /// finish, so finishing shows the read stopped.
    private func keyledgerReadingEndlessFIFO(_ arguments: [String], writer: String = #"yes '{"text":"x"}'"#) throws -> ProgramRun {
        let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }.joined(separator: " ")
        return try shell("""
            mkfifo endless.fifo
            \(writer) > endless.fifo &
            writer=$!
            "$KEYLEDGER" \(quoted)
            status=$?
            kill $writer 2>/dev/null
            exit $status
            """, environment: ["KEYLEDGER": executable.path], timeout: 30)
    }

    func testBodyFileReadStopsPastLimit() throws {
        let created = try createLedger()
        let before = try logSnapshot(created.ledger)

        let run = try keyledgerReadingEndlessFIFO(["append", "--ledger", created.ledger, "--signing-key", created.signingKey,
                                                   "--kind", "note", "--actor", "alice", "--body-file", path("endless.fifo")])

        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardError,
                       "error: --body-file \"\(path("endless.fifo"))\" is larger than the limit of 262144 bytes: store large evidence elsewhere and record its digest\n")
        XCTAssertEqual(try logSnapshot(created.ledger), before, "a rejected body appended an entry")
    }

    func testNDJSONLineReadStopsPastLimit() throws {
        let created = try createLedger()
        let before = try logSnapshot(created.ledger)

        // One line without end: a batch is read a chunk of lines at a time, and no line may pass the limit.
        let run = try keyledgerReadingEndlessFIFO(["append", "--ledger", created.ledger, "--signing-key", created.signingKey,
                                                   "--ndjson", path("endless.fifo")], writer: #"yes x | tr -d '\n'"#)

        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardError,
                       "error: line 1 is longer than 266240 bytes: put one event on each line, with a body of at most 65536 bytes as canonical JSON\n")
        XCTAssertEqual(try logSnapshot(created.ledger), before, "a rejected batch appended an entry")
    }

    func testBodyFileAtLimitIsRead() throws {
        let created = try createLedger()
        // 262,144 bytes of which most is indentation, which canonical JSON drops.
        let body = "{\"text\":\"x\"" + String(repeating: " ", count: 262_144 - 12) + "}"
        XCTAssertEqual(body.utf8.count, 262_144)
        let file = try write("indented.json", body)

        let run = try keyledger(["append", "--ledger", created.ledger, "--signing-key", created.signingKey,
                                 "--kind", "note", "--actor", "alice", "--body-file", file])

        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual((try logEntries(created.ledger).last?["body"] as? [String: Any])?["text"] as? String, "x")
    }

    private func ledgerWithProductionKey() throws -> CreatedLedger {
        let created = try createLedger()
        try generateKeyUnderChange(created)
        return created
    }

    func testJWKSFileReadStopsPastLimit() throws {
        let created = try ledgerWithProductionKey()
        let before = try logSnapshot(created.ledger)

        let run = try keyledgerReadingEndlessFIFO(["jwks", "check", "--ledger", created.ledger, "--signing-key", created.signingKey,
                                                   "--env", "production", "--file", path("endless.fifo"), "--actor", "deploy-bot"])

        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardError,
                       "error: the JWKS file \"\(path("endless.fifo"))\" is larger than the limit of 1048576 bytes that applies to a served JWKS too: a JWK Set is expected to be far smaller, so check that this is the right file\n")
        XCTAssertEqual(try logSnapshot(created.ledger), before, "a rejected file appended an entry")
    }

    func testJWKSFileAtLimitIsChecked() throws {
        let created = try ledgerWithProductionKey()
        let document = #"{"keys":[]}"# + String(repeating: " ", count: 1_048_576 - 11)
        XCTAssertEqual(document.utf8.count, 1_048_576)
        let file = try write("padded-jwks.json", document)

        let run = try keyledger(["jwks", "check", "--ledger", created.ledger, "--signing-key", created.signingKey,
                                 "--env", "production", "--file", file, "--actor", "deploy-bot"])

        // The generated key is not published yet, so the empty set matches.
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertTrue(run.standardOutput.hasPrefix("match: 0 expected keys served"), run.summary)
        XCTAssertEqual(try logEntries(created.ledger).last?["kind"] as? String, "jwks_checked")
    }
}
