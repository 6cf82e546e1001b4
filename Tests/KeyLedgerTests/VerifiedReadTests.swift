import Foundation
import KeyLedger
import SQLiteBridge
import XCTest

/// `readVerified` reads only from a ledger that verified, in the same read transaction.
final class VerifiedReadTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var signingKey: SigningKey!
    private var path: String!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        signingKey = try SigningKey.generate(.edDSA)
        path = directory.path("ledger.db")
        let ledger = try Ledger.create(at: path, signingKey: signingKey, actor: "init")
        try ledger.append(Event(kind: .note, actor: "alice", body: ["text": .string("first")]), signingKey: signingKey)
    }

    func testValidLedgerIsRead() throws {
        let ledger = try Ledger(path: path, readOnly: true)
        let outcome = try ledger.readVerified(VerifyOptions(trustAnchor: signingKey.keyID)) { try ledger.head()?.sequence }
        guard case .valid(let verification, let sequence) = outcome else {
            return XCTFail("expected a valid ledger, got \(outcome.verification)")
        }
        XCTAssertTrue(verification.trustAnchorChecked)
        XCTAssertEqual(sequence, 2)
    }

    func testTamperedLedgerIsNotRead() throws {
        let connection = try Connection(path: path, mode: .readWrite)
        try connection.execute("DROP TRIGGER IF EXISTS entries_no_update")
        try connection.run("UPDATE entries SET canonical = CAST(replace(CAST(canonical AS TEXT), 'first', 'forged') AS BLOB) WHERE seq = 2")

        let ledger = try Ledger(path: path, readOnly: true)
        var readCalled = false
        let outcome = try ledger.readVerified(VerifyOptions(trustAnchor: signingKey.keyID)) { readCalled = true }
        guard case .invalid(let verification) = outcome else {
            return XCTFail("a tampered ledger was read")
        }
        XCTAssertEqual(verification.failure?.sequence, 2)
        XCTAssertFalse(readCalled)
    }

    func testWrongTrustAnchorIsNotRead() throws {
        let ledger = try Ledger(path: path, readOnly: true)
        let other = try SigningKey.generate(.edDSA)
        let outcome = try ledger.readVerified(VerifyOptions(trustAnchor: other.keyID)) { XCTFail("read ran") }
        XCTAssertFalse(outcome.verification.isValid)
    }

    func testReadsInTheCallersTransaction() throws {
        let ledger = try Ledger(path: path, readOnly: true)
        let sequence = try ledger.withReadTransaction {
            try ledger.readVerified(VerifyOptions()) { try ledger.head()?.sequence }
        }
        guard case .valid(_, let value) = sequence else { return XCTFail("expected a valid ledger") }
        XCTAssertEqual(value, 2)
    }
}
