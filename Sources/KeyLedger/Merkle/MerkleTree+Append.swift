import SQLiteBridge

extension MerkleTree {
    /// Appends leaves with arbitrary leaf inputs after the current last leaf,
    /// storing the inputs in the temporary table `merkle_leaf_inputs`.
    ///
    /// Only tests build trees this way, to check published vectors whose
    /// leaf inputs are not 32-byte entry hashes. The tree must have been
    /// created with the leaf source ``MerkleNodeStore/LeafSource/leafInputTable``.
    /// For a ledger, the leaves must be exactly its entry hashes in sequence
    /// order, which ``append(_:)`` and ``appendPendingEntries()`` guarantee.
    func append(leafInputs: [[UInt8]]) throws {
        precondition(store.leafSource == .leafInputTable, "append(leafInputs:) needs a tree over merkle_leaf_inputs")
        try storage(path) {
            try store.createLeafInputTable()
            var appender = NodeAppender(store: store, size: try store.leafCount())
            let insert = try store.connection.prepare("INSERT INTO merkle_leaf_inputs (seq, entry_hash) VALUES (?, ?)")
            for input in leafInputs {
                try insert.bind([.integer(Int64(appender.size) + 1), .blob(input)])
                while try insert.step() != nil {}
                try appender.append(leafInput: input)
            }
        }
    }

    /// Thrown by ``NodeAppender`` before its first write when `merkle_tree`
    /// does not hold exactly the rows of the tree it appends to.
    struct StoredTreeOutOfStep: Error {
        let storedRows: Int
        let expectedRows: Int
        let size: Int
    }

    /// Writes the interior nodes that new leaves complete, reading from the
    /// table only the left siblings that an earlier append wrote.
    ///
    /// Leaf i completes one subtree for each trailing 1 bit of i: none for
    /// an even i, so half of all single appends write and read nothing. The
    /// new rows of one leaf are consecutive positions at the end of
    /// `merkle_tree`. The left siblings come from the leaves and nodes this
    /// appender saw, or else from one read of the table and the leaf inputs.
    struct NodeAppender {
        let store: MerkleNodeStore
        /// The number of leaves after the appends so far.
        private(set) var size: Int
        /// The latest node computed at each level, as (index, hash). Level 0 is unused.
        private var latest: [(index: Int, hash: [UInt8])?] = Array(repeating: nil, count: Int.bitWidth)
        /// The latest leaf input seen, as (leaf index, input), hashed only if a later leaf needs it.
        private var previousLeaf: (index: Int, input: [UInt8])?
        /// Whether the stored rows were checked against `size`, which happens before the first write.
        private var checkedStoredRows = false

        init(store: MerkleNodeStore, size: Int) {
            self.store = store
            self.size = size
        }

        /// Supplies the input of leaf `size - 1`, so that appending leaf
        /// `size` need not read it back from the entries.
        mutating func setPreviousLeafInput(_ input: [UInt8]) {
            precondition(size > 0, "the empty tree has no previous leaf")
            previousLeaf = (size - 1, input)
        }

        /// Appends leaf `size` with input `leafInput`, writing the interior
        /// nodes it completes.
        /// - Throws: ``StoredTreeOutOfStep`` before writing anything when the
        ///   table does not hold the tree of `size` leaves, and
        ///   `LedgerError.Code.integrity` when a sibling cannot be read.
        mutating func append(leafInput: [UInt8]) throws {
            let index = size
            let completedLevels = (~index).trailingZeroBitCount
            if completedLevels > 0 {
                try checkStoredRows()
                let siblings = try leftSiblings(ofLeaf: index, levels: completedLevels)
                var hash = MerkleTree.leafHash(leafInput: leafInput)
                for level in 1...completedLevels {
                    hash = MerkleTree.interiorHash(left: siblings[level - 1], right: hash)
                    let node = MerkleNode(level: level, index: index >> level)
                    try store.insert(node, hash: hash)
                    latest[level] = (node.index, hash)
                }
            }
            previousLeaf = (index, leafInput)
            size += 1
        }

        private mutating func checkStoredRows() throws {
            guard !checkedStoredRows else { return }
            let stored = try store.interiorNodeCount()
            let expected = MerkleNode.interiorCount(leafCount: size)
            guard stored == expected else {
                throw StoredTreeOutOfStep(storedRows: stored, expectedRows: expected, size: size)
            }
            checkedStoredRows = true
        }

        /// Returns the left siblings of leaf `index` at levels 0 to `levels - 1`,
        /// the nodes it merges with, reading the ones not at hand with one statement.
        private func leftSiblings(ofLeaf index: Int, levels: Int) throws -> [[UInt8]] {
            var siblings: [[UInt8]?] = Array(repeating: nil, count: levels)
            var missing: [MerkleNode] = []
            for level in 0..<levels {
                let sibling = MerkleNode(level: level, index: (index >> level) - 1)
                if level == 0, let previousLeaf, previousLeaf.index == sibling.index {
                    siblings[0] = MerkleTree.leafHash(leafInput: previousLeaf.input)
                } else if level > 0, let written = latest[level], written.index == sibling.index {
                    siblings[level] = written.hash
                } else {
                    missing.append(sibling)
                }
            }
            if !missing.isEmpty {
                for (node, hash) in zip(missing, try store.hashes(of: missing)) {
                    siblings[node.level] = hash
                }
            }
            return siblings.map { $0! }
        }
    }
}
