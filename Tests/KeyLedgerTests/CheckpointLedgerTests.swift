import Foundation
@testable import KeyLedger
import SQLiteBridge
import XCTest

/// Checkpoints of a real ledger: signing, proofs against them, and detection
/// of truncation and rewriting after a checkpoint was signed.
final class CheckpointLedgerTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var signingKey: SigningKey!
    private var ledger: Ledger!
    private var logSigner: NoteSigner!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        signingKey = try SigningKey.generate(.edDSA)
        ledger = try Ledger.create(at: directory.path("ledger.db"), signingKey: signingKey, actor: "checkpoint-test")
        logSigner = try NoteSigner.generate(name: "keyledger.example/\(ledger.ledgerID)")
    }

    private func appendNotes(_ count: Int) throws {
        try ledger.append((0..<count).map { try Event(kind: .note, actor: "alice", body: ["n": .number(Double($0))]) },
                          signingKey: signingKey)
    }

    private func rawConnection() throws -> Connection {
        try Connection(path: ledger.path, mode: .readWrite)
    }

    private func assertIntegrityError(_ expression: @autoclosure () throws -> some Any, _ message: String,
                                      file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), message, file: file, line: line) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .integrity, "\(message): \(error)", file: file, line: line)
        }
    }

    func testSignedCheckpointVerifiesAndMatchesLedger() throws {
        try appendNotes(12)
        let note = try ledger.signCheckpoint(with: logSigner)
        let verified = try Checkpoint.verify(note.formatted, logKey: logSigner.verifierKey)
        XCTAssertEqual(verified.checkpoint.origin, logSigner.name)
        XCTAssertEqual(verified.checkpoint.treeSize, 13)
        XCTAssertEqual(verified.checkpoint.rootHash, try ledger.merkleTree().root(size: 13))
        XCTAssertNoThrow(try ledger.verifyCheckpoint(verified.checkpoint))
    }

    func testEntryInclusionProvedAgainstCheckpoint() throws {
        try appendNotes(20)
        let checkpoint = try ledger.checkpoint(origin: logSigner.name)
        let tree = ledger.merkleTree()
        for sequence in [1, 7, 16, 21] {
            let entry = try XCTUnwrap(ledger.entry(sequence: Int64(sequence)))
            let proof = try tree.inclusionProof(leafIndex: sequence - 1, treeSize: checkpoint.treeSize)
            XCTAssertTrue(MerkleProof.verifyInclusion(leafHash: MerkleTree.leafHash(leafInput: entry.hash),
                                                      leafIndex: sequence - 1, treeSize: checkpoint.treeSize,
                                                      proof: proof, root: checkpoint.rootHash), "entry \(sequence)")
        }
    }

    func testLaterCheckpointIsConsistentWithEarlier() throws {
        try appendNotes(4)
        let earlier = try ledger.checkpoint(origin: logSigner.name)
        try appendNotes(9)
        let later = try ledger.checkpoint(origin: logSigner.name)
        XCTAssertNoThrow(try ledger.verifyCheckpoint(earlier))
        let proof = try ledger.merkleTree().consistencyProof(from: earlier.treeSize, to: later.treeSize)
        XCTAssertTrue(MerkleProof.verifyConsistency(oldSize: earlier.treeSize, newSize: later.treeSize,
                                                    oldRoot: earlier.rootHash, newRoot: later.rootHash, proof: proof))
    }

    func testTruncationIsDetected() throws {
        try appendNotes(10)
        let checkpoint = try ledger.checkpoint(origin: logSigner.name)
        let raw = try rawConnection()
        try raw.execute("DROP TRIGGER entries_no_delete")
        try raw.execute("DELETE FROM entries WHERE seq > 8")
        assertIntegrityError(try ledger.verifyCheckpoint(checkpoint), "two entries removed")
    }

    func testRewrittenEntryIsDetected() throws {
        try appendNotes(10)
        let checkpoint = try ledger.checkpoint(origin: logSigner.name)
        let raw = try rawConnection()
        try raw.execute("DROP TRIGGER entries_no_update")
        try raw.execute("UPDATE entries SET entry_hash = zeroblob(32) WHERE seq = 5")
        assertIntegrityError(try ledger.verifyCheckpoint(checkpoint), "entry 5 rewritten")
    }

    func testAlteredTreeNodeIsDetected() throws {
        try appendNotes(10)
        let checkpoint = try ledger.checkpoint(origin: logSigner.name)
        let raw = try rawConnection()
        try raw.execute("DROP TRIGGER merkle_tree_no_update")
        // Position 6 is the node over entries 1 to 8 (level 3, index 0).
        try raw.execute("UPDATE merkle_tree SET hash = zeroblob(32) WHERE position = 6")
        assertIntegrityError(try ledger.verifyCheckpoint(checkpoint), "stored node altered")
    }

    func testCheckpointOfOtherLedgerDoesNotMatch() throws {
        try appendNotes(3)
        let otherLedger = try Ledger.create(at: directory.path("other.db"), signingKey: signingKey, actor: "checkpoint-test")
        try otherLedger.append((0..<3).map { try Event(kind: .note, actor: "alice", body: ["n": .number(Double($0))]) },
                               signingKey: signingKey)
        let foreign = try otherLedger.checkpoint(origin: logSigner.name)
        assertIntegrityError(try ledger.verifyCheckpoint(foreign), "checkpoint of another ledger")
    }

    func testCheckpointNeedsCompleteTree() throws {
        try appendNotes(3)
        let raw = try rawConnection()
        try raw.execute("DROP TRIGGER IF EXISTS merkle_tree_no_delete")
        try raw.execute("DELETE FROM merkle_tree")
        let migrated = try Ledger(path: ledger.path)
        XCTAssertThrowsError(try migrated.checkpoint(origin: logSigner.name)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .notAllowed, "\(error)")
        }
        try migrated.updateMerkleTree()
        XCTAssertEqual(try migrated.checkpoint(origin: logSigner.name).treeSize, 4)
    }
}
