import Foundation
import JOSE
import KeyLedger
import OpenSSLBridge
import SQLiteBridge
import XCTest

/// Each test alters a real ledger file with SQL, the way an attacker with
/// write access to the file would (dropping the append-only triggers first),
/// and checks that verification names the right entry and reason.
final class TamperTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var signingKey: SigningKey!
    private var path: String!

    /// Creates a ledger with the genesis entry and notes 2 to 10.
    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        signingKey = try SigningKey.generate(.rs256)
        path = directory.path("ledger.db")
        let ledger = try Ledger.create(at: path, signingKey: signingKey, actor: "init")
        let events = try (2...10).map { try Event(kind: .note, actor: "alice", body: ["n": .number(Double($0))]) }
        try ledger.append(events, signingKey: signingKey)
    }

    private func tamper(_ sql: String, _ values: [SQLiteValue] = []) throws {
        let connection = try Connection(path: path, mode: .readWrite)
        try connection.execute("DROP TRIGGER IF EXISTS entries_no_update; DROP TRIGGER IF EXISTS entries_no_delete")
        try connection.run(sql, values)
    }

    private func verify(_ options: VerifyOptions? = nil) throws -> VerificationResult.Failure? {
        try Ledger(path: path, readOnly: true).verify(options ?? VerifyOptions(trustAnchor: signingKey.keyID)).failure
    }

    private func canonical(_ sequence: Int64) throws -> [UInt8] {
        try XCTUnwrap(Ledger(path: path, readOnly: true).entry(sequence: sequence)).canonical
    }

    func testUntouchedLedgerIsValid() throws {
        XCTAssertNil(try verify())
    }

    func testEditedBodyIsHashMismatch() throws {
        var text = String(decoding: try canonical(5), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"n\":5", with: "\"n\":6")
        try tamper("UPDATE entries SET canonical = ? WHERE seq = 5", [.blob(Array(text.utf8))])
        let failure = try verify()
        XCTAssertEqual(failure?.sequence, 5)
        XCTAssertEqual(failure?.reason, .hashMismatch)
    }

    func testEditedStoredHashIsDetected() throws {
        try tamper("UPDATE entries SET entry_hash = ? WHERE seq = 4", [.blob([UInt8](repeating: 0xAB, count: 32))])
        let failure = try verify()
        XCTAssertEqual(failure?.sequence, 4)
        XCTAssertEqual(failure?.reason, .hashMismatch)
    }

    func testEditedColumnIsHashMismatch() throws {
        try tamper("UPDATE entries SET actor = 'mallory' WHERE seq = 6")
        let failure = try verify()
        XCTAssertEqual(failure?.sequence, 6)
        XCTAssertEqual(failure?.reason, .hashMismatch)
    }

    /// SQL NULL reads as the bare word NULL, the text "NULL" in quotes.
    func testColumnMessageTellsNullFromText() throws {
        try Ledger(path: path).append(Event(kind: .note, actor: "alice", body: ["kid": .string("k1")]), signingKey: signingKey)
        try tamper("UPDATE entries SET key_id = 'NULL' WHERE seq = 7")
        try tamper("UPDATE entries SET key_id = NULL WHERE seq = 11")
        XCTAssertEqual(try verify()?.detail, "entry 7 column key_id is \"NULL\" but the hashed content has NULL")

        try tamper("UPDATE entries SET key_id = NULL WHERE seq = 7")
        XCTAssertEqual(try verify()?.detail, "entry 11 column key_id is NULL but the hashed content has \"k1\"")
    }

    func testDeletedMiddleEntryIsSequenceGap() throws {
        try tamper("DELETE FROM entries WHERE seq = 5")
        let failure = try verify()
        XCTAssertEqual(failure?.sequence, 6)
        XCTAssertEqual(failure?.reason, .sequenceGap)
    }

    func testDeletedAndRenumberedEntryIsBrokenLink() throws {
        // Close the gap by moving later rows down: sequence numbers look right, but links do not.
        try tamper("DELETE FROM entries WHERE seq = 5")
        try tamper("UPDATE entries SET seq = seq - 1 WHERE seq > 5")
        let failure = try verify()
        XCTAssertEqual(failure?.sequence, 5)
        XCTAssertEqual(failure?.reason, .brokenLink)
    }

    func testForgedEntryWithOtherKeyIsUnknownSigner() throws {
        // The forger builds a correct-looking entry 11 with its own key, linked to the real head.
        let forger = try SigningKey.generate(.rs256)
        let head = try XCTUnwrap(Ledger(path: path, readOnly: true).entry(sequence: 10))
        let text = String(decoding: head.canonical, as: UTF8.self)
            .replacingOccurrences(of: "\"seq\":10", with: "\"seq\":11")
            .replacingOccurrences(of: signingKey.keyID, with: forger.keyID)
        let canonical = Array(text.utf8)
        let hash = Digest.sha256(Array("keyledger.entry.v1".utf8) + [0] + head.hash + canonical)
        let signature = try JWS.signDetached(payload: hash, key: forger.privateKey, algorithm: .rs256, keyID: forger.keyID)
        try tamper("""
            INSERT INTO entries (seq, recorded_at, kind, actor, key_id, change_id, canonical, prev_hash, entry_hash, signer_kid, signature)
            VALUES (11, ?, 'note', 'alice', NULL, NULL, ?, ?, ?, ?, ?)
            """, [.text(head.recordedAt.description), .blob(canonical), .blob(head.hash), .blob(hash), .text(forger.keyID), .text(signature)])
        let failure = try verify()
        XCTAssertEqual(failure?.sequence, 11)
        XCTAssertEqual(failure?.reason, .unknownSigner)
    }

    func testInsertedEntryInMiddleIsDetected() throws {
        // Shift entries 6...10 up by one and put a copy of entry 5 at 6.
        try tamper("UPDATE entries SET seq = seq + 100 WHERE seq >= 6")
        try tamper("UPDATE entries SET seq = seq - 99 WHERE seq >= 106")
        try tamper("""
            INSERT INTO entries SELECT 6, recorded_at, kind, actor, key_id, change_id, canonical, entry_hash, entry_hash, signer_kid, signature
            FROM entries WHERE seq = 5
            """)
        let failure = try verify()
        XCTAssertEqual(failure?.sequence, 6)
        XCTAssertEqual(failure?.reason, .hashMismatch)
    }

    func testSwappedEntriesAreBrokenLink() throws {
        try tamper("UPDATE entries SET seq = 100 WHERE seq = 3")
        try tamper("UPDATE entries SET seq = 3 WHERE seq = 4")
        try tamper("UPDATE entries SET seq = 4 WHERE seq = 100")
        let failure = try verify()
        XCTAssertEqual(failure?.sequence, 3)
        XCTAssertEqual(failure?.reason, .brokenLink)
    }

    func testSignatureFromOtherKeyIsInvalid() throws {
        let other = try SigningKey.generate(.rs256)
        let entry = try XCTUnwrap(Ledger(path: path, readOnly: true).entry(sequence: 7))
        // Signed by another key but with the real signer's kid in the header.
        let forged = try JWS.signDetached(payload: entry.hash, key: other.privateKey, algorithm: .rs256, keyID: signingKey.keyID)
        try tamper("UPDATE entries SET signature = ? WHERE seq = 7", [.text(forged)])
        let failure = try verify()
        XCTAssertEqual(failure?.sequence, 7)
        XCTAssertEqual(failure?.reason, .invalidSignature)
    }

    func testChangedSignerKidIsUnknownSigner() throws {
        try tamper("UPDATE entries SET signer_kid = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' WHERE seq = 8")
        let failure = try verify()
        XCTAssertEqual(failure?.sequence, 8)
        XCTAssertEqual(failure?.reason, .unknownSigner)
    }

    func testReplacedGenesisIsUnknownSigner() throws {
        // A complete new ledger file signed by another key, swapped in for the genesis entry.
        let impostor = try SigningKey.generate(.rs256)
        let otherPath = directory.path("other.db")
        _ = try Ledger.create(at: otherPath, signingKey: impostor, actor: "init")
        try tamper("DELETE FROM entries WHERE seq = 1")
        let connection = try Connection(path: path, mode: .readWrite)
        try connection.run("ATTACH DATABASE ? AS other", [.text(otherPath)])
        try connection.run("INSERT INTO entries SELECT * FROM other.entries WHERE seq = 1")
        let failure = try verify()
        XCTAssertEqual(failure?.sequence, 1)
        XCTAssertEqual(failure?.reason, .unknownSigner)
    }

    func testTruncationNeedsExpectedHead() throws {
        let head = try XCTUnwrap(Ledger(path: path, readOnly: true).head())
        try tamper("DELETE FROM entries WHERE seq >= 9")
        // Left alone, the Merkle tree still has leaves for the removed entries; an attacker trims it too.
        try tamper("DROP TRIGGER merkle_tree_no_delete")
        // The tree of 8 leaves has rows 0 to 6 (8 - popcount(8) = 7 rows).
        try tamper("DELETE FROM merkle_tree WHERE position >= 7")
        XCTAssertNil(try verify(), "a bare chain cannot detect truncation")
        let failure = try verify(VerifyOptions(trustAnchor: signingKey.keyID, expectedHead: (head.sequence, head.hash)))
        XCTAssertEqual(failure?.sequence, 9)
        XCTAssertEqual(failure?.reason, .headMismatch)
    }

    func testRewrittenHistoryFailsExpectedHead() throws {
        let head = try XCTUnwrap(Ledger(path: path, readOnly: true).head())
        XCTAssertNil(try verify(VerifyOptions(trustAnchor: signingKey.keyID, expectedHead: (head.sequence, head.hash))))
        let failure = try verify(VerifyOptions(trustAnchor: signingKey.keyID, expectedHead: (head.sequence, [UInt8](repeating: 1, count: 32))))
        XCTAssertEqual(failure?.sequence, head.sequence)
        XCTAssertEqual(failure?.reason, .headMismatch)
    }

    /// Appends entry 11 with `content` members replaced, correctly chained and signed with the real key,
    /// the way a writer holding the key but not using keyledger could.
    private func appendSigned(_ changes: [String: JSONValue]) throws {
        let head = try XCTUnwrap(Ledger(path: path, readOnly: true).entry(sequence: 10))
        var content = try XCTUnwrap(JSONValue(parsing: head.canonical).objectValue)
        content["seq"] = 11
        for (member, value) in changes { content[member] = value }
        let canonical = try JCS.canonicalize(.object(content))
        let hash = Digest.sha256(Array("keyledger.entry.v1".utf8) + [0] + head.hash + canonical)
        let signature = try JWS.signDetached(payload: hash, key: signingKey.privateKey, algorithm: .rs256, keyID: signingKey.keyID)
        let kind = content["kind"]?.stringValue ?? "note"
        try tamper("""
            INSERT INTO entries (seq, recorded_at, kind, actor, key_id, change_id, canonical, prev_hash, entry_hash, signer_kid, signature)
            VALUES (11, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?)
            """, [.text(content["recorded_at"]?.stringValue ?? ""), .text(kind), .text(content["actor"]?.stringValue ?? ""),
                  .blob(canonical), .blob(head.hash), .blob(hash), .text(signingKey.keyID), .text(signature)])
    }

    func testTimeGoingBackwardsIsMalformed() throws {
        try appendSigned(["recorded_at": "2001-01-01T00:00:00.000Z"])
        let failure = try verify()
        XCTAssertEqual(failure?.sequence, 11)
        XCTAssertEqual(failure?.reason, .malformedEntry)
    }

    func testRecordedAtInAnotherFormIsMalformed() throws {
        // Each signed time names the instant in the column, but FORMAT.md allows only the column's form.
        let cases: [(signed: String, column: String)] = [
            ("2099-01-01T01:00:00.000+01:00", "2099-01-01T00:00:00.000Z"),
            ("2099-01-01T00:00:00.000999Z", "2099-01-01T00:00:00.000Z"),
            ("2099-01-01T00:00:00Z", "2099-01-01T00:00:00.000Z"),
            ("2099-01-01", "2099-01-01T00:00:00.000Z"),
        ]
        for (signed, column) in cases {
            try tamper("DELETE FROM entries WHERE seq = 11")
            try appendSigned(["recorded_at": .string(signed)])
            try tamper("UPDATE entries SET recorded_at = ? WHERE seq = 11", [.text(column)])
            let failure = try verify()
            XCTAssertEqual(failure?.sequence, 11, signed)
            XCTAssertEqual(failure?.reason, .malformedEntry, signed)
            XCTAssertTrue(failure?.detail.contains("\"\(signed)\"") ?? false, "\(String(describing: failure))")
        }
    }

    func testHandoverToJWTOnlyAlgorithmIsMalformed() throws {
        // RS384 and RS512 sign JWTs, but FORMAT.md allows only five algorithms for ledger signing keys.
        for algorithm in ["RS384", "RS512"] {
            var jwk = try XCTUnwrap(SigningKey.generate(.rs256).publicJWK.jsonValue.objectValue)
            jwk["alg"] = .string(algorithm)
            try tamper("DELETE FROM entries WHERE seq = 11")
            try appendSigned([
                "kind": "signing_key_rotated",
                "body": .object(["signing_key": .object(jwk), "previous_kid": .string(signingKey.keyID)]),
            ])
            let failure = try verify()
            XCTAssertEqual(failure?.sequence, 11, algorithm)
            XCTAssertEqual(failure?.reason, .malformedEntry, algorithm)
            XCTAssertTrue(failure?.detail.contains("\"\(algorithm)\"") ?? false, "\(String(describing: failure))")
        }
    }

    func testHandoverNamingWrongOutgoingKeyIsMalformed() throws {
        let next = try SigningKey.generate(.es256)
        try appendSigned([
            "kind": "signing_key_rotated",
            "body": .object(["signing_key": next.publicJWK.jsonValue, "previous_kid": "not-the-outgoing-key"]),
        ])
        let failure = try verify()
        XCTAssertEqual(failure?.sequence, 11)
        XCTAssertEqual(failure?.reason, .malformedEntry)
        XCTAssertTrue(failure?.detail.contains("not-the-outgoing-key") ?? false, "\(String(describing: failure))")
    }
}
