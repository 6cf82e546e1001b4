import Foundation
import XCTest

/// KEYLEDGER_LEDGER and KEYLEDGER_SIGNING_KEY in place of --ledger and --signing-key.
final class EnvironmentTests: CLITestCase {
    func testVariablesReplaceTheOptions() throws {
        let ledger = path("ledger.db")
        let key = path("ledger.pem")
        let both = ["KEYLEDGER_LEDGER": ledger, "KEYLEDGER_SIGNING_KEY": key]

        let initRun = try keyledger(["init", "--generate-signing-key", "ES256", "--key-out", key, "--actor", "alice"],
                                    environment: ["KEYLEDGER_LEDGER": ledger])
        XCTAssertEqual(initRun.status, 0, initRun.summary)
        XCTAssertTrue(FileManager.default.fileExists(atPath: ledger), initRun.summary)
        let anchor = try XCTUnwrap(initRun.outputLines.first)

        let appendRun = try keyledger(["append", "--kind", "note", "--actor", "alice", "--body", #"{"via":"environment"}"#],
                                      environment: both)
        XCTAssertEqual(appendRun.status, 0, appendRun.summary)
        XCTAssertTrue(appendRun.standardOutput.hasPrefix("2:"), appendRun.summary)

        let batchRun = try keyledger(["append", "--ndjson", "-", "--actor", "batch"], environment: both,
                                     input: Data(#"{"kind":"note","body":{"line":1}}\#n"#.utf8))
        XCTAssertEqual(batchRun.status, 0, batchRun.summary)
        XCTAssertTrue(batchRun.standardOutput.hasPrefix("3:"), batchRun.summary)

        let show = try keyledger(["signing-key", "show"], environment: ["KEYLEDGER_LEDGER": ledger])
        XCTAssertEqual(show.status, 0, show.summary)
        XCTAssertEqual(show.standardOutput, "\(anchor) ES256 (introduced at entry 1)\n")

        let rotate = try keyledger(["signing-key", "rotate", "--generate", "EdDSA", "--key-out", path("next.pem"),
                                    "--actor", "alice"], environment: both)
        XCTAssertEqual(rotate.status, 0, rotate.summary)

        let log = try keyledger(["log", "--json"], environment: ["KEYLEDGER_LEDGER": ledger])
        XCTAssertEqual(log.status, 0, log.summary)
        XCTAssertEqual(log.outputLines.count, 4, log.summary)

        let verify = try keyledger(["verify", "--trust-anchor", anchor], environment: ["KEYLEDGER_LEDGER": ledger])
        XCTAssertEqual(verify.status, 0, verify.summary)
        XCTAssertEqual(verify.outputLines.first, "valid: 4 entries, 4 signatures verified")
    }

    func testInitTakesTheKeyFromTheEnvironment() throws {
        let first = try createLedger()
        let second = path("second.db")

        let run = try keyledger(["init", "--actor", "alice"],
                                environment: ["KEYLEDGER_LEDGER": second, "KEYLEDGER_SIGNING_KEY": first.signingKey])

        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.outputLines, [first.trustAnchor], "init did not sign with the key from KEYLEDGER_SIGNING_KEY")
    }

    func testOptionsOverrideTheVariables() throws {
        let created = try createLedger()
        let environment = ["KEYLEDGER_LEDGER": path("elsewhere.db"), "KEYLEDGER_SIGNING_KEY": path("elsewhere.pem")]

        let run = try keyledger(["append", "--ledger", created.ledger, "--signing-key", created.signingKey,
                                 "--kind", "note", "--actor", "alice"], environment: environment)

        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("elsewhere.db")))
    }

    func testEmptyVariablesCountAsMissing() throws {
        let created = try createLedger()

        let noLedger = try keyledger(["log"], environment: ["KEYLEDGER_LEDGER": ""])
        XCTAssertEqual(noLedger.status, 2, noLedger.summary)
        XCTAssertEqual(noLedger.standardError, "error: missing --ledger PATH or set KEYLEDGER_LEDGER: see `keyledger log --help`\n")

        let noKey = try keyledger(["append", "--kind", "note", "--actor", "alice"],
                                  environment: ["KEYLEDGER_LEDGER": created.ledger, "KEYLEDGER_SIGNING_KEY": ""])
        XCTAssertEqual(noKey.status, 2, noKey.summary)
        XCTAssertEqual(noKey.standardError,
                       "error: missing --signing-key PEM or set KEYLEDGER_SIGNING_KEY: see `keyledger append --help`\n")
    }
}
