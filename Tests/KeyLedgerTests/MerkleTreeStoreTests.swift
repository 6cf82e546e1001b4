import Foundation
@testable import KeyLedger
import OpenSSLBridge
import SQLiteBridge
import XCTest

/// The stored tree against a direct transcription of RFC 9162, and its
/// upkeep in the ledger: node counts, backfill and integrity checks.
final class MerkleTreeStoreTests: XCTestCase {
    /// RFC 9162 section 2.1 written out over arrays of leaf hashes, as
    /// recursively as the RFC states it, to check the stored tree against.
    private enum Reference {
        static func interior(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
            Digest.sha256([0x01] + left + right)
        }

        static func split(_ count: Int) -> Int {
            var k = 1
            while k * 2 < count { k *= 2 }
            return k
        }

        /// MTH(D[n]).
        static func root(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
            if leaves.isEmpty { return Digest.sha256([UInt8]()) }
            if leaves.count == 1 { return leaves[leaves.startIndex] }
            let k = split(leaves.count)
            return interior(root(leaves.prefix(k)), root(leaves.dropFirst(k)))
        }

        /// PATH(m, D[n]).
        static func path(_ m: Int, _ leaves: ArraySlice<[UInt8]>) -> [[UInt8]] {
            if leaves.count == 1 { return [] }
            let k = split(leaves.count)
            if m < k {
                return path(m, leaves.prefix(k)) + [root(leaves.dropFirst(k))]
            }
            return path(m - k, leaves.dropFirst(k)) + [root(leaves.prefix(k))]
        }

        /// SUBPROOF(m, D[n], b).
        static func subproof(_ m: Int, _ leaves: ArraySlice<[UInt8]>, _ b: Bool) -> [[UInt8]] {
            if m == leaves.count { return b ? [] : [root(leaves)] }
            let k = split(leaves.count)
            if m <= k {
                return subproof(m, leaves.prefix(k), b) + [root(leaves.dropFirst(k))]
            }
            return subproof(m - k, leaves.dropFirst(k), false) + [root(leaves.prefix(k))]
        }
    }

    private func randomLeafInputs(_ count: Int) throws -> [[UInt8]] {
        try (0..<count).map { _ in try SecureRandom.bytes(count: 32) }
    }

    func testStoredProofsMatchReferenceUpToSeventyLeaves() throws {
        let maximumSize = 70
        let inputs = try randomLeafInputs(maximumSize)
        let leafHashes = inputs.map { MerkleTree.leafHash(leafInput: $0) }
        let tree = try MerkleTree(connection: TransparencyFixtures.makeDatabase(), leafSource: .leafInputTable)
        // Random batch sizes, so appends start at every kind of frontier.
        var appended = 0
        while appended < maximumSize {
            let batch = min(Int.random(in: 1...5), maximumSize - appended)
            try tree.append(leafInputs: Array(inputs[appended..<appended + batch]))
            appended += batch
        }
        XCTAssertEqual(try tree.size(), maximumSize)

        for size in 0...maximumSize {
            let leaves = leafHashes.prefix(size)
            let root = Reference.root(leaves)
            XCTAssertEqual(try tree.root(size: size), root, "root of \(size)")
            XCTAssertEqual(MerkleTree.root(leafHashes: Array(leaves)), root, "in-memory root of \(size)")
            for index in 0..<size {
                let proof = try tree.inclusionProof(leafIndex: index, treeSize: size)
                XCTAssertEqual(proof, Reference.path(index, leaves), "inclusion of \(index) in \(size)")
                XCTAssertTrue(MerkleProof.verifyInclusion(leafHash: leafHashes[index], leafIndex: index,
                                                          treeSize: size, proof: proof, root: root),
                              "verify inclusion of \(index) in \(size)")
            }
            for oldSize in 1..<max(size, 1) {
                let proof = try tree.consistencyProof(from: oldSize, to: size)
                XCTAssertEqual(proof, Reference.subproof(oldSize, leaves, true), "consistency \(oldSize) to \(size)")
                XCTAssertTrue(MerkleProof.verifyConsistency(oldSize: oldSize, newSize: size,
                                                            oldRoot: Reference.root(leafHashes.prefix(oldSize)),
                                                            newRoot: root, proof: proof),
                              "verify consistency \(oldSize) to \(size)")
            }
        }
    }

