import SQLiteBridge

/// The Merkle tree over a ledger's entries (RFC 9162 section 2.1, SHA-256),
/// kept in the ledger's `merkle_nodes` table.
///
/// Leaf i (counted from 0) is the entry with sequence number i + 1, and its
/// leaf input is that entry's 32-byte entry hash. The table stores the hash of
/// every perfect subtree, so the root of any size up to ``size()`` and every
/// inclusion or consistency proof is built from O(log n) row reads, without
/// rehashing leaves. Appends add about two rows per entry, in the same
/// transaction as the entries.
///
/// A tree uses the ledger's database connection, so the same threading rule
/// applies: use it from one thread at a time. Get one from
/// ``Ledger/merkleTree()``.
public struct MerkleTree {
    let store: MerkleNodeStore

    /// Creates a tree over the `merkle_nodes` table of `connection`.
    init(connection: Connection) {
        self.store = MerkleNodeStore(connection: connection)
    }

    var path: String { store.connection.path }

    /// Returns the number of leaves in the stored tree.
    ///
    /// Right after a ledger is migrated to the schema that added the tree,
    /// this can be smaller than the number of entries until the next append
    /// or ``Ledger/updateMerkleTree()`` fills the tree in.
    /// - Throws: `LedgerError.Code.storage` when the database cannot be read.
    public func size() throws -> Int {
        try storage(path) { try store.leafCount() }
    }

    /// Computes the root hash of the tree of the first `size` leaves,
    /// MTH(D[0:size]) in RFC 9162 section 2.1.1.
    ///
    /// The root of size 0 is ``emptyRoot``.
    /// - Throws: `LedgerError.Code.invalidInput` when `size` is negative or
    ///   larger than ``size()``, `integrity` when a stored node is missing.
    public func root(size: Int) throws -> [UInt8] {
        try storage(path) {
            try store.reading {
                try checkTreeSize(size, name: "tree size")
                return try subtreeHash(0..<size)
            }
        }
    }

    /// Returns the leaf hash at `leafIndex`, SHA-256(0x00 || entry hash).
    /// - Throws: `LedgerError.Code.invalidInput` when the tree has no such leaf.
    public func leafHash(at leafIndex: Int) throws -> [UInt8] {
        try storage(path) {
            try store.reading {
                let count = try store.leafCount()
                guard leafIndex >= 0, leafIndex < count else {
                    throw LedgerError(.invalidInput,
                        "leaf index \(leafIndex) does not exist: the Merkle tree has \(count) leaves, numbered from 0")
                }
                return try store.node(level: 0, index: leafIndex)
            }
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
        let stored = try store.leafCount()
        guard size <= stored else {
            throw LedgerError(.invalidInput,
                "\(name) \(size) is larger than the Merkle tree, which has \(stored) leaves: use a size from 0 to \(stored)")
        }
    }

    /// Computes the hash of the subtree over `leaves`, MTH(D[start:end]), from
    /// the stored perfect subtrees it consists of.
    ///
    /// Every subtree that the RFC 9162 recursion visits starts at a multiple
    /// of the size of its largest perfect part, so splitting `leaves` into
    /// perfect parts from the left, largest first, lands on stored nodes.
    func subtreeHash(_ leaves: Range<Int>) throws -> [UInt8] {
        var parts: [[UInt8]] = []
        var start = leaves.lowerBound
        var remaining = leaves.count
        while remaining > 0 {
            let level = Int.bitWidth - 1 - remaining.leadingZeroBitCount
            let width = 1 << level
            precondition(start % width == 0, "subtree \(leaves) is not one that the RFC 9162 recursion visits")
            parts.append(try store.node(level: level, index: start >> level))
            start += width
            remaining -= width
        }
        return MerkleFrontier.root(ofSubtrees: parts)
    }
}
