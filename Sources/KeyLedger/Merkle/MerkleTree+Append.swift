extension MerkleTree {
    /// Appends leaves after the current last leaf, without looking at the
    /// entries table. The caller must have begun a write transaction.
    ///
    /// Only tests build trees this way. For a ledger, the leaves must be
    /// exactly its entry hashes in sequence order, which ``append(_:)`` and
    /// ``appendPendingEntries()`` guarantee.
    func append(leafInputs: [[UInt8]]) throws {
        try storage(path) {
            var appender = NodeAppender(store: store, size: try store.leafCount())
            for input in leafInputs {
                try appender.append(leafHash: MerkleTree.leafHash(leafInput: input))
            }
        }
    }

    /// Writes new leaves and the perfect subtrees they complete, reading
    /// from the table only the left siblings that an earlier append wrote.
    ///
    /// Appending leaf i merges it with one left sibling for each trailing 1
    /// bit of i, so a single append reads one node on average, and a batch
    /// reads at most one per level, because later merges use nodes the batch
    /// itself wrote.
    struct NodeAppender {
        let store: MerkleNodeStore
        /// The number of leaves after the appends so far.
        private(set) var size: Int
        /// The latest node written at each level, as (index, hash).
        private var latest: [(index: Int, hash: [UInt8])?] = Array(repeating: nil, count: Int.bitWidth)

        init(store: MerkleNodeStore, size: Int) {
            self.store = store
            self.size = size
        }

        mutating func append(leafHash: [UInt8]) throws {
            var hash = leafHash
            var level = 0
            var index = size
            try write(level: level, index: index, hash: hash)
            while index & 1 == 1 {
                let left = try leftSibling(level: level, index: index - 1)
                hash = MerkleTree.interiorHash(left: left, right: hash)
                level += 1
                index >>= 1
                try write(level: level, index: index, hash: hash)
            }
            size += 1
        }

        private mutating func write(level: Int, index: Int, hash: [UInt8]) throws {
            try store.insertNode(level: level, index: index, hash: hash)
            latest[level] = (index, hash)
        }

        private func leftSibling(level: Int, index: Int) throws -> [UInt8] {
            if let written = latest[level], written.index == index {
                return written.hash
            }
            return try store.node(level: level, index: index)
        }
    }
}
