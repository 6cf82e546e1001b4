import Foundation
import JOSE
import KeyLedger
import OpenSSLBridge
import SQLiteBridge
import XCTest

final class LedgerTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var signingKey: SigningKey!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        signingKey = try SigningKey.generate(.es256)
    }

    private func makeLedger(_ name: String = "ledger.db") throws -> Ledger {
        try Ledger.create(at: directory.path(name), signingKey: signingKey, actor: "init-bot")
    }

    func testCreateWritesGenesisEntry() throws {
        let ledger = try makeLedger()
        let genesis = try XCTUnwrap(ledger.entry(sequence: 1))
        XCTAssertEqual(genesis.kind, .genesis)
        XCTAssertEqual(genesis.signerKeyID, signingKey.keyID)
        XCTAssertEqual(genesis.previousHash, [UInt8](repeating: 0, count: 32))
        XCTAssertEqual(genesis.body["signing_key"]?["kid"]?.stringValue, signingKey.keyID)
        XCTAssertEqual(try ledger.genesisSignerKeyID(), signingKey.keyID)
    }

    func testCreateRejectsExistingFile() throws {
        _ = try makeLedger()
        XCTAssertThrowsError(try makeLedger()) { error in
            XCTAssertEqual(error as? LedgerError, LedgerError(.ledgerExists, ""))
        }
    }

    func testAppendChainsEntries() throws {
        let ledger = try makeLedger()
        let first = try ledger.append(Event(kind: .note, actor: "alice", body: ["text": "one"]), signingKey: signingKey)
        let second = try ledger.append(Event(kind: .note, actor: "bob", body: ["text": "two"]), signingKey: signingKey)
        XCTAssertEqual(first.sequence, 2)
        XCTAssertEqual(second.sequence, 3)
        XCTAssertEqual(second.previousHash, first.hash)
        XCTAssertGreaterThanOrEqual(second.recordedAt, first.recordedAt)
        XCTAssertEqual(try ledger.head()?.sequence, 3)
    }

    func testStoredEntryMatchesReturnedEntry() throws {
        let ledger = try makeLedger()
        let appended = try ledger.append(Event(kind: .init(rawValue: "x-deploy"), actor: "ci", body: ["kid": "abc", "change": "CHG-1"]), signingKey: signingKey)
        let stored = try XCTUnwrap(ledger.entry(sequence: appended.sequence))
        XCTAssertEqual(stored.canonical, appended.canonical)
        XCTAssertEqual(stored.hash, appended.hash)
        XCTAssertEqual(stored.signature, appended.signature)
        XCTAssertEqual(stored.keyID, "abc")
        XCTAssertEqual(stored.changeID, "CHG-1")
    }

    func testBatchAppendIsOneChain() throws {
        let ledger = try makeLedger()
        let events = try (0..<300).map { try Event(kind: .note, actor: "batch", body: ["n": .number(Double($0))]) }
        let entries = try ledger.append(events, signingKey: signingKey)
        XCTAssertEqual(entries.count, 300)
        XCTAssertEqual(entries.map(\.sequence), Array(2...301))
        for (earlier, later) in zip(entries, entries.dropFirst()) {
            XCTAssertEqual(later.previousHash, earlier.hash)
        }
        let result = try ledger.verify(VerifyOptions(trustAnchor: signingKey.keyID))
        XCTAssertNil(result.failure)
        XCTAssertEqual(result.entriesChecked, 301)
    }

    func testVerifySucceedsForEveryAlgorithm() throws {
        for algorithm in SigningKey.ledgerAlgorithms {
            let key = try SigningKey.generate(algorithm)
            let ledger = try Ledger.create(at: directory.path("ledger-\(algorithm.rawValue).db"), signingKey: key, actor: "init")
            try ledger.append(Event(kind: .note, actor: "alice", body: ["alg": .string(algorithm.rawValue)]), signingKey: key)
            let result = try ledger.verify(VerifyOptions(trustAnchor: key.keyID))
            XCTAssertNil(result.failure, "\(algorithm.rawValue): \(String(describing: result.failure))")
            XCTAssertEqual(result.signaturesVerified, 2, algorithm.rawValue)
            XCTAssertTrue(result.trustAnchorChecked, algorithm.rawValue)
        }
    }

    func testVerifyRejectsWrongTrustAnchor() throws {
        let ledger = try makeLedger()
        let other = try SigningKey.generate(.es256)
        let result = try ledger.verify(VerifyOptions(trustAnchor: other.keyID))
        XCTAssertEqual(result.failure?.sequence, 1)
        XCTAssertEqual(result.failure?.reason, .unknownSigner)
    }

    func testVerifyWarnsWithoutTrustAnchor() throws {
        let ledger = try makeLedger()
        let result = try ledger.verify()
        XCTAssertTrue(result.isValid)
        XCTAssertFalse(result.trustAnchorChecked)
        XCTAssertTrue(result.warnings.contains { $0.contains("trust anchor") })
        XCTAssertTrue(result.warnings.contains { $0.contains("--expect-head") })
    }

    func testRotationHandsOverSigning() throws {
        let ledger = try makeLedger()
        let next = try SigningKey.generate(.edDSA)
        let handover = try ledger.rotateSigningKey(to: next, actor: "security", signingKey: signingKey, reason: "yearly")
        XCTAssertEqual(handover.kind, .signingKeyRotated)
        XCTAssertEqual(handover.signerKeyID, signingKey.keyID)
        XCTAssertEqual(try ledger.currentSignerKeyID(), next.keyID)

        XCTAssertThrowsError(try ledger.append(Event(kind: .note, actor: "a"), signingKey: signingKey)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .signerMismatch)
        }
        let after = try ledger.append(Event(kind: .note, actor: "a"), signingKey: next)
        XCTAssertEqual(after.signerKeyID, next.keyID)

        let result = try ledger.verify(VerifyOptions(trustAnchor: signingKey.keyID))
        XCTAssertNil(result.failure)
        XCTAssertEqual(result.signers.map(\.keyID), [signingKey.keyID, next.keyID])
        XCTAssertEqual(result.signers.first?.lastSigned, 2)
        XCTAssertEqual(result.signers.last?.firstSigned, 3)
    }

    func testRotationRejectsEarlierSigner() throws {
        let ledger = try makeLedger()
        let second = try SigningKey.generate(.es256)
        let third = try SigningKey.generate(.edDSA)
        try ledger.rotateSigningKey(to: second, actor: "security", signingKey: signingKey)
        try ledger.rotateSigningKey(to: third, actor: "security", signingKey: second)

        for (earlier, handedOverAt) in [(signingKey!, 2), (second, 3)] {
            XCTAssertThrowsError(try ledger.rotateSigningKey(to: earlier, actor: "security", signingKey: third)) { error in
                XCTAssertEqual((error as? LedgerError)?.code, .invalidInput)
                XCTAssertTrue("\(error)".contains("kid \(earlier.keyID)) is an earlier signing key of this ledger, handed over at entry \(handedOverAt)"), "\(error)")
            }
        }
        XCTAssertEqual(try ledger.head()?.sequence, 3, "a rejected handover appended an entry")
        XCTAssertEqual(try ledger.currentSignerKeyID(), third.keyID)
    }

    /// An RSA key whose factor p is not prime loads, because every relation
    /// between its numbers is true, but its signatures do not verify. It must
    /// neither start a ledger nor take one over.
    func testUnverifiableKeyGetsNoRole() throws {
        let pemURL = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/keys/composite_factor_rsa2048_private_key", withExtension: "pem"))
        let brokenKey = try SigningKey(privateKey: PrivateKey(pem: String(contentsOf: pemURL, encoding: .utf8)))
        func assertRejected(_ operation: @autoclosure () throws -> Any, _ name: String) {
            XCTAssertThrowsError(try operation(), name) { error in
                XCTAssertEqual((error as? LedgerError)?.code, .unreadableKey, "\(name): \(error)")
                XCTAssertTrue("\(error)".contains("does not verify with its own public key"), "\(name): \(error)")
            }
        }

        let newPath = directory.path("broken.db")
        assertRejected(try Ledger.create(at: newPath, signingKey: brokenKey, actor: "init-bot"), "create")
        XCTAssertFalse(FileManager.default.fileExists(atPath: newPath), "a rejected genesis left a ledger file")

        let ledger = try makeLedger()
        assertRejected(try ledger.rotateSigningKey(to: brokenKey, actor: "security", signingKey: signingKey), "rotate")
        XCTAssertEqual(try ledger.head()?.sequence, 1, "a rejected handover appended an entry")
        XCTAssertEqual(try ledger.currentSignerKeyID(), signingKey.keyID)
    }

    func testRejectedSignerAppendsNothing() throws {
        let ledger = try makeLedger()
        let stranger = try SigningKey.generate(.es256)
        XCTAssertThrowsError(try ledger.append(Event(kind: .note, actor: "a"), signingKey: stranger))
        XCTAssertEqual(try ledger.head()?.sequence, 1)
    }

    func testEventValidation() throws {
        let cases: [(name: String, make: () throws -> Event, code: LedgerError.Code)] = [
            ("unknown kind", { try Event(kind: "deployed", actor: "a", bodyJSON: Array("{}".utf8)) }, .invalidKind),
            ("reserved kind", { try Event(kind: .genesis, actor: "a") }, .invalidKind),
            ("custom kind with capitals", { try Event(kind: "x-Deploy", actor: "a", bodyJSON: Array("{}".utf8)) }, .invalidKind),
            ("empty actor", { try Event(kind: .note, actor: "  ") }, .invalidActor),
            ("actor with leading space", { try Event(kind: .note, actor: " tina") }, .invalidActor),
            ("actor with replacement character", { try Event(kind: .note, actor: "t\u{FFFD}") }, .invalidActor),
            ("lifecycle kind through generic append", { try Event(kind: "published", actor: "a", bodyJSON: Array("{}".utf8)) }, .invalidKind),
            ("change kind through generic append", { try Event(kind: "change_approved", actor: "a", bodyJSON: Array("{}".utf8)) }, .invalidKind),
            ("control character in actor", { try Event(kind: .note, actor: "a\u{1B}[31m") }, .invalidActor),
            ("right-to-left override in actor", { try Event(kind: .note, actor: "a\u{202E}b") }, .invalidActor),
            ("variation selector in actor", { try Event(kind: .note, actor: "tina\u{FE0F}") }, .invalidActor),
            ("grapheme joiner in actor", { try Event(kind: .note, actor: "ti\u{034F}na") }, .invalidActor),
            ("Hangul filler in actor", { try Event(kind: .note, actor: "tina\u{3164}") }, .invalidActor),
            ("body not JSON", { try Event(kind: "note", actor: "a", bodyJSON: Array("{".utf8)) }, .invalidBody),
            ("body an array", { try Event(kind: "note", actor: "a", bodyJSON: Array("[1]".utf8)) }, .invalidBody),
            ("body invalid UTF-8", { try Event(kind: "note", actor: "a", bodyJSON: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]) }, .invalidBody),
            ("body too large", { try Event(kind: .note, actor: "a", body: ["text": .string(String(repeating: "x", count: Event.maximumBodyBytes))]) }, .bodyTooLarge),
        ]
        for testCase in cases {
            XCTAssertThrowsError(try testCase.make(), testCase.name) { error in
                XCTAssertEqual((error as? LedgerError)?.code, testCase.code, "\(testCase.name): \(error)")
            }
        }
    }

    func testBodyAtLimitIsAccepted() throws {
        // {"text":"..."} is 11 bytes of framing around the string.
        let text = String(repeating: "x", count: Event.maximumBodyBytes - 11)
        XCTAssertNoThrow(try Event(kind: .note, actor: "a", body: ["text": .string(text)]))
    }

    func testEntriesFilter() throws {
        let ledger = try makeLedger()
        try ledger.append(Event(kind: .note, actor: "a", body: ["change": "CHG-1"]), signingKey: signingKey)
        try ledger.append(Event(kind: .init(rawValue: "x-probe"), actor: "b", body: ["kid": "k1"]), signingKey: signingKey)
        var notes: [Int64] = []
        try ledger.entries(EntryFilter(kinds: [.note])) { notes.append($0.sequence) }
        XCTAssertEqual(notes, [2])
        var byKey: [Int64] = []
        try ledger.entries(EntryFilter(keyID: "k1")) { byKey.append($0.sequence) }
        XCTAssertEqual(byKey, [3])
        var byChange: [Int64] = []
        try ledger.entries(EntryFilter(changeID: "CHG-1")) { byChange.append($0.sequence) }
        XCTAssertEqual(byChange, [2])
        var none: [Int64] = []
        try ledger.entries(EntryFilter(until: Timestamp(millisecondsSinceEpoch: 0))) { none.append($0.sequence) }
        XCTAssertEqual(none, [])
    }

    func testTriggersRejectUpdateAndDelete() throws {
        let path = directory.path("ledger.db")
        _ = try makeLedger()
        let connection = try Connection(path: path, mode: .readWrite)
        XCTAssertThrowsError(try connection.execute("UPDATE entries SET actor = 'mallory' WHERE seq = 1")) { error in
            XCTAssertTrue("\(error)".contains("append-only"), "\(error)")
        }
        XCTAssertThrowsError(try connection.execute("DELETE FROM entries WHERE seq = 1")) { error in
            XCTAssertTrue("\(error)".contains("append-only"), "\(error)")
        }
    }

    func testOpenRejectsFileThatIsNotSQLite() throws {
        let path = directory.path("notes.txt")
        try Data(String(repeating: "not a database\n", count: 100).utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Ledger(path: path)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .notALedger, "\(error)")
        }
    }

    /// Another application's database with a table named entries is not taken for a ledger whose version was reset.
    func testOpenRejectsOtherDatabaseWithEntriesTable() throws {
        let path = directory.path("other.db")
        try Connection(path: path, mode: .readWriteCreate).execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, text TEXT)")
        XCTAssertThrowsError(try Ledger(path: path)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .notALedger, "\(error)")
            XCTAssertFalse("\(error)".contains("PRAGMA user_version="), "\(error)")
        }
    }

    func testOpenRejectsNewerSchema() throws {
        let path = directory.path("ledger.db")
        _ = try makeLedger()
        try Connection(path: path, mode: .readWrite).execute("PRAGMA user_version = 99")
        XCTAssertThrowsError(try Ledger(path: path)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .newerSchema, "\(error)")
            XCTAssertTrue("\(error)".contains("99"), "\(error)")
        }
    }

    func testOpenRejectsMissingFile() throws {
        XCTAssertThrowsError(try Ledger(path: directory.path("missing.db"))) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .ledgerNotFound)
        }
    }

    func testLedgerUsesWAL() throws {
        let ledger = try makeLedger()
        _ = ledger
        let connection = try Connection(path: directory.path("ledger.db"), mode: .readOnly)
        XCTAssertEqual(try connection.query("PRAGMA journal_mode").first?.text(0), "wal")
    }
}
