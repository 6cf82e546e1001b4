import Foundation
import XCTest

/// Version numbers stored in a ledger file that this build cannot use: every command rejects the file unchanged.
final class LedgerVersionTests: CLITestCase {
    /// Copies a ledger with one note, changes the copy with `sql`, and runs three commands on it.
    private func runCommands(onCopyChangedBy sql: String, name: String) throws -> (runs: [ProgramRun], copy: String, before: Data) {
        let created = try createLedger("source-of-\(name)")
        try append(created)
        let copy = path(name)
        try FileManager.default.copyItem(atPath: created.ledger, toPath: copy)
        try sqlite3(copy, sql)
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        let commands: [[String]] = [
            ["append", "--ledger", copy, "--signing-key", created.signingKey, "--kind", "note", "--actor", "alice"],
            ["log", "--ledger", copy],
            ["verify", "--ledger", copy, "--trust-anchor", created.trustAnchor],
        ]
        return (try commands.map { try keyledger($0) }, copy, before)
    }

    func testUnknownFormatVersionIsRejected() throws {
        let cases: [(version: Int, message: String)] = [
            (2, "has format version 2, but this keyledger reads only format version 1: upgrade keyledger to open it"),
            (0, "has format version 0, which no keyledger writes (this one writes 1): the ledger table was changed outside keyledger, so check where the file came from"),
        ]
        for (version, message) in cases {
            let (runs, copy, before) = try runCommands(
                onCopyChangedBy: "DROP TRIGGER ledger_no_update; UPDATE ledger SET format_version = \(version);",
                name: "format-\(version).db")
            for run in runs {
                XCTAssertEqual(run.status, 2, run.summary)
                XCTAssertEqual(run.standardOutput, "", run.summary)
                XCTAssertEqual(run.standardError, "error: the ledger \"\(copy)\" \(message)\n", run.summary)
            }
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: copy)), before, "rejecting the file changed it")
        }
    }

    func testLoweredSchemaVersionIsRejected() throws {
        for version in [-1, 0, 1, 2] {
            let (runs, copy, before) = try runCommands(onCopyChangedBy: "PRAGMA user_version = \(version);",
                                                       name: "user-version-\(version).db")
            for run in runs {
                XCTAssertEqual(run.status, 2, run.summary)
                XCTAssertEqual(run.standardOutput, "", run.summary)
                XCTAssertEqual(run.standardError, """
                    error: the ledger "\(copy)" has schema version \(version) (PRAGMA user_version), but it already contains \
                    the table merkle_tree of schema version 3: the version was changed outside keyledger; check the file with \
                    `keyledger verify` on a copy and restore the version with `sqlite3 \(copy) 'PRAGMA user_version=3'`

                    """, run.summary)
            }
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: copy)), before, "rejecting the file changed it")
        }
    }
}
