import Foundation
@testable import KeyLedger
import OpenSSLBridge
import SQLiteBridge
import XCTest

/// `Ledger.checkConsistency(with:result:)`: a verified ledger against signed
/// checkpoints, with the tree size where a truncated, rewritten or forked
/// ledger parts from them.
final class CheckpointConsistencyTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var signingKey: SigningKey!
    private var checkpointKey: PrivateKey!
    private var ledger: Ledger!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        signingKey = try SigningKey.generate(.es256)
        checkpointKey = try PrivateKey.generate(.ed25519)
        ledger = try Ledger.create(at: directory.path("ledger.db"), signingKey: signingKey, actor: "init",
                                   checkpointKey: checkpointKey)
    }

    private func appendNotes(_ ledger: Ledger, _ count: Int, text: String = "a") throws {
        try ledger.append((0..<count).map { try Event(kind: .note, actor: "alice", body: ["text": .string("\(text)\($0)")]) },
                          signingKey: signingKey)
    }

    private func checkpoint(_ ledger: Ledger) throws -> LedgerCheckpoint {
        try LedgerCheckpoint.verify(ledger.signCheckpoint(checkpointKey: checkpointKey), history: ledger.checkpointKeys())
    }

    private func compare(_ ledger: Ledger, with checkpoints: [LedgerCheckpoint]) throws -> VerificationResult {
        var result = try ledger.verify(VerifyOptions(trustAnchor: signingKey.keyID))
        XCTAssertNil(result.failure, "the ledger itself must verify")
        try ledger.checkConsistency(with: checkpoints, result: &result)
        return result
    }

    func testMatchingCheckpointsAreRecorded() throws {
        try appendNotes(ledger, 3)
        let small = try checkpoint(ledger)
        try appendNotes(ledger, 5)
        let large = try checkpoint(ledger)
        let result = try compare(ledger, with: [large, small])

        XCTAssertNil(result.failure)
        XCTAssertEqual(result.checkpoints.map(\.treeSize), [4, 9])
        XCTAssertEqual(result.checkpoints.map(\.matches), [true, true])
        XCTAssertEqual(result.checkpoints.first?.signerKey, try ledger.currentCheckpointKey()?.verifierKey.encoded)
        XCTAssertFalse(result.warnings.contains { $0.hasPrefix("a hash chain cannot show") }, "\(result.warnings)")
    }

    func testEntriesAfterLargestCheckpointAreNamed() throws {
        try appendNotes(ledger, 3)
        let signed = try checkpoint(ledger)
        try appendNotes(ledger, 2)
        let result = try compare(ledger, with: [signed])
        XCTAssertNil(result.failure)
        XCTAssertTrue(result.warnings.contains { $0.hasPrefix("entries 5 to 6 come after the largest checkpoint") }, "\(result.warnings)")
    }

    func testTruncationNamesFirstMissingEntry() throws {
        try appendNotes(ledger, 3)
        let early = try checkpoint(ledger)
        try appendNotes(ledger, 6)
        let late = try checkpoint(ledger)
        let connection = try Connection(path: ledger.path, mode: .readWrite)
        try connection.execute("""
            DROP TRIGGER entries_no_delete; DROP TRIGGER merkle_tree_no_delete;
            DELETE FROM entries WHERE seq > 6; DELETE FROM merkle_tree WHERE position >= 4;
            """)

        let result = try compare(ledger, with: [early, late])
        XCTAssertEqual(result.failure?.reason, .checkpointMismatch)
        XCTAssertEqual(result.failure?.sequence, 7)
        let detail = try XCTUnwrap(result.failure?.detail)
        XCTAssertTrue(detail.contains("ends at entry 6"), detail)
        XCTAssertTrue(detail.contains("entries 7 to 10 were cut from the end"), detail)
        XCTAssertTrue(detail.contains("agrees with the checkpoint of tree size 4"), detail)
        XCTAssertEqual(result.checkpoints.map(\.matches), [true, false])
    }

    func testForkNamesCheckpointSize() throws {
        try appendNotes(ledger, 4)
        let shared = try checkpoint(ledger)
        // The ledger is open in WAL mode, so its newest pages may still be in the -wal file.
        let forkPath = directory.path("fork.db")
        try Connection(path: ledger.path, mode: .readWrite).execute("VACUUM INTO '\(forkPath)'")
        let fork = try Ledger(path: forkPath)
        try appendNotes(ledger, 3, text: "original")
        try appendNotes(fork, 3, text: "fork")
        let original = try checkpoint(ledger)

        let result = try compare(fork, with: [shared, original])
        XCTAssertEqual(result.failure?.reason, .checkpointMismatch)
        XCTAssertEqual(result.failure?.sequence, 8)
        let detail = try XCTUnwrap(result.failure?.detail)
        XCTAssertTrue(detail.contains("rewritten or forked"), detail)
        XCTAssertTrue(detail.contains("parts from the checkpoints after entry 5"), detail)
    }

    func testRewriteWithoutEarlierCheckpoint() throws {
        try appendNotes(ledger, 2)
        let signed = try checkpoint(ledger)
        let other = try Ledger.create(at: directory.path("other.db"), signingKey: signingKey, actor: "init",
                                      checkpointKey: checkpointKey)
        try appendNotes(other, 2)

        let result = try compare(other, with: [signed])
        XCTAssertEqual(result.failure?.reason, .checkpointMismatch)
        XCTAssertEqual(result.failure?.sequence, 3)
        XCTAssertTrue(result.failure?.detail.contains("at or before entry 3") ?? false, String(describing: result.failure))
    }

    func testInvalidLedgerIsNotCompared() throws {
        try appendNotes(ledger, 2)
        let signed = try checkpoint(ledger)
        var result = try ledger.verify()
        result.failure = .init(sequence: 2, reason: .invalidSignature, detail: "set by the test")
        try ledger.checkConsistency(with: [signed], result: &result)
        XCTAssertTrue(result.checkpoints.isEmpty)
        XCTAssertEqual(result.failure?.reason, .invalidSignature)
    }
}
