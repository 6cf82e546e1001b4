extension MerkleTree {
    /// Adds `entries`, which the caller has just inserted, as the next leaves.
    ///
    /// The ledger calls this inside its write transaction right after the
    /// inserts, so the new rows commit or roll back with the entries. The
    /// first entry must directly follow the tree's last leaf. Its
    /// `previousHash` must be the entry hash of the entry before it, which
    /// the append path reads as the head in the same transaction. That hash
    /// is the input of the left neighbour leaf, so it is not read again.
    /// When the tree is behind, as after its rows were deleted, this fills in
    /// every missing entry from the entries table instead, these ones included.
    /// - Throws: `LedgerError.Code.integrity` when the sequence numbers have a
    ///   gap, an entry hash is not 32 bytes, or the tree is ahead of the entries.
    func append(_ entries: [Entry]) throws {
        guard let first = entries.first else { return }
        for (offset, entry) in entries.enumerated() where entry.sequence != first.sequence + Int64(offset) {
            throw LedgerError(.integrity,
                "entry \(entry.sequence) does not follow entry \(first.sequence + Int64(offset) - 1): entries must be appended to the Merkle tree in sequence order")
        }
        try append(entryHashes: entries.map(\.hash), firstSequence: first.sequence, previousEntryHash: first.previousHash)
    }

    /// Adds the entries from `firstSequence` on, given by their entry
    /// hashes, as ``append(_:)`` describes. `previousEntryHash` is the entry
    /// hash of entry `firstSequence - 1`, unused when `firstSequence` is 1.
    func append(entryHashes: [[UInt8]], firstSequence: Int64, previousEntryHash: [UInt8]) throws {
        try storage(path) {
            let size = Int(firstSequence) - 1
            var appender: NodeAppender
            if let edge = store.appendState?.matchingEdge(size: size, lastLeafInput: previousEntryHash) {
                appender = NodeAppender(store: store, resuming: edge)
            } else {
                appender = NodeAppender(store: store, size: size)
                if size > 0 {
                    appender.setPreviousLeafInput(previousEntryHash)
                }
            }
            // Until this append succeeds, no edge is known to match the ledger.
            store.appendState?.store(nil)
            do {
                for entryHash in entryHashes {
                    guard entryHash.count == MerkleTree.hashByteCount else {
                        throw LedgerError(.integrity, "entry \(appender.size + 1) has an entry hash that is not 32 bytes")
                    }
                    try appender.append(leafInput: entryHash)
                }
            } catch let outOfStep as StoredTreeOutOfStep where outOfStep.storedRows < outOfStep.expectedRows {
                // Nothing was written yet: the appender checks before its first write.
                try appendPendingEntries()
                return
            } catch let outOfStep as StoredTreeOutOfStep {
                throw LedgerError(.integrity,
                    "merkle_tree has \(outOfStep.storedRows) rows, but the tree of the \(outOfStep.size) entries before entry \(outOfStep.size + 1) has \(outOfStep.expectedRows): the tree is ahead of the entries; run `keyledger verify`")
            }
            store.appendState?.store(appender.edge)
        }
    }

    /// Appends every entry that is not yet a leaf, in sequence order, and
    /// returns how many leaves were added.
    ///
    /// This fills in the tree of a ledger migrated from a schema without it,
    /// or one whose rows were deleted from the end.
    /// The caller must have begun a write transaction.
    /// - Throws: `LedgerError.Code.integrity` when the entries' sequence
    ///   numbers have a gap, an entry hash is not 32 bytes, or the tree has
    ///   more leaves than there are entries. `storage` on a database error.
    @discardableResult
    func appendPendingEntries() throws -> Int {
        try storage(path) {
            let counts = try store.counts()
            let size = try MerkleNodeStore.treeSize(interiorNodeCount: counts.interiorNodes, leafInputCount: counts.leafInputs)
            let newest = counts.leafInputs
            guard size <= newest else {
                throw LedgerError(.integrity,
                    "the Merkle tree has \(size) leaves but the ledger has only \(newest) entries: entries were removed; run `keyledger verify`")
            }
            guard size < newest else { return 0 }

            var appender = NodeAppender(store: store, size: size)
            do {
                try forEachEntryHash(after: size, through: newest) { entryHash in
                    try appender.append(leafInput: entryHash)
                }
            } catch let outOfStep as StoredTreeOutOfStep {
                throw LedgerError(.integrity,
                    "merkle_tree has \(outOfStep.storedRows) rows, not the \(outOfStep.expectedRows) of a tree of \(outOfStep.size) leaves: run `keyledger verify`")
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
