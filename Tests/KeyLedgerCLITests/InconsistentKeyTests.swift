import Foundation
import XCTest

/// An RSA key whose factors do not multiply to its modulus loads, but its
/// first signature does not verify: every command that would sign with it
/// exits with status 2, names the cause, and appends nothing.
final class InconsistentKeyTests: CLITestCase {
    private let expectedReason = "made a signature that does not verify with its own public key"

    /// Copies the fixture key (made by Tests/OpenSSLBridgeTests/Fixtures/make_composite_factor_key.py)
    /// into the test's directory with mode 0600.
    private func inconsistentKey() throws -> String {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../KeyLedgerTests/Fixtures/keys/composite_factor_rsa2048_private_key.pem")
        return try write("inconsistent.pem", Data(contentsOf: fixture))
    }

    private func assertRejected(_ run: ProgramRun, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.status, 2, run.summary, file: file, line: line)
        XCTAssertEqual(run.standardOutput, "", run.summary, file: file, line: line)
        XCTAssertTrue(run.standardError.contains(expectedReason), run.summary, file: file, line: line)
    }

    func testInitCreatesNoLedger() throws {
        let key = try inconsistentKey()
        let ledger = path("ledger.db")

        assertRejected(try keyledger(["init", "--ledger", ledger, "--signing-key", key, "--actor", "alice"]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: ledger))
    }

    func testRotateAppendsNothing() throws {
        let key = try inconsistentKey()
        let created = try createLedger()
        let before = try logEntries(created.ledger)

        assertRejected(try keyledger(["signing-key", "rotate", "--ledger", created.ledger, "--signing-key", created.signingKey,
                                      "--new-key", key, "--actor", "alice"]))
        XCTAssertEqual(try logEntries(created.ledger).count, before.count)
    }

    func testTokenIssueNamesCause() throws {
        let key = try inconsistentKey()
        let created = try createLedger()

        assertRejected(try keyledger(["token", "issue", "--key", key, "--kid", "api-1"]))
        assertRejected(try keyledger(["token", "issue", "--key", key, "--kid", "api-1", "--ledger", created.ledger]))
    }

    private func logEntries(_ ledger: String) throws -> [String] {
        try keyledgerSucceeds(["log", "--ledger", ledger, "--json"]).outputLines
    }
}
