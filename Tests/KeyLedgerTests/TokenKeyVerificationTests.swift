import Foundation
import JOSE
import KeyLedger
import OpenSSLBridge
import SQLiteBridge
import XCTest

/// `checkTokenSigningKey(_:keyID:verifying:)` verifies the ledger before it
/// relies on the records that name the ledger's own keys.
final class TokenKeyVerificationTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var signingKey: SigningKey!
    private var checkpointKey: PrivateKey!
    private var path: String!

    /// Creates a ledger with a checkpoint key and one note.
    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        signingKey = try SigningKey.generate(.es256)
        checkpointKey = try PrivateKey.generate(.ed25519)
        path = directory.path("ledger.db")
        let ledger = try Ledger.create(at: path, signingKey: signingKey, actor: "init", checkpointKey: checkpointKey)
        try ledger.append(Event(kind: .note, actor: "alice", body: ["text": .string("n")]), signingKey: signingKey)
    }

    private func publicJWK(_ key: PrivateKey) throws -> JWK {
        try JWK(publicKey: key.publicKey())
    }

    /// Puts another key's `x` and `kid` in place of the checkpoint key's in
    /// the genesis entry, as someone who can write the file but has no key
    /// could, so that the real checkpoint key is no longer recorded as one.
    private func replaceCheckpointKeyInGenesis() throws {
        let stored = try XCTUnwrap(try Ledger(path: path, readOnly: true).checkpointKeys().first).publicJWK.jsonValue
        let other = try publicJWK(PrivateKey.generate(.ed25519))
        let connection = try Connection(path: path, mode: .readWrite)
        try connection.execute("DROP TRIGGER IF EXISTS entries_no_update")
        let replacements = [
            (try XCTUnwrap(stored.objectValue?["x"]?.stringValue), try XCTUnwrap(other.jsonValue.objectValue?["x"]?.stringValue)),
            (try XCTUnwrap(stored.objectValue?["kid"]?.stringValue), try other.thumbprint()),
        ]
        for (old, new) in replacements {
            try connection.run(
                "UPDATE entries SET canonical = CAST(replace(CAST(canonical AS TEXT), ?, ?) AS BLOB) WHERE seq = 1",
                [.text(old), .text(new)])
        }
    }

    func testValidLedgerAcceptsUnrecordedKey() throws {
        let ledger = try Ledger(path: path, readOnly: true)
        let tokenKey = try publicJWK(PrivateKey.generate(.ed25519))
        let anchored = try ledger.checkTokenSigningKey(tokenKey, keyID: "api-1",
                                                       verifying: VerifyOptions(trustAnchor: signingKey.keyID))
        XCTAssertTrue(anchored.isValid)
        XCTAssertTrue(anchored.trustAnchorChecked)

        let unanchored = try ledger.checkTokenSigningKey(tokenKey, keyID: "api-1", verifying: VerifyOptions())
        XCTAssertTrue(unanchored.isValid)
        XCTAssertFalse(unanchored.trustAnchorChecked)
    }

    func testValidLedgerRejectsCheckpointKey() throws {
        let ledger = try Ledger(path: path, readOnly: true)
        XCTAssertThrowsError(try ledger.checkTokenSigningKey(publicJWK(checkpointKey), keyID: "api-1",
                                                             verifying: VerifyOptions(trustAnchor: signingKey.keyID))) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .invalidInput, "\(error)")
            XCTAssertTrue("\(error)".contains("is a checkpoint key of this ledger"), "\(error)")
        }
    }

    func testTamperedLedgerFailsBeforeCheck() throws {
        try replaceCheckpointKeyInGenesis()
        let ledger = try Ledger(path: path, readOnly: true)
        let tokenKey = try publicJWK(checkpointKey)

        // Read as stored, the altered ledger no longer records the checkpoint key, so the check alone passes it.
        XCTAssertNoThrow(try ledger.checkTokenSigningKey(tokenKey, keyID: "api-1"))

        for options in [VerifyOptions(trustAnchor: signingKey.keyID), VerifyOptions()] {
            XCTAssertThrowsError(try ledger.checkTokenSigningKey(tokenKey, keyID: "api-1", verifying: options)) { error in
                XCTAssertEqual((error as? LedgerError)?.code, .integrity, "\(error)")
                XCTAssertTrue("\(error)".contains("the ledger failed verification at entry 1 (hash_mismatch): "), "\(error)")
            }
        }
    }

    func testWrongTrustAnchorFails() throws {
        let ledger = try Ledger(path: path, readOnly: true)
        let otherAnchor = try SigningKey.generate(.es256).keyID
        let tokenKey = try publicJWK(PrivateKey.generate(.ed25519))
        XCTAssertThrowsError(try ledger.checkTokenSigningKey(tokenKey, keyID: "api-1",
                                                             verifying: VerifyOptions(trustAnchor: otherAnchor))) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .integrity, "\(error)")
            XCTAssertTrue("\(error)".contains("the ledger failed verification at entry 1 (unknown_signer): "), "\(error)")
        }
    }

    func testCheckRunsInCallerTransaction() throws {
        let ledger = try Ledger(path: path, readOnly: true)
        let tokenKey = try publicJWK(PrivateKey.generate(.ed25519))
        let result = try ledger.withReadTransaction {
            try ledger.checkTokenSigningKey(tokenKey, keyID: "api-1", verifying: VerifyOptions(trustAnchor: signingKey.keyID))
        }
        XCTAssertTrue(result.isValid)
    }
}
