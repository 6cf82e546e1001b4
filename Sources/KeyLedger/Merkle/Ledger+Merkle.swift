extension Ledger {
    /// Returns the Merkle tree over this ledger's entries.
    ///
    /// The tree uses this ledger's connection: use it from the same thread.
    /// Keep one tree for many proofs, because it caches the upper nodes it
    /// has read (see ``MerkleTree``).
    public func merkleTree() -> MerkleTree {
        MerkleTree(connection: connection)
    }

    /// Adds every entry that is not yet a leaf to the Merkle tree, in one
    /// write transaction, and returns how many leaves were added.
    ///
    /// Appends keep the tree up to date. Call this after opening a ledger
    /// that was migrated from a schema without the tree, to fill the tree in
    /// before its next append. It returns 0 when the tree is complete.
    /// - Throws: `LedgerError.Code.storage` on a read-only ledger or a
    ///   database error, `integrity` when the entries have gaps.
    @discardableResult
    public func updateMerkleTree() throws -> Int {
        try storage(path) {
            try connection.transaction(.immediate) {
                try merkleTree().appendPendingEntries()
            }
        }
    }
}
