import JOSE
@testable import KeyLedger
import SQLiteBridge
import XCTest

/// Batch appends larger than `Ledger.treeChunkSize`, which add their entries
/// to the Merkle tree in several chunks within one transaction.
final class BatchAppendTreeTests: XCTestCase {
    private func events(_ count: Int) throws -> [Event] {
        try (0..<count).map { try Event(kind: .note, actor: "batch", body: ["n": .number(Double($0))]) }
    }

    private func entryLeafHashes(_ ledger: Ledger) throws -> [[UInt8]] {
        var hashes: [[UInt8]] = []
        try ledger.entries { hashes.append(MerkleTree.leafHash(leafInput: $0.hash)) }
        return hashes
    }

    func testChunkedBatchBuildsWholeTree() throws {
        let directory = try TemporaryDirectory(self)
        let signingKey = try SigningKey.generate(.edDSA)
        let ledger = try Ledger.create(at: directory.path("ledger.db"), signingKey: signingKey, actor: "test")
        try ledger.append(Event(kind: .note, actor: "single"), signingKey: signingKey)
        let count = 2 * Ledger.treeChunkSize + 37
        let appended = try ledger.append(events(count), signingKey: signingKey)

        let leafHashes = try entryLeafHashes(ledger)
        XCTAssertEqual(appended.count, count)
        XCTAssertEqual(leafHashes.count, count + 2)
        XCTAssertEqual(try ledger.merkleTree().size(), count + 2)
        XCTAssertEqual(try ledger.merkleTree().root(size: count + 2), MerkleTree.root(leafHashes: leafHashes))
        XCTAssertEqual(try ledger.updateMerkleTree(), 0)
    }

    func testChunkedBatchFillsTreeThatFellBehind() throws {
        let directory = try TemporaryDirectory(self)
        let signingKey = try SigningKey.generate(.edDSA)
        let path = directory.path("ledger.db")
        let ledger = try Ledger.create(at: path, signingKey: signingKey, actor: "test")
        try ledger.append(events(5), signingKey: signingKey)
        let raw = try Connection(path: path, mode: .readWrite)
        try raw.execute("DROP TRIGGER IF EXISTS merkle_tree_no_delete")
        try raw.execute("DELETE FROM merkle_tree")

        let count = Ledger.treeChunkSize + 10
        try ledger.append(events(count), signingKey: signingKey)

        let leafHashes = try entryLeafHashes(ledger)
        XCTAssertEqual(leafHashes.count, count + 6)
        XCTAssertEqual(try ledger.merkleTree().size(), count + 6)
        XCTAssertEqual(try ledger.merkleTree().root(size: count + 6), MerkleTree.root(leafHashes: leafHashes))
    }
}
