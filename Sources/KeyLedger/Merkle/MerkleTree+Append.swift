import OpenSSLBridge
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
    /// appender saw, from an ``Edge`` that an earlier appender left, or else
    /// from one read of the table and the leaf inputs.
    struct NodeAppender {
        /// The state an appender leaves after its last leaf: enough to append
        /// the next leaf without reading any sibling.
        struct Edge {
            let size: Int
            fileprivate let latest: LatestNodes
            fileprivate let previousLeaf: (index: Int, input: [UInt8])?
        }

        let store: MerkleNodeStore
        /// The number of leaves after the appends so far.
        private(set) var size: Int
        private var latest = LatestNodes()
        /// The latest leaf input seen, as (leaf index, input), hashed only if a later leaf needs it.
        private var previousLeaf: (index: Int, input: [UInt8])?
        /// Whether the stored rows were checked against `size`, which happens before the first write.
        private var checkedStoredRows = false

        init(store: MerkleNodeStore, size: Int) {
            self.store = store
            self.size = size
        }

        /// Creates an appender that continues from `edge`. It still checks
        /// the stored row count before its first write.
        init(store: MerkleNodeStore, resuming edge: Edge) {
            self.store = store
            self.size = edge.size
            self.latest = edge.latest
            self.previousLeaf = edge.previousLeaf
        }

        /// The state after the leaves appended so far.
        var edge: Edge {
            Edge(size: size, latest: latest, previousLeaf: previousLeaf)
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
                var hash = store.leafHash(leafInput: leafInput)
                for level in 1...completedLevels {
                    hash = store.interiorHash(left: siblings[level - 1], right: hash)
                    let node = MerkleNode(level: level, index: index >> level)
                    try store.insert(node, hash: hash)
                    latest.set(level: level, index: node.index, hash: hash)
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
            var siblings: [[UInt8]] = []
            siblings.reserveCapacity(levels)
            var missing: [MerkleNode] = []
            for level in 0..<levels {
                let sibling = MerkleNode(level: level, index: (index >> level) - 1)
                if level == 0, let previousLeaf, previousLeaf.index == sibling.index {
                    siblings.append(store.leafHash(leafInput: previousLeaf.input))
                } else if level > 0, let hash = latest.hash(level: level, index: sibling.index) {
                    siblings.append(hash)
                } else {
                    siblings.append([])
                    missing.append(sibling)
                }
            }
            if !missing.isEmpty {
                for (node, hash) in zip(missing, try store.hashes(of: missing)) {
                    siblings[node.level] = hash
                }
            }
            return siblings
        }
    }

    /// The latest interior node computed at each level, as an index and a hash.
    ///
    /// Two arrays that grow to the highest level reached, rather than one
    /// array of optional tuples, because an array of optional tuples costs
    /// a generic destroy call per element each time an appender is freed.
    fileprivate struct LatestNodes {
        /// Node indices by level, -1 where no node was computed. Level 0 is unused.
        private var indices: [Int] = []
        private var hashes: [[UInt8]] = []

        func hash(level: Int, index: Int) -> [UInt8]? {
            guard level < indices.count, indices[level] == index else { return nil }
            return hashes[level]
        }

        mutating func set(level: Int, index: Int, hash: [UInt8]) {
            while indices.count <= level {
                indices.append(-1)
                hashes.append([])
            }
            indices[level] = index
            hashes[level] = hash
        }
    }

    /// The state that appends through one ``Ledger`` (or one benchmark
    /// connection) keep between calls: the right edge of the tree after the
    /// latest append, a SHA-256 context and the two statements that every
    /// writing append runs.
    ///
    /// An edge is used only when the next append starts right after it and
    /// the entry before that append has the entry hash that the edge's last
    /// leaf had. Each entry hash covers the one before it, so a match means
    /// the ledger still has the entries that the edge was computed from. An
    /// append by another process, or an append of this one that rolled
    /// back, leaves a different head, and the appender then reads the
    /// siblings from the table as without an edge. The stored row count is
    /// checked before every write either way.
    final class AppendState {
        /// The connection that the statements belong to. A tree that uses this state must use it too.
        let connection: Connection
        private(set) var edge: NodeAppender.Edge?
        let digest = ReusableDigest(.sha256)
        private var insertStatement: Statement?
        private var rowCountStatement: Statement?

        init(connection: Connection) {
            self.connection = connection
        }

        /// Returns the compiled `INSERT INTO merkle_tree` statement, compiling it on first use.
        func insertNode() throws -> Statement {
            if let insertStatement { return insertStatement }
            let statement = try connection.prepare(MerkleNodeStore.insertSQL)
            insertStatement = statement
            return statement
        }

        /// Returns the compiled statement that reads the largest position, compiling it on first use.
        func readRowCount() throws -> Statement {
            if let rowCountStatement { return rowCountStatement }
            let statement = try connection.prepare(MerkleNodeStore.rowCountSQL)
            rowCountStatement = statement
            return statement
        }

        /// Returns the stored edge if it ends at leaf `size - 1` with leaf input `lastLeafInput`.
        func matchingEdge(size: Int, lastLeafInput: [UInt8]) -> NodeAppender.Edge? {
            guard let edge, edge.size == size, let last = edge.previousLeaf,
                  last.index == size - 1, last.input == lastLeafInput else { return nil }
            return edge
        }

        func store(_ edge: NodeAppender.Edge?) {
            self.edge = edge
        }
    }
}
