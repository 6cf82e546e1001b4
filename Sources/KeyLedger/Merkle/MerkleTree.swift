import SQLiteBridge

/// The Merkle tree over a ledger's entries (RFC 9162 section 2.1, SHA-256),
/// kept in the ledger's `merkle_tree` table.
///
/// Leaf i (counted from 0) is the entry with sequence number i + 1, and its
/// leaf input is that entry's 32-byte entry hash. The table stores the hash of
/// every perfect subtree of two or more leaves, and a leaf hash is computed
/// from its entry when needed. So the root of any size up to ``size()`` and
/// every inclusion or consistency proof is built from O(log n) row reads,
/// fetched by one statement, without rehashing more than the leaves involved.
/// An append adds one row per subtree the new leaf completes (none for half
/// of all appends, one per entry on average), in the same transaction as the
/// entries.
///
/// A tree keeps the hashes of the nodes at level 8 and up that it has read
/// outside any transaction, at most 65,536 of them. Later proofs then read
/// only their lower levels from the database: about 8 rows and one entry.
///
/// A tree uses the ledger's database connection, so the same threading rule
/// applies: use it from one thread at a time. Get one from
/// ``Ledger/merkleTree()``.
public struct MerkleTree {
    let store: MerkleNodeStore

    /// Creates a tree over the `merkle_tree` table of `connection`, with
    /// leaf inputs from `leafSource`. Appends continue from the right edge
    /// in `appendState` when it matches the ledger and leave theirs there.
    /// `appendState` must belong to `connection`.
    init(connection: Connection, leafSource: MerkleNodeStore.LeafSource = .entries,
         appendState: AppendState? = nil) {
        self.store = MerkleNodeStore(connection: connection, leafSource: leafSource, appendState: appendState)
    }

    var path: String { store.connection.path }

    /// Returns the number of leaves in the stored tree.
    ///
    /// It is smaller than the number of entries only when rows were deleted
    /// or the tree was never filled in (the migration that adds the tree
    /// fills it in). The next append or ``Ledger/updateMerkleTree()`` then
    /// fills it in.
    /// - Throws: `LedgerError.Code.storage` when the database cannot be read.
    public func size() throws -> Int {
        try storage(path) { try store.leafCount() }
    }

    /// Computes the root hash of the tree of the first `size` leaves,
    /// MTH(D[0:size]) in RFC 9162 section 2.1.1.
    ///
    /// The root of size 0 is ``emptyRoot``.
    ///
    /// Like the proofs, this reads without a transaction of its own: rows and
    /// entries are only ever appended, so every node of a size that the
    /// first read found complete is still there for the second.
    /// - Throws: `LedgerError.Code.invalidInput` when `size` is negative or
    ///   larger than ``size()``, `integrity` when a stored node is missing.
    public func root(size: Int) throws -> [UInt8] {
        try storage(path) {
            try checkTreeSize(size, name: "tree size")
            return try subtreeHash(0..<size)
        }
    }

    /// Returns the leaf hash at `leafIndex`, SHA-256(0x00 || entry hash).
    /// - Throws: `LedgerError.Code.invalidInput` when the tree has no such leaf.
    public func leafHash(at leafIndex: Int) throws -> [UInt8] {
        try storage(path) {
            let count = try store.leafCount()
            guard leafIndex >= 0, leafIndex < count else {
                throw LedgerError(.invalidInput,
                    "leaf index \(leafIndex) does not exist: the Merkle tree has \(count) leaves, numbered from 0")
            }
            return try store.hash(of: MerkleNode(level: 0, index: leafIndex))
        }
    }

    /// Computes the root hash of `leafHashes` in memory (RFC 9162 section 2.1.1).
    ///
    /// Each element is a leaf hash, not a leaf input: pass the results of
    /// ``leafHash(leafInput:)``. An empty array gives ``emptyRoot``.
    public static func root(leafHashes: [[UInt8]]) -> [UInt8] {
        var frontier = MerkleFrontier()
        for hash in leafHashes {
            frontier.append(leafHash: hash)
        }
        return frontier.root()
    }

    /// Throws unless 0 <= `size` <= the stored tree size.
    func checkTreeSize(_ size: Int, name: String) throws {
        guard size >= 0 else {
            throw LedgerError(.invalidInput, "\(name) \(size) is negative: use a size from 0 to the number of leaves")
        }
        guard size > store.knownLeafCount else { return }
        let stored = try store.leafCount()
        guard size <= stored else {
            throw LedgerError(.invalidInput,
                "\(name) \(size) is larger than the Merkle tree, which has \(stored) leaves: use a size from 0 to \(stored)")
        }
    }

    /// Computes the hash of the subtree over `leaves`, MTH(D[start:end]), from
    /// the perfect subtrees it consists of (see ``MerkleNode/perfectParts(of:)``),
    /// read with one statement.
    func subtreeHash(_ leaves: Range<Int>) throws -> [UInt8] {
        try MerkleFrontier.root(ofSubtrees: store.hashes(of: MerkleNode.perfectParts(of: leaves)))
    }
}
