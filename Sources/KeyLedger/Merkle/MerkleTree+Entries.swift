extension MerkleTree {
    /// Adds `entries`, which the caller has just inserted, as the next leaves.
    ///
    /// The ledger calls this inside its write transaction right after the
    /// inserts, so the new nodes commit or roll back with the entries. The
    /// first entry must directly follow the tree's last leaf. When the tree
    /// is behind, as on the first append after a ledger is migrated from a
    /// schema without the tree, this fills in every missing entry from the
    /// entries table instead, these ones included.
    /// - Throws: `LedgerError.Code.integrity` when the sequence numbers have a
    ///   gap, an entry hash is not 32 bytes, or the tree already has a leaf
    ///   for the first entry.
    func append(_ entries: [Entry]) throws {
        guard let first = entries.first else { return }
        try storage(path) {
            let size = Int(first.sequence) - 1
            if size > 0, try store.nodeIfPresent(level: 0, index: size - 1) == nil {
                try appendPendingEntries()
                return
            }
            var appender = NodeAppender(store: store, size: size)
            for entry in entries {
                guard entry.sequence == Int64(appender.size) + 1 else {
                    throw LedgerError(.integrity,
                        "entry \(entry.sequence) does not follow entry \(appender.size): entries must be appended to the Merkle tree in sequence order")
                }
                guard entry.hash.count == MerkleTree.hashByteCount else {
                    throw LedgerError(.integrity, "entry \(entry.sequence) has an entry hash that is not 32 bytes")
                }
                try appender.append(leafHash: MerkleTree.leafHash(leafInput: entry.hash))
            }
        }
    }

    /// Appends every entry that is not yet a leaf, in sequence order, and
    /// returns how many leaves were added.
    ///
    /// This fills in the tree of a ledger migrated from a schema without it.
    /// The caller must have begun a write transaction.
    /// - Throws: `LedgerError.Code.integrity` when the entries' sequence
    ///   numbers have a gap, an entry hash is not 32 bytes, or the tree has
    ///   more leaves than there are entries. `storage` on a database error.
    @discardableResult
    func appendPendingEntries() throws -> Int {
        try storage(path) {
            let size = try store.leafCount()
            let newest = try newestSequence()
            guard size <= newest else {
                throw LedgerError(.integrity,
                    "the Merkle tree has \(size) leaves but the ledger has only \(newest) entries: entries were removed; run `keyledger verify`")
            }
            guard size < newest else { return 0 }

            var appender = NodeAppender(store: store, size: size)
            try forEachEntryHash(after: size, through: newest) { entryHash in
                try appender.append(leafHash: MerkleTree.leafHash(leafInput: entryHash))
            }
            return appender.size - size
        }
    }

    /// Computes the root of the first `size` entries from their entry
    /// hashes, without reading the stored nodes.
    /// - Throws: `LedgerError.Code.integrity` when the ledger has fewer
    ///   entries, their sequence numbers have a gap, or an entry hash is not
    ///   32 bytes.
    func rootFromEntries(size: Int) throws -> [UInt8] {
        var frontier = MerkleFrontier()
        try forEachEntryHash(after: 0, through: size) { entryHash in
            frontier.append(leafHash: MerkleTree.leafHash(leafInput: entryHash))
        }
        return frontier.root()
    }

    /// Computes the roots of the first `size` entries for each of `sizes` in
    /// one pass over the entry hashes, without reading the stored nodes.
    /// - Returns: the root of each size, keyed by size.
    /// - Throws: `LedgerError.Code.integrity` when the ledger has fewer
    ///   entries than the largest size, their sequence numbers have a gap, or
    ///   an entry hash is not 32 bytes; `invalidInput` for a negative size.
    func rootsFromEntries(sizes: [Int]) throws -> [Int: [UInt8]] {
        let wanted = Set(sizes).sorted()
        guard let largest = wanted.last else { return [:] }
        if let negative = wanted.first, negative < 0 {
            throw LedgerError(.invalidInput, "tree size \(negative) is negative: use a size from 0 to the number of entries")
        }
        var roots: [Int: [UInt8]] = [:]
        var frontier = MerkleFrontier()
        var next = wanted.makeIterator()
        var pending = next.next()
        func recordReached() {
            while let size = pending, size == frontier.size {
                roots[size] = frontier.root()
                pending = next.next()
            }
        }
        recordReached()
        try forEachEntryHash(after: 0, through: largest) { entryHash in
            frontier.append(leafHash: MerkleTree.leafHash(leafInput: entryHash))
            recordReached()
        }
        return roots
    }

    /// Calls `body` with the entry hash of each entry from sequence number
    /// `start + 1` through `end`, in order, reading one row at a time.
    /// - Throws: `LedgerError.Code.integrity` when an entry in that range is
    ///   missing or has a hash that is not 32 bytes.
    func forEachEntryHash(after start: Int, through end: Int, _ body: ([UInt8]) throws -> Void) throws {
        let select = try store.connection.prepare("SELECT seq, entry_hash FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq")
        try select.bind([.integer(Int64(start)), .integer(Int64(end))])
        var expected = Int64(start) + 1
        try select.forEachRow { row in
            let sequence = row.int64(0)
            guard sequence == expected else {
                throw LedgerError(.integrity,
                    "the ledger has no entry \(expected) before entry \(sequence): sequence numbers must have no gaps; run `keyledger verify`")
            }
            guard let entryHash = row.bytes(1), entryHash.count == MerkleTree.hashByteCount else {
                throw LedgerError(.integrity, "entry \(sequence) has an entry hash that is not 32 bytes: run `keyledger verify`")
            }
            try body(entryHash)
            expected += 1
        }
        guard expected == Int64(end) + 1 else {
            throw LedgerError(.integrity, "the ledger has no entry \(expected): expected entries up to \(end)")
        }
    }

    /// Returns the largest sequence number in the entries table, or 0 when it is empty.
    func newestSequence() throws -> Int {
        let statement = try store.connection.prepare("SELECT max(seq) FROM entries")
        try statement.bind([])
        var newest = 0
        if let row = try statement.step(), !row.isNull(0) {
            newest = row.int(0)
        }
        while try statement.step() != nil {}
        return newest
    }
}
