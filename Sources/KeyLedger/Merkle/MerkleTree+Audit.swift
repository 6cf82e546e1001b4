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

        /// The number of leaves stored, which is smaller than ``entryCount``
        /// only before a migrated ledger's tree is filled in.
        let leafCount: Int
        let entryCount: Int
        /// The first disagreement found, or nil when every node matches.
        let discrepancy: Discrepancy?
    }

    /// Compares every stored node with the hash recomputed from the entries.
    ///
    /// Each leaf must equal SHA-256(0x00 || entry hash) of its entry, each
    /// interior node the hash of its two stored children, and each level must
    /// hold exactly one row per perfect subtree of the stored size. The root
    /// of the stored tree must then equal the root that a ``MerkleFrontier``
    /// computes from the entry hashes. An edited, missing or extra row is
    /// therefore found wherever it sits, not only on the path to the root.
    ///
    /// The check reads each entry hash and each node row about twice, inside
    /// one read transaction, in time proportional to the ledger's size and
    /// constant memory.
    /// - Throws: `LedgerError.Code.notAllowed` when the ledger has no
    ///   `merkle_nodes` table; `storage` on a database error.
    func audit() throws -> Audit {
        try storage(path) {
            try store.reading {
                let entryCount = try newestSequence()
                let leafCount = try store.leafCount()
                guard leafCount <= entryCount else {
                    let removed = entryCount + 1 == leafCount ? "entry \(leafCount) was" : "entries \(entryCount + 1) to \(leafCount) were"
                    return Audit(leafCount: leafCount, entryCount: entryCount, discrepancy: .init(
                        sequence: Int64(entryCount) + 1,
                        detail: "the Merkle tree has \(leafCount) leaves, but the ledger has only \(entryCount) entries: \(removed) removed from the end"))
                }
                var frontier = MerkleFrontier()
                let discrepancy = try auditLeaves(count: leafCount, frontier: &frontier)
                    ?? auditInteriorNodes(leafCount: leafCount)
                    ?? auditRoot(leafCount: leafCount, entriesRoot: frontier.root())
                return Audit(leafCount: leafCount, entryCount: entryCount, discrepancy: discrepancy)
            }
        }
    }

    /// Compares each stored leaf with the leaf hash of its entry, and appends
    /// the entries' leaf hashes to `frontier`.
    private func auditLeaves(count: Int, frontier: inout MerkleFrontier) throws -> Audit.Discrepancy? {
        let select = try store.connection.prepare("""
            SELECT e.seq, e.entry_hash, m.hash FROM entries AS e
            LEFT JOIN merkle_nodes AS m ON m.level = 0 AND m.idx = e.seq - 1
            WHERE e.seq <= ? ORDER BY e.seq
            """)
        try select.bind([.integer(Int64(count))])
        var expected: Int64 = 1
        var found: Audit.Discrepancy?
        try select.forEachRow { row in
            guard found == nil else { return }
            let sequence = row.int64(0)
            guard sequence == expected, let entryHash = row.bytes(1), entryHash.count == MerkleTree.hashByteCount else {
                found = .init(sequence: expected, detail: "entry \(expected) is missing or has a malformed hash, so its Merkle tree leaf cannot be checked")
                return
            }
            let leafHash = MerkleTree.leafHash(leafInput: entryHash)
            if let mismatch = Self.compare(stored: row.bytes(2), expected: leafHash, level: 0, index: Int(sequence - 1)) {
                found = mismatch
                return
            }
            frontier.append(leafHash: leafHash)
            expected += 1
        }
        if found == nil, expected <= Int64(count) {
            found = .init(sequence: expected, detail: "entry \(expected) is missing, so its Merkle tree leaf cannot be checked")
        }
        return found
    }

    /// Compares each stored interior node with the hash of its two stored
    /// children, level by level from the bottom, so each level is checked
    /// against one that was checked before it.
    private func auditInteriorNodes(leafCount: Int) throws -> Audit.Discrepancy? {
        let select = try store.connection.prepare("""
            SELECT p.idx, p.hash, l.hash, r.hash FROM merkle_nodes AS p
            LEFT JOIN merkle_nodes AS l ON l.level = p.level - 1 AND l.idx = 2 * p.idx
            LEFT JOIN merkle_nodes AS r ON r.level = p.level - 1 AND r.idx = 2 * p.idx + 1
            WHERE p.level = ? ORDER BY p.idx
            """)
        var level = 1
        while leafCount >> level > 0 {
            let count = leafCount >> level
            try select.bind([.integer(Int64(level))])
            var expected = 0
            var found: Audit.Discrepancy?
            try select.forEachRow { row in
                guard found == nil else { return }
                let index = row.int(0)
                guard index < count else {
                    found = expected < count
                        ? Self.absence(level: level, index: expected, of: "missing")
                        : Self.absence(level: level, index: index, of: "extra")
                    return
                }
                guard index == expected else {
                    found = Self.absence(level: level, index: expected, of: "missing")
                    return
                }
                guard let left = row.bytes(2), let right = row.bytes(3) else {
                    found = Self.absence(level: level - 1, index: 2 * index, of: "missing")
                    return
                }
                found = Self.compare(stored: row.bytes(1), expected: MerkleTree.interiorHash(left: left, right: right),
                                     level: level, index: index)
                expected += 1
            }
            if let found { return found }
            if expected < count { return Self.absence(level: level, index: expected, of: "missing") }
            level += 1
        }
        let highest = try store.connection.query("SELECT max(level), min(idx) FROM merkle_nodes WHERE level >= ?",
                                                 [.integer(Int64(level))]).first
        if let highest, !highest.isNull(0) {
            return Self.absence(level: highest.int(0), index: highest.int(1), of: "extra")
        }
        return nil
    }

    /// Compares the root of the stored tree with the root computed from the entries.
    private func auditRoot(leafCount: Int, entriesRoot: [UInt8]) throws -> Audit.Discrepancy? {
        let storedRoot = try subtreeHash(0..<leafCount)
        guard storedRoot != entriesRoot else { return nil }
        return .init(sequence: Int64(leafCount),
                     detail: "the stored Merkle tree has root \(hexString(storedRoot)) at size \(leafCount), but the entries give \(hexString(entriesRoot))")
    }

    private static func compare(stored: [UInt8]?, expected: [UInt8], level: Int, index: Int) -> Audit.Discrepancy? {
        guard let stored else { return absence(level: level, index: index, of: "missing") }
        guard stored != expected else { return nil }
        return .init(sequence: firstSequence(level: level, index: index),
                     detail: "the merkle_nodes row at level \(level), index \(index) (\(coverage(level: level, index: index))) has hash \(hexString(stored)), but the entries give \(hexString(expected)): the row was altered")
    }

    private static func absence(level: Int, index: Int, of problem: String) -> Audit.Discrepancy {
        .init(sequence: firstSequence(level: level, index: index),
              detail: "the merkle_nodes row at level \(level), index \(index) (\(coverage(level: level, index: index))) is \(problem)")
    }

    /// Returns the sequence number of the first entry under the node, or
    /// Int64.max for an extra row beyond any possible ledger.
    private static func firstSequence(level: Int, index: Int) -> Int64 {
        let (first, overflow) = index.multipliedReportingOverflow(by: 1 << level)
        return overflow || first == Int.max ? Int64.max : Int64(first + 1)
    }

    /// Names the entries that the perfect subtree at `level`, `index` covers.
    private static func coverage(level: Int, index: Int) -> String {
        let first = firstSequence(level: level, index: index)
        let width = Int64(1) << level
        guard first <= Int64.max - width else { return "beyond the largest possible tree" }
        let last = first + width - 1
        return first == last ? "entry \(first)" : "entries \(first) to \(last)"
    }
}
