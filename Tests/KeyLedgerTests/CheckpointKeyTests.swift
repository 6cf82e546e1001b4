import Foundation
import JOSE
@testable import KeyLedger
import OpenSSLBridge
import SQLiteBridge
import XCTest

/// The ledger's checkpoint key: introduction at genesis or later, handovers
/// signed by the outgoing key, and what verification makes of each.
final class CheckpointKeyTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var signingKey: SigningKey!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        signingKey = try SigningKey.generate(.es256)
    }

    private func createLedger(checkpointKey: PrivateKey?, name: String = "ledger.db") throws -> Ledger {
        try Ledger.create(at: directory.path(name), signingKey: signingKey, actor: "init", checkpointKey: checkpointKey)
    }

    private func thumbprint(_ key: PrivateKey) throws -> String {
        try JWK(publicKey: key.publicKey()).thumbprint()
    }

    private func verified(_ ledger: Ledger) throws -> VerificationResult {
        try ledger.verify(VerifyOptions(trustAnchor: signingKey.keyID))
    }

    /// Appends a `checkpoint_key_rotated` entry with `body` as given, bypassing the library's checks.
    private func appendRawHandover(_ ledger: Ledger, body: [String: JSONValue]) throws {
        try ledger.append(signingKey: signingKey) {
            [try Event(reservedKind: .checkpointKeyRotated, actor: "mallory", body: body)]
        }
    }

    private func assertCode(_ expected: LedgerError.Code, _ expression: @autoclosure () throws -> some Any,
                            _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), message, file: file, line: line) { error in
            XCTAssertEqual((error as? LedgerError)?.code, expected, "\(message): \(error)", file: file, line: line)
        }
    }

    func testGenesisRecordsCheckpointKey() throws {
        let checkpointKey = try PrivateKey.generate(.ed25519)
        let ledger = try createLedger(checkpointKey: checkpointKey)
        let genesis = try XCTUnwrap(ledger.entry(sequence: 1))
        let jwk = try JWK(json: XCTUnwrap(genesis.body["checkpoint_key"]))

        XCTAssertEqual(jwk.keyType, "OKP")
        XCTAssertEqual(jwk.keyID, try thumbprint(checkpointKey))
        XCTAssertEqual(genesis.body["checkpoint_origin"]?.stringValue, "keyledger/\(ledger.ledgerID)")
        let keys = try ledger.checkpointKeys()
        XCTAssertEqual(keys.count, 1)
        XCTAssertEqual(keys.first?.keyID, try thumbprint(checkpointKey))
        XCTAssertEqual(keys.first?.introducedAt, 1)
        XCTAssertEqual(keys.first?.verifierKey.name, "keyledger/\(ledger.ledgerID)")
    }

    func testGenesisWithoutCheckpointKeyStaysAsBefore() throws {
        let ledger = try createLedger(checkpointKey: nil)
        let genesis = try XCTUnwrap(ledger.entry(sequence: 1))
        XCTAssertEqual(Set(genesis.body.keys), ["format", "signing_key"])
        XCTAssertEqual(try ledger.checkpointKeys().count, 0)
        XCTAssertNil(try ledger.currentCheckpointKey())
        let result = try verified(ledger)
        XCTAssertNil(result.failure)
        XCTAssertTrue(result.checkpointKeys.isEmpty)
    }

    func testCustomOriginIsRecorded() throws {
        let ledger = try Ledger.create(at: directory.path("origin.db"), signingKey: signingKey, actor: "init",
                                       checkpointKey: PrivateKey.generate(.ed25519), checkpointOrigin: "ledger.example/keys")
        XCTAssertEqual(try ledger.currentCheckpointKey()?.origin, "ledger.example/keys")
    }

    func testCreateRejectsUnusableCheckpointKeys() throws {
        let edSigningKey = try SigningKey.generate(.edDSA)
        assertCode(.invalidInput,
                   try Ledger.create(at: directory.path("same.db"), signingKey: edSigningKey, actor: "init",
                                     checkpointKey: edSigningKey.privateKey),
                   "checkpoint key equal to the signing key")
        assertCode(.invalidInput, try createLedger(checkpointKey: PrivateKey.generate(.ec(.p256)), name: "ec.db"),
                   "P-256 checkpoint key")
        assertCode(.invalidInput,
                   try Ledger.create(at: directory.path("origin.db"), signingKey: signingKey, actor: "init",
                                     checkpointKey: PrivateKey.generate(.ed25519), checkpointOrigin: "has space"),
                   "origin with a space")
        for name in ["same.db", "ec.db", "origin.db"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory.path(name)), "\(name) was left behind")
        }
    }

    func testFirstCheckpointKeyAddedLater() throws {
        let ledger = try createLedger(checkpointKey: nil)
        let checkpointKey = try PrivateKey.generate(.ed25519)
        let entry = try ledger.rotateCheckpointKey(to: checkpointKey, previous: nil, actor: "security", signingKey: signingKey,
                                                   reason: "start publishing checkpoints")

        XCTAssertEqual(entry.kind, .checkpointKeyRotated)
        XCTAssertNil(entry.body["previous_checkpoint_kid"])
        XCTAssertNil(entry.body["previous_key_signature"])
        XCTAssertEqual(entry.body["reason"]?.stringValue, "start publishing checkpoints")
        XCTAssertEqual(entry.body["checkpoint_origin"]?.stringValue, "keyledger/\(ledger.ledgerID)")
        let result = try verified(ledger)
        XCTAssertNil(result.failure)
        XCTAssertEqual(result.checkpointKeys.map(\.introducedAt), [2])
    }

    func testHandoverIsSignedByOutgoingKey() throws {
        let first = try PrivateKey.generate(.ed25519)
        let second = try PrivateKey.generate(.ed25519)
        let ledger = try createLedger(checkpointKey: first)
        let entry = try ledger.rotateCheckpointKey(to: second, previous: first, actor: "security", signingKey: signingKey)

        XCTAssertEqual(entry.body["previous_checkpoint_kid"]?.stringValue, try thumbprint(first))
        let signature = try Base64URL.decode(XCTUnwrap(entry.body["previous_key_signature"]?.stringValue))
        let message = Array("keyledger/checkpoint-key-handover/v1\n\(ledger.ledgerID)\n\(try thumbprint(second))\n".utf8)
        XCTAssertTrue(try first.publicKey().verify(signature: signature, for: message, scheme: .ed25519))

        let result = try verified(ledger)
        XCTAssertNil(result.failure)
        XCTAssertEqual(result.checkpointKeys.map(\.keyID), [try thumbprint(first), try thumbprint(second)])
        XCTAssertEqual(result.checkpointKeys.map(\.introducedAt), [1, 2])
        XCTAssertEqual(try ledger.checkpointKeys(), result.checkpointKeys)
    }

    func testRotationRejectsWrongKeys() throws {
        let first = try PrivateKey.generate(.ed25519)
        let ledger = try createLedger(checkpointKey: first)
        let next = try PrivateKey.generate(.ed25519)
        let cases: [(name: String, code: LedgerError.Code, rotate: () throws -> Entry)] = [
            ("previous key missing", .signerMismatch,
             { try ledger.rotateCheckpointKey(to: next, previous: nil, actor: "a", signingKey: self.signingKey) }),
            ("previous key is another key", .signerMismatch,
             { try ledger.rotateCheckpointKey(to: next, previous: PrivateKey.generate(.ed25519), actor: "a", signingKey: self.signingKey) }),
            ("new key is the current key", .invalidInput,
             { try ledger.rotateCheckpointKey(to: first, previous: first, actor: "a", signingKey: self.signingKey) }),
            ("new key is not Ed25519", .invalidInput,
             { try ledger.rotateCheckpointKey(to: PrivateKey.generate(.ec(.p256)), previous: first, actor: "a", signingKey: self.signingKey) }),
            ("signed by a key that is not the ledger's", .signerMismatch,
             { try ledger.rotateCheckpointKey(to: next, previous: first, actor: "a", signingKey: SigningKey.generate(.es256)) }),
        ]
        for item in cases {
            assertCode(item.code, try item.rotate(), item.name)
        }
        XCTAssertEqual(try ledger.head()?.sequence, 1, "a rejected rotation appended an entry")
    }

    func testRotationRejectsLedgerSigningKey() throws {
        let edSigningKey = try SigningKey.generate(.edDSA)
        let ledger = try Ledger.create(at: directory.path("ed.db"), signingKey: edSigningKey, actor: "init")
        assertCode(.invalidInput,
                   try ledger.rotateCheckpointKey(to: edSigningKey.privateKey, previous: nil, actor: "a", signingKey: edSigningKey),
                   "checkpoint key equal to the signing key")
    }

    func testPreviousKeyRejectedWithoutCurrentKey() throws {
        let ledger = try createLedger(checkpointKey: nil)
        assertCode(.invalidInput,
                   try ledger.rotateCheckpointKey(to: PrivateKey.generate(.ed25519), previous: PrivateKey.generate(.ed25519),
                                                  actor: "a", signingKey: signingKey),
                   "previous key on a ledger without one")
    }

    func testVerifierRejectsForgedHandovers() throws {
        let first = try PrivateKey.generate(.ed25519)
        let next = try PrivateKey.generate(.ed25519)
        let nextJWK = try LedgerCheckpointKey.publicJWK(of: next)
        let nextKeyID = try thumbprint(next)
        let otherKey = try PrivateKey.generate(.ed25519)

        func handoverSignature(by key: PrivateKey, ledgerID: String) throws -> JSONValue {
            let message = LedgerCheckpointKey.handoverMessage(ledgerID: ledgerID, newKeyID: nextKeyID)
            return .string(Base64URL.encode(try key.sign(message, scheme: .ed25519)))
        }
        var mismatchedJWK = nextJWK
        mismatchedJWK.keyID = "not-the-thumbprint"

        let cases: [(name: String, reason: VerificationResult.Reason, body: (String) throws -> [String: JSONValue])] = [
            ("signature by another key", .invalidSignature, { ledgerID in
                ["checkpoint_key": nextJWK.jsonValue, "checkpoint_origin": "o",
                 "previous_checkpoint_kid": .string(try self.thumbprint(first)),
                 "previous_key_signature": try handoverSignature(by: otherKey, ledgerID: ledgerID)]
            }),
            ("signature for another ledger", .invalidSignature, { _ in
                ["checkpoint_key": nextJWK.jsonValue, "checkpoint_origin": "o",
                 "previous_checkpoint_kid": .string(try self.thumbprint(first)),
                 "previous_key_signature": try handoverSignature(by: first, ledgerID: "another-ledger")]
            }),
            ("no handover signature", .malformedEntry, { _ in
                ["checkpoint_key": nextJWK.jsonValue, "checkpoint_origin": "o",
                 "previous_checkpoint_kid": .string(try self.thumbprint(first))]
            }),
            ("wrong previous kid", .unknownSigner, { ledgerID in
                ["checkpoint_key": nextJWK.jsonValue, "checkpoint_origin": "o",
                 "previous_checkpoint_kid": .string(try self.thumbprint(otherKey)),
                 "previous_key_signature": try handoverSignature(by: first, ledgerID: ledgerID)]
            }),
            ("kid is not the thumbprint", .malformedEntry, { ledgerID in
                ["checkpoint_key": mismatchedJWK.jsonValue, "checkpoint_origin": "o",
                 "previous_checkpoint_kid": .string(try self.thumbprint(first)),
                 "previous_key_signature": try handoverSignature(by: first, ledgerID: ledgerID)]
            }),
            ("no checkpoint key", .malformedEntry, { _ in ["checkpoint_origin": "o"] }),
            ("EC key as checkpoint key", .malformedEntry, { ledgerID in
                ["checkpoint_key": self.signingKey.publicJWK.jsonValue, "checkpoint_origin": "o",
                 "previous_checkpoint_kid": .string(try self.thumbprint(first)),
                 "previous_key_signature": try handoverSignature(by: first, ledgerID: ledgerID)]
            }),
        ]
        for (index, item) in cases.enumerated() {
            let ledger = try createLedger(checkpointKey: first, name: "forged-\(index).db")
            try appendRawHandover(ledger, body: item.body(ledger.ledgerID))
            let result = try verified(ledger)
            XCTAssertEqual(result.failure?.sequence, 2, "\(item.name): \(String(describing: result.failure))")
            XCTAssertEqual(result.failure?.reason, item.reason, "\(item.name): \(String(describing: result.failure))")
            XCTAssertEqual(result.checkpointKeys.count, 1, item.name)
        }
    }

    func testVerifierRejectsSigningKeyAsCheckpointKey() throws {
        let edSigningKey = try SigningKey.generate(.edDSA)
        let ledger = try Ledger.create(at: directory.path("ed.db"), signingKey: edSigningKey, actor: "init")
        try ledger.append(signingKey: edSigningKey) {
            [try Event(reservedKind: .checkpointKeyRotated, actor: "mallory", body: [
                "checkpoint_key": LedgerCheckpointKey.publicJWK(of: edSigningKey.privateKey).jsonValue,
                "checkpoint_origin": "o",
            ])]
        }
        let result = try ledger.verify(VerifyOptions(trustAnchor: edSigningKey.keyID))
        XCTAssertEqual(result.failure?.sequence, 2)
        XCTAssertEqual(result.failure?.reason, .malformedEntry)
        XCTAssertTrue(result.failure?.detail.contains("must differ") ?? false, String(describing: result.failure))
    }

    func testVerifierRejectsPreviousKeyOnFirstCheckpointKey() throws {
        let ledger = try createLedger(checkpointKey: nil)
        let next = try PrivateKey.generate(.ed25519)
        try appendRawHandover(ledger, body: [
            "checkpoint_key": LedgerCheckpointKey.publicJWK(of: next).jsonValue, "checkpoint_origin": "o",
            "previous_checkpoint_kid": "made-up",
        ])
        let result = try verified(ledger)
        XCTAssertEqual(result.failure?.sequence, 2)
        XCTAssertEqual(result.failure?.reason, .malformedEntry)
    }

    func testCheckpointSignedOnlyByCurrentKey() throws {
        let first = try PrivateKey.generate(.ed25519)
        let ledger = try createLedger(checkpointKey: first)
        try ledger.append(Event(kind: .note, actor: "alice"), signingKey: signingKey)

        let note = try ledger.signCheckpoint(checkpointKey: first)
        let verifiedNote = try LedgerCheckpoint.verify(note, history: ledger.checkpointKeys())
        XCTAssertEqual(verifiedNote.checkpoint.treeSize, 2)
        XCTAssertEqual(verifiedNote.checkpoint.origin, "keyledger/\(ledger.ledgerID)")
        XCTAssertEqual(verifiedNote.signerKey.encoded, try ledger.currentCheckpointKey()?.verifierKey.encoded)

        assertCode(.signerMismatch, try ledger.signCheckpoint(checkpointKey: PrivateKey.generate(.ed25519)), "another key")
        assertCode(.notAllowed, try createLedger(checkpointKey: nil, name: "none.db").signCheckpoint(checkpointKey: first),
                   "ledger without a checkpoint key")
    }

    func testHistoryChoosesKeyCurrentAtTreeSize() throws {
        let first = try PrivateKey.generate(.ed25519)
        let second = try PrivateKey.generate(.ed25519)
        let ledger = try createLedger(checkpointKey: first)
        try ledger.append(Event(kind: .note, actor: "alice"), signingKey: signingKey)
        let before = try ledger.signCheckpoint(checkpointKey: first)
        try ledger.rotateCheckpointKey(to: second, previous: first, actor: "security", signingKey: signingKey)
        let after = try ledger.signCheckpoint(checkpointKey: second)
        let history = try ledger.checkpointKeys()

        XCTAssertEqual(try LedgerCheckpoint.verify(before, history: history).checkpoint.treeSize, 2)
        XCTAssertEqual(try LedgerCheckpoint.verify(after, history: history).checkpoint.treeSize, 3)
        // The outgoing key may no longer sign a tree that contains the handover.
        let origin = try XCTUnwrap(history.first?.origin)
        let stale = try ledger.checkpoint(origin: origin).sign(with: NoteSigner(name: origin, privateKey: first))
        assertCode(.integrity, try LedgerCheckpoint.verify(stale, history: history), "old key after the handover")
    }

    func testPinnedKeyMustNameTheOrigin() throws {
        let checkpointKey = try PrivateKey.generate(.ed25519)
        let ledger = try createLedger(checkpointKey: checkpointKey)
        let signer = try NoteSigner(name: "another-origin", privateKey: checkpointKey)
        let note = try ledger.checkpoint(origin: "keyledger/\(ledger.ledgerID)").sign(with: signer)
        assertCode(.integrity, try LedgerCheckpoint.verify(note, keys: [signer.verifierKey]), "origin differs from key name")
    }

    func testSigningKeyCannotBecomeCheckpointKey() throws {
        let checkpointKey = try PrivateKey.generate(.ed25519)
        let ledger = try createLedger(checkpointKey: checkpointKey)
        let reused = try SigningKey(privateKey: checkpointKey)
        XCTAssertThrowsError(try ledger.rotateSigningKey(to: reused, actor: "security", signingKey: signingKey)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .invalidInput, "\(error)")
            XCTAssertTrue("\(error)".contains("checkpoint key"), "\(error)")
        }
        XCTAssertEqual(try ledger.head()?.sequence, 1, "the rejected handover appended nothing")
    }

    func testEarlierKeysKeepTheirRole() throws {
        let firstSigner = try SigningKey.generate(.edDSA)
        let firstCheckpointKey = try PrivateKey.generate(.ed25519)
        let ledger = try Ledger.create(at: directory.path("roles.db"), signingKey: firstSigner, actor: "init",
                                       checkpointKey: firstCheckpointKey)
        try ledger.rotateSigningKey(to: signingKey, actor: "security", signingKey: firstSigner)
        let secondCheckpointKey = try PrivateKey.generate(.ed25519)
        try ledger.rotateCheckpointKey(to: secondCheckpointKey, previous: firstCheckpointKey, actor: "security",
                                       signingKey: signingKey)
        let before = try ledger.head()?.sequence

        XCTAssertThrowsError(try ledger.rotateCheckpointKey(to: firstSigner.privateKey, previous: secondCheckpointKey,
                                                            actor: "security", signingKey: signingKey)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .invalidInput, "\(error)")
            XCTAssertTrue("\(error)".contains("(kid \(firstSigner.keyID)) is an earlier signing key of this ledger"), "\(error)")
        }
        XCTAssertThrowsError(try ledger.rotateSigningKey(to: SigningKey(privateKey: firstCheckpointKey), actor: "security",
                                                         signingKey: signingKey)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .invalidInput, "\(error)")
            XCTAssertTrue("\(error)".contains("(kid \(try! self.thumbprint(firstCheckpointKey))) is an earlier checkpoint key of this ledger, introduced at entry 1"), "\(error)")
        }
        XCTAssertEqual(try ledger.head()?.sequence, before, "a rejected rotation appended an entry")
    }
}
