import OpenSSLBridge
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
                try Auditor(tree: self).finish()
            }
        }
    }

    /// Compares the rows of `merkle_tree` with the interior nodes of the tree
    /// of entry hashes that the caller adds in sequence order, as
    /// ``audit()`` describes.
    ///
    /// `Ledger.verify` adds the entry hashes that its chain check has just
    /// read and checked, so each entry row is read once. ``finish()`` reads
    /// from the table the entry hashes of any leaves not added. The caller
    /// must hold one read transaction from `init` to `finish()`, so that the
    /// counts, the rows and the entries come from one snapshot.
    final class Auditor {
        /// The number of leaves the stored tree covers, which is smaller than
        /// ``entryCount`` only when its rows were not filled in.
        let leafCount: Int
        let entryCount: Int
        /// The first disagreement found, or nil while every node compared matches.
        private(set) var discrepancy: Audit.Discrepancy?
        /// The number of leaves added so far, up to ``leafCount``.
        private(set) var addedLeafCount = 0

        private let tree: MerkleTree
        private let rows: Statement
        /// The position of the next stored row to compare.
        private var position = 0
        /// The perfect subtrees so far, largest first, as (level, hash).
        private var subtrees: [(level: Int, hash: NodeHash)] = []
        private let digest = ReusableDigest(.sha256)

        /// Reads the row and entry counts and starts reading the rows.
        /// - Throws: `LedgerError.Code.notAllowed` when the ledger has no
        ///   `merkle_tree` table; `SQLiteError` on a database error.
        init(tree: MerkleTree) throws {
            self.tree = tree
            let counts = try tree.store.counts()
            entryCount = counts.leafInputs
            // A row count that no tree has means rows are missing from the
            // end; the comparison finds the first one.
            leafCount = (try? MerkleNodeStore.treeSize(interiorNodeCount: counts.interiorNodes,
                                                       leafInputCount: entryCount)) ?? entryCount
            rows = try tree.store.connection.prepare("SELECT position, hash FROM merkle_tree ORDER BY position")
            try rows.bind([])
            if leafCount > entryCount {
                // The rows of 2m and 2m + 1 leaves are the same, so the rows cannot tell which it was.
                let sizes = MerkleNode.leafCounts(interiorCount: counts.interiorNodes).map(String.init).joined(separator: " or ")
                discrepancy = .init(
                    sequence: Int64(entryCount) + 1,
                    detail: "merkle_tree has the \(counts.interiorNodes) rows of a tree of \(sizes) leaves, but the ledger has only \(entryCount) entries: the entries from \(entryCount + 1) on were removed from the end, or rows were added")
            }
        }

        /// Adds the entry hash of the next entry, leaf ``addedLeafCount``, and
        /// compares each interior node it completes with the next stored row.
        ///
        /// Does nothing once a discrepancy is found or every leaf of the
        /// stored tree is added.
        /// - Throws: `LedgerError.Code.integrity` when `entryHash` is not 32
        ///   bytes; `SQLiteError` on a database error.
        func add(entryHash: UnsafeRawBufferPointer) throws {
            guard discrepancy == nil, addedLeafCount < leafCount else { return }
            guard entryHash.count == MerkleTree.hashByteCount else {
                throw LedgerError(.integrity, "entry \(addedLeafCount + 1) has an entry hash that is not 32 bytes: run `keyledger verify`")
            }
            var hash = leafHash(leafInput: entryHash)
            var level = 0
            while let last = subtrees.last, last.level == level {
                subtrees.removeLast()
                hash = interiorHash(left: last.hash, right: hash)
                level += 1
                let node = MerkleNode(level: level, index: addedLeafCount >> level)
                guard try rows.advance(), rows.int64(0) == Int64(position) else {
                    discrepancy = Self.discrepancy(node, position: position, "is missing")
                    return
                }
                if let stored = storedHashUnlessEqual(to: hash) {
                    discrepancy = Self.discrepancy(node, position: position,
                        "has hash \(hexString(stored)), but the entries give \(hexString(hash.bytes)): the row was altered")
                    return
                }
                position += 1
            }
            subtrees.append((level, hash))
            addedLeafCount += 1
        }

        /// Adds the leaves not yet added from the entries table, checks that
        /// no row follows the last node, and returns the outcome.
        /// - Throws: `LedgerError.Code.integrity` when an entry that the tree
        ///   covers is missing or its hash is not 32 bytes; `SQLiteError` on
        ///   a database error.
        func finish() throws -> Audit {
            if discrepancy == nil, addedLeafCount < leafCount {
                try tree.forEachEntryHash(after: addedLeafCount, through: leafCount) { entryHash in
                    try entryHash.withUnsafeBytes { try add(entryHash: $0) }
                }
            }
            if discrepancy == nil, try rows.advance() {
                discrepancy = .init(sequence: Int64(leafCount) + 1,
                                    detail: "the merkle_tree row \(rows.int64(0)) is extra: a tree of \(leafCount) leaves has only \(position) rows")
            }
            // Binding again resets the statement, so that it keeps no read snapshot open.
            try rows.bind([])
            return Audit(leafCount: leafCount, entryCount: entryCount, discrepancy: discrepancy)
        }

        /// Returns the current row's hash as ``SQLiteBridge/Row/bytes(_:)``
        /// reads it, an empty array for a value that is neither a blob nor
        /// text, or nil when it equals `nodeHash`.
        private func storedHashUnlessEqual(to nodeHash: NodeHash) -> [UInt8]? {
            let storageClass = rows.storageClass(1)
            return rows.withBytes(1) { bytes -> [UInt8]? in
                if storageClass == .blob, nodeHash.withBytes({ bytes.elementsEqual($0) }) {
                    return nil
                }
                let hash = nodeHash.bytes
                // A Row decodes text as UTF-8, which replaces invalid sequences.
                let stored: [UInt8]? = switch storageClass {
                case .blob: Array(bytes)
                case .text: Array(String(decoding: bytes, as: UTF8.self).utf8)
                default: nil
                }
                return stored == hash ? nil : stored ?? []
            }
        }

        /// Computes SHA-256(0x00 || leafInput), ``MerkleTree/leafHash(leafInput:)``, without allocating an array.
        private func leafHash(leafInput: UnsafeRawBufferPointer) -> NodeHash {
            withUnsafeBytes(of: UInt8(0x00)) { digest.update($0) }
            digest.update(leafInput)
            return NodeHash(finishing: digest)
        }

        /// Computes SHA-256(0x01 || left || right), ``MerkleTree/interiorHash(left:right:)``, without allocating an array.
        private func interiorHash(left: NodeHash, right: NodeHash) -> NodeHash {
            withUnsafeBytes(of: UInt8(0x01)) { digest.update($0) }
            left.withBytes { digest.update($0) }
            right.withBytes { digest.update($0) }
            return NodeHash(finishing: digest)
        }

        private static func discrepancy(_ node: MerkleNode, position: Int, _ problem: String) -> Audit.Discrepancy {
            .init(sequence: Int64(node.index) * (Int64(1) << node.level) + 1,
                  detail: "the merkle_tree row \(position) (\(MerkleNodeStore.describe(node))) \(problem)")
        }
    }
}

/// A 32-byte SHA-256 node hash stored inline, so that an auditor folds
/// leaves into interior nodes without allocating an array per hash.
private struct NodeHash {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// Finishes `digest`'s current message, which must be SHA-256, into a new hash.
    init(finishing digest: ReusableDigest) {
        withUnsafeMutableBytes(of: &words) { digest.finalize(into: $0) }
    }

    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(of: words, body)
    }

    var bytes: [UInt8] { withBytes { Array($0) } }
}