    func testAppendWritesOneRowPerCompletedSubtree() throws {
        let tree = try MerkleTree(connection: TransparencyFixtures.makeDatabase(), leafSource: .leafInputTable)
        let count = 1000
        for input in try randomLeafInputs(count) {
            try tree.append(leafInputs: [input])
        }
        // Each level l >= 1 has floor(n / 2^l) complete subtrees, which sum to
        // n - popcount(n): just under one row per leaf, because leaves are not stored.
        XCTAssertEqual(tree.store.writeCount, count - count.nonzeroBitCount)
        XCTAssertEqual(try tree.size(), count)
    }

    func testRowPositionsFollowAppendOrder() throws {
        let connection = try TransparencyFixtures.makeDatabase()
        let tree = MerkleTree(connection: connection, leafSource: .leafInputTable)
        let inputs = try randomLeafInputs(8)
        try tree.append(leafInputs: inputs)
        let leafHashes = inputs.map { MerkleTree.leafHash(leafInput: $0) }
        let pair = { (left: Int) in MerkleTree.interiorHash(left: leafHashes[left], right: leafHashes[left + 1]) }
        let expected = [
            pair(0),
            pair(2), MerkleTree.interiorHash(left: pair(0), right: pair(2)),
            pair(4),
            pair(6), MerkleTree.interiorHash(left: pair(4), right: pair(6)),
            MerkleTree.root(leafHashes: leafHashes),
        ]
        let rows = try connection.query("SELECT position, hash FROM merkle_tree ORDER BY position")
        XCTAssertEqual(rows.map { $0.int(0) }, Array(0..<7))
        XCTAssertEqual(rows.map { $0.bytes(1) }, expected)
        for level in 1...3 {
            for index in 0..<(8 >> level) {
                let node = MerkleNode(level: level, index: index)
                XCTAssertEqual(try tree.store.hash(of: node), expected[node.position], "level \(level), index \(index)")
            }
        }
    }

