import SQLiteBridge

extension MerkleTree {
    /// The outcome of comparing every stored node with the entries.
    struct Audit {
        /// A stored node that disagrees with the entries.
        struct Discrepancy {
            /// The first entry that the node covers.
            let sequence: Int64
            let detail: String
        }

        /// The number of leaves the stored tree covers, which is smaller than
        /// ``entryCount`` only when its rows were not filled in.
        let leafCount: Int
        let entryCount: Int
        /// The first disagreement found, or nil when every node matches.
        let discrepancy: Discrepancy?
    }

    /// Compares every stored node with the hash recomputed from the entries.
    ///
    /// The entries' leaf hashes are folded into interior nodes in the order
    /// appends write them, which is `merkle_tree`'s position order, and each
    /// node is compared with the next stored row. So an edited, missing or
    /// extra row is found wherever it sits, not only on the path to the
    /// root, and the stored tree's root then equals the entries' root.
    /// Leaves are not stored: they are the entry hashes, which the chain
    /// check covers.
    ///
    /// The check reads each entry hash and each row once, inside one read
    /// transaction, in time proportional to the ledger's size and constant
    /// memory.
    /// - Throws: `LedgerError.Code.notAllowed` when the ledger has no
    ///   `merkle_tree` table; `integrity` when an entry is missing or its
    ///   hash is not 32 bytes; `storage` on a database error.
    func audit() throws -> Audit {
        try storage(path) {
            try store.reading {
                let counts = try store.counts()
                let entryCount = counts.leafInputs
                // A row count that no tree has means rows are missing from the
                // end; the comparison below finds the first one.
                let leafCount = (try? MerkleNodeStore.treeSize(interiorNodeCount: counts.interiorNodes,
                                                               leafInputCount: entryCount)) ?? entryCount
                guard leafCount <= entryCount else {
                    // The rows of 2m and 2m + 1 leaves are the same, so the rows cannot tell which it was.
                    let sizes = MerkleNode.leafCounts(interiorCount: counts.interiorNodes).map(String.init).joined(separator: " or ")
                    return Audit(leafCount: leafCount, entryCount: entryCount, discrepancy: .init(
                        sequence: Int64(entryCount) + 1,
                        detail: "merkle_tree has the \(counts.interiorNodes) rows of a tree of \(sizes) leaves, but the ledger has only \(entryCount) entries: the entries from \(entryCount + 1) on were removed from the end, or rows were added"))
                }
                return Audit(leafCount: leafCount, entryCount: entryCount,
                             discrepancy: try compareRows(leafCount: leafCount))
            }
        }
    }

    /// Compares the rows of `merkle_tree` with the interior nodes of the
    /// tree of the first `leafCount` entries, in position order.
    private func compareRows(leafCount: Int) throws -> Audit.Discrepancy? {
        let rows = try store.connection.prepare("SELECT position, hash FROM merkle_tree ORDER BY position")
        try rows.bind([])
        var position = 0
        var found: Audit.Discrepancy?
        // The perfect subtrees so far, largest first, as (level, hash).
        var subtrees: [(level: Int, hash: [UInt8])] = []
        var leafIndex = 0
        try forEachEntryHash(after: 0, through: leafCount) { entryHash in
            guard found == nil else { return }
            var hash = MerkleTree.leafHash(leafInput: entryHash)
            var level = 0
            while let last = subtrees.last, last.level == level {
                subtrees.removeLast()
                hash = MerkleTree.interiorHash(left: last.hash, right: hash)
                level += 1
                let node = MerkleNode(level: level, index: leafIndex >> level)
                guard let row = try rows.step(), row.int(0) == position else {
                    found = Self.discrepancy(node, position: position, "is missing")
                    return
                }
                guard row.bytes(1) == hash else {
                    found = Self.discrepancy(node, position: position,
                        "has hash \(hexString(row.bytes(1) ?? [])), but the entries give \(hexString(hash)): the row was altered")
                    return
                }
                position += 1
            }
            subtrees.append((level, hash))
            leafIndex += 1
        }
        if found == nil, let extra = try rows.step() {
            found = .init(sequence: Int64(leafCount) + 1,
                          detail: "the merkle_tree row \(extra.int(0)) is extra: a tree of \(leafCount) leaves has only \(position) rows")
        }
        while try rows.step() != nil {}
        return found
    }

    private static func discrepancy(_ node: MerkleNode, position: Int, _ problem: String) -> Audit.Discrepancy {
        .init(sequence: Int64(node.index) * (Int64(1) << node.level) + 1,
              detail: "the merkle_tree row \(position) (\(MerkleNodeStore.describe(node))) \(problem)")
    }
}
