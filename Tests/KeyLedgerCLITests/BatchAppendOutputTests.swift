import Foundation
import XCTest

/// What `keyledger append --ndjson` prints for a batch, from a file and from a pipe.
final class BatchAppendOutputTests: CLITestCase {
    private let batch = (1...3).map { #"{"kind":"note","actor":"bot-\#($0)","body":{"n":\#($0)}}"# }.joined(separator: "\n") + "\n"

    func testJSONPrintsEveryAppendedEntry() throws {
        let created = try createLedger()
        let run = try keyledger(["append", "--ledger", created.ledger, "--signing-key", created.signingKey,
                                 "--ndjson", "-", "--json"], input: Data(batch.utf8))

        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.standardError, "", "--json prints no progress or summary")
        let printed = try run.outputLines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(printed.map { $0["seq"] as? Int }, [2, 3, 4])
        XCTAssertEqual(printed.map { $0["actor"] as? String }, ["bot-1", "bot-2", "bot-3"])
        let logged = try logEntries(created.ledger).dropFirst()
        XCTAssertEqual(printed.map { $0["hash"] as? String }, logged.map { $0["hash"] as? String })
    }

    func testSummaryNamesTheRangeAndTheHead() throws {
        let created = try createLedger()
        let run = try keyledger(["append", "--ledger", created.ledger, "--signing-key", created.signingKey,
                                 "--ndjson", try write("batch.ndjson", batch)])

        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.standardError, "appended 3 entries, 2 to 4\n")
        let head = try XCTUnwrap(logEntries(created.ledger).last?["hash"] as? String)
        XCTAssertEqual(run.standardOutput, "4:\(head)\n")
    }

    func testJSONOfTwoChunksMatchesLog() throws {
        let created = try createLedger()
        try append(created)
        // 8,193 lines make a full chunk of 8,192 lines and a chunk of one line, which ends without a line feed.
        let lines = (1...8_193).map { #"{"kind":"note","actor":"bot","body":{"n":\#($0)}}"# }
        let run = try keyledger(["append", "--ledger", created.ledger, "--signing-key", created.signingKey,
                                 "--ndjson", try write("two-chunks.ndjson", lines.joined(separator: "\n")), "--json"])
        XCTAssertEqual(run.status, 0, run.summary)

        let log = try keyledger(["log", "--ledger", created.ledger, "--json"])
        XCTAssertEqual(log.status, 0, log.summary)
        XCTAssertEqual(run.outputLines.count, 8_193)
        XCTAssertEqual(run.outputLines, Array(log.outputLines.dropFirst(2)))
    }
}