    func testTreeSizeFollowsRowCount() throws {
        let cases: [(rows: Int, entries: Int, size: Int)] = [
            (0, 0, 0), (0, 1, 1), (1, 2, 2), (1, 3, 3), (3, 4, 4), (7, 8, 8), (7, 9, 9),
            (0, 5, 1), (1, 5, 3), (3, 9, 5), (3, 2, 4), (7, 4, 8),
        ]
        for item in cases {
            XCTAssertEqual(try MerkleNodeStore.treeSize(interiorNodeCount: item.rows, leafInputCount: item.entries), item.size,
                           "\(item.rows) rows, \(item.entries) entries")
        }
        // interiorCount skips 2: leaf 3 completes two subtrees at once.
        XCTAssertThrowsError(try MerkleNodeStore.treeSize(interiorNodeCount: 2, leafInputCount: 9)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .integrity, "\(error)")
        }
    }

    func testProofsReadLogarithmicallyManyNodes() throws {
        let tree = try MerkleTree(connection: TransparencyFixtures.makeDatabase(), leafSource: .leafInputTable)
        let size = 5000
        try tree.append(leafInputs: try randomLeafInputs(size))
        let bound = 2 * (Int.bitWidth - size.leadingZeroBitCount)
        for _ in 0..<200 {
            let treeSize = Int.random(in: 1...size)
            let before = tree.store.readCount
            _ = try tree.inclusionProof(leafIndex: Int.random(in: 0..<treeSize), treeSize: treeSize)
            XCTAssertLessThanOrEqual(tree.store.readCount - before, bound, "inclusion in \(treeSize)")

            let oldSize = Int.random(in: 1...treeSize)
            let beforeConsistency = tree.store.readCount
            _ = try tree.consistencyProof(from: oldSize, to: treeSize)
            XCTAssertLessThanOrEqual(tree.store.readCount - beforeConsistency, bound, "consistency \(oldSize) to \(treeSize)")
        }
    }

    func testTreeInMemoryMatchesStoredProofs() throws {
        let inputs = try randomLeafInputs(300)
        let leafHashes = inputs.map { MerkleTree.leafHash(leafInput: $0) }
        let connection = try TransparencyFixtures.makeDatabase()
        let stored = MerkleTree(connection: connection, leafSource: .leafInputTable)
        try stored.append(leafInputs: Array(inputs.prefix(257)))
        let loaded = MerkleTree(connection: connection, leafSource: .leafInputTable)

        XCTAssertEqual(try loaded.loadIntoMemory(), 257)
        let before = loaded.store.readCount
        for size in [1, 2, 3, 64, 100, 255, 256, 257] {
            let leaves = leafHashes.prefix(size)
            XCTAssertEqual(try loaded.root(size: size), Reference.root(leaves), "root of \(size)")
            for index in Set([0, size / 2, size - 1]) {
                XCTAssertEqual(try loaded.inclusionProof(leafIndex: index, treeSize: size), Reference.path(index, leaves),
                               "inclusion of \(index) in \(size)")
            }
            for oldSize in Set([1, size / 3, size - 1]) where oldSize >= 1 && oldSize < size {
                XCTAssertEqual(try loaded.consistencyProof(from: oldSize, to: size), Reference.subproof(oldSize, leaves, true),
                               "consistency \(oldSize) to \(size)")
            }
        }
        XCTAssertEqual(loaded.store.readCount, before, "a proof read a node from the database")

        // Leaves appended after the load come from the database, and proofs stay right.
        try stored.append(leafInputs: Array(inputs.dropFirst(257)))
        let all = leafHashes.prefix(300)
        XCTAssertEqual(try loaded.inclusionProof(leafIndex: 280, treeSize: 300), Reference.path(280, all))
        XCTAssertEqual(try loaded.consistencyProof(from: 257, to: 300), Reference.subproof(257, all, true))
        XCTAssertGreaterThan(loaded.store.readCount, before)
    }

    func testLoadRejectsMissingRowAndTransaction() throws {
        let connection = try TransparencyFixtures.makeDatabase()
        let tree = MerkleTree(connection: connection, leafSource: .leafInputTable)
        try tree.append(leafInputs: try randomLeafInputs(8))
        try connection.transaction(.deferred) {
            XCTAssertThrowsError(try tree.loadIntoMemory()) { error in
                XCTAssertEqual((error as? LedgerError)?.code, .invalidInput, "\(error)")
            }
        }
        try connection.execute("DROP TRIGGER merkle_tree_no_delete")
        try connection.execute("DELETE FROM merkle_tree WHERE position = 3")
        XCTAssertThrowsError(try tree.loadIntoMemory()) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .integrity, "\(error)")
        }
    }

    func testNodesRejectUpdateAndDelete() throws {
        let connection = try TransparencyFixtures.makeDatabase()
        let tree = MerkleTree(connection: connection, leafSource: .leafInputTable)
        try tree.append(leafInputs: try randomLeafInputs(4))
        XCTAssertThrowsError(try connection.execute("UPDATE merkle_tree SET hash = zeroblob(32) WHERE position = 0"))
        XCTAssertThrowsError(try connection.execute("DELETE FROM merkle_tree WHERE position = 2"))
        XCTAssertEqual(try tree.size(), 4)
    }

    func testMissingNodeIsAnIntegrityError() throws {
        let connection = try TransparencyFixtures.makeDatabase()
        let tree = MerkleTree(connection: connection, leafSource: .leafInputTable)
        try tree.append(leafInputs: try randomLeafInputs(4))
        try connection.execute("DROP TRIGGER merkle_tree_no_delete")
        try connection.execute("DELETE FROM merkle_tree WHERE position = 0")
        XCTAssertThrowsError(try tree.root(size: 3)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .integrity, "\(error)")
        }
        XCTAssertThrowsError(try tree.inclusionProof(leafIndex: 3, treeSize: 4)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .integrity, "\(error)")
        }
    }

    // MARK: - Pending entries

    /// Inserts placeholder entry rows: the tree reads only seq and entry_hash.
    private func insertEntries(_ connection: Connection, sequences: ClosedRange<Int>) throws -> [[UInt8]] {
        var hashes: [[UInt8]] = []
        for sequence in sequences {
            let hash = try SecureRandom.bytes(count: 32)
            try connection.run("""
                INSERT INTO entries (seq, recorded_at, kind, actor, canonical, prev_hash, entry_hash, signer_kid, signature)
                VALUES (?, '2024-01-01T00:00:00.000Z', 'note', 'test', x'7B7D', zeroblob(32), ?, 'kid', 'sig')
                """, [.integer(Int64(sequence)), .blob(hash)])
            hashes.append(hash)
        }
        return hashes
    }

    func testAppendPendingEntriesAddsEntriesInOrder() throws {
        let connection = try TransparencyFixtures.makeDatabase()
        let tree = MerkleTree(connection: connection)
        var entryHashes = try insertEntries(connection, sequences: 1...5)
        // The tree without rows already covers one leaf, because a single leaf needs no row.
        XCTAssertEqual(try tree.size(), 1)
        XCTAssertEqual(try tree.appendPendingEntries(), 4)
        entryHashes += try insertEntries(connection, sequences: 6...11)
        XCTAssertEqual(try tree.appendPendingEntries(), 6)
        XCTAssertEqual(try tree.appendPendingEntries(), 0)

        XCTAssertEqual(try tree.size(), 11)
        let leafHashes = entryHashes.map { MerkleTree.leafHash(leafInput: $0) }
        XCTAssertEqual(try tree.root(size: 11), MerkleTree.root(leafHashes: leafHashes))
        XCTAssertEqual(try tree.leafHash(at: 10), leafHashes[10])
    }

    func testAppendPendingEntriesRejectsSequenceGap() throws {
        let connection = try TransparencyFixtures.makeDatabase()
        _ = try insertEntries(connection, sequences: 1...2)
        _ = try insertEntries(connection, sequences: 4...4)
        XCTAssertThrowsError(try MerkleTree(connection: connection).appendPendingEntries()) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .integrity, "\(error)")
        }
    }

    func testAppendPendingEntriesRejectsTreeLongerThanLedger() throws {
        let connection = try TransparencyFixtures.makeDatabase()
        let tree = MerkleTree(connection: connection)
        _ = try insertEntries(connection, sequences: 1...4)
        XCTAssertEqual(try tree.appendPendingEntries(), 3)
        try connection.execute("DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE seq > 2")
        XCTAssertThrowsError(try tree.appendPendingEntries()) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .integrity, "\(error)")
        }
    }

    // MARK: - Ledger

    private func makeLedger(_ directory: TemporaryDirectory) throws -> (Ledger, SigningKey) {
        let signingKey = try SigningKey.generate(.edDSA)
        let ledger = try Ledger.create(at: directory.path("ledger.db"), signingKey: signingKey, actor: "merkle-test")
        return (ledger, signingKey)
    }

    private func entryLeafHashes(_ ledger: Ledger) throws -> [[UInt8]] {
        var hashes: [[UInt8]] = []
        try ledger.entries { hashes.append(MerkleTree.leafHash(leafInput: $0.hash)) }
        return hashes
    }

    func testLedgerAppendsKeepTreeComplete() throws {
        let directory = try TemporaryDirectory(self)
        let (ledger, signingKey) = try makeLedger(directory)
        try ledger.append(Event(kind: .note, actor: "alice", body: ["text": "one"]), signingKey: signingKey)
        try ledger.append((0..<9).map { try Event(kind: .note, actor: "bob", body: ["n": .number(Double($0))]) },
                          signingKey: signingKey)

        let tree = ledger.merkleTree()
        let leafHashes = try entryLeafHashes(ledger)
        XCTAssertEqual(leafHashes.count, 11)
        XCTAssertEqual(try tree.size(), 11)
        XCTAssertEqual(try tree.root(size: 11), MerkleTree.root(leafHashes: leafHashes))
        XCTAssertEqual(try ledger.updateMerkleTree(), 0)
    }

    func testLedgerAppendRejectsTreeAheadOfEntries() throws {
        let directory = try TemporaryDirectory(self)
        let (ledger, signingKey) = try makeLedger(directory)
        let raw = try Connection(path: ledger.path, mode: .readWrite)
        try raw.run("INSERT INTO merkle_tree (position, hash) VALUES (0, zeroblob(32))")

        XCTAssertThrowsError(try ledger.append(Event(kind: .note, actor: "alice", body: ["text": "one"]), signingKey: signingKey)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .integrity, "\(error)")
        }
        XCTAssertEqual(try ledger.head()?.sequence, 1, "the failed append left no entry behind")
    }

    func testSchemaTwoLedgerMigratesToPositions() throws {
        let directory = try TemporaryDirectory(self)
        let (ledger, signingKey) = try makeLedger(directory)
        try ledger.append((0..<12).map { try Event(kind: .note, actor: "alice", body: ["n": .number(Double($0))]) },
                          signingKey: signingKey)
        let path = ledger.path
        let root = try ledger.merkleTree().root(size: 13)
        let leafHashes = try entryLeafHashes(ledger)

        // Turn the file back into a schema 2 ledger: every perfect subtree,
        // leaves included, as a merkle_nodes (level, idx) row.
        let raw = try Connection(path: path, mode: .readWrite)
        try raw.execute("DROP TABLE merkle_tree")
        try raw.execute(embeddedSchemaMigrations[1].sql)
        var level = leafHashes
        var levelNumber = 0
        while !level.isEmpty {
            for (index, hash) in level.enumerated() {
                try raw.run("INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)",
                            [.integer(Int64(levelNumber)), .integer(Int64(index)), .blob(hash)])
            }
            level = stride(from: 0, to: level.count - 1, by: 2).map { MerkleTree.interiorHash(left: level[$0], right: level[$0 + 1]) }
            levelNumber += 1
        }
        try raw.execute("PRAGMA user_version = 2")

        XCTAssertThrowsError(try Ledger(path: path, readOnly: true).merkleTree().size(), "read-only opens do not migrate") { error in
            XCTAssertEqual((error as? LedgerError)?.code, .notAllowed, "\(error)")
        }

        let migrated = try Ledger(path: path)
        XCTAssertEqual(try raw.query("PRAGMA user_version").first?.int(0), 3)
        XCTAssertTrue(try raw.query("SELECT name FROM sqlite_master WHERE name = 'merkle_nodes'").isEmpty)
        XCTAssertEqual(try raw.query("SELECT count(*), max(position) FROM merkle_tree").first?.int(0), 13 - 3)
        XCTAssertEqual(try migrated.merkleTree().size(), 13)
        XCTAssertEqual(try migrated.merkleTree().root(size: 13), root)
        XCTAssertEqual(try migrated.updateMerkleTree(), 0)
        XCTAssertTrue(try migrated.verify().merkleTreeChecked)

        try migrated.append(Event(kind: .note, actor: "alice", body: ["text": "after migration"]), signingKey: signingKey)
        XCTAssertEqual(try migrated.merkleTree().root(size: 14), MerkleTree.root(leafHashes: try entryLeafHashes(migrated)))
    }

    func testMigratedLedgerIsBackfilled() throws {
        let directory = try TemporaryDirectory(self)
        let (ledger, signingKey) = try makeLedger(directory)
        try ledger.append((0..<6).map { try Event(kind: .note, actor: "alice", body: ["n": .number(Double($0))]) },
                          signingKey: signingKey)
        let path = ledger.path

        // Turn the file back into a schema 1 ledger: entries but no tree.
        let raw = try Connection(path: path, mode: .readWrite)
        try raw.execute("DROP TABLE merkle_tree")
        try raw.execute("PRAGMA user_version = 1")

        let migrated = try Ledger(path: path)
        XCTAssertEqual(try migrated.merkleTree().size(), 7, "migration 3 fills the tree in for the existing entries")
        XCTAssertEqual(try migrated.updateMerkleTree(), 0)
        let leafHashes = try entryLeafHashes(migrated)
        XCTAssertEqual(try migrated.merkleTree().root(size: 7), MerkleTree.root(leafHashes: leafHashes))

        // A tree that falls behind anyway (here: emptied by hand) is filled in by the next append.
        try raw.execute("DROP TRIGGER IF EXISTS merkle_tree_no_delete")
        try raw.execute("DELETE FROM merkle_tree")
        let migratedAgain = try Ledger(path: path)
        try migratedAgain.append(Event(kind: .note, actor: "alice", body: ["text": "after migration"]), signingKey: signingKey)
        let allLeafHashes = try entryLeafHashes(migratedAgain)
        XCTAssertEqual(try migratedAgain.merkleTree().size(), 8)
        XCTAssertEqual(try migratedAgain.merkleTree().root(size: 8), MerkleTree.root(leafHashes: allLeafHashes))
    }
}
