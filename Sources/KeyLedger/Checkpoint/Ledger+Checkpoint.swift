extension Ledger {
    /// Builds the checkpoint of the ledger's Merkle tree over all its entries.
    ///
    /// - Parameter origin: The log identity for the first line. C2SP
    ///   tlog-checkpoint recommends the name of the key that signs it.
    /// - Throws: `LedgerError.Code.notAllowed` when the tree does not yet
    ///   cover every entry, which happens only after a migration from a
    ///   schema without the tree, and `invalidInput` for an invalid origin.
    public func checkpoint(origin: String) throws -> Checkpoint {
        let tree = merkleTree()
        let (size, root) = try storage(path) {
            try tree.store.reading {
                let size = try tree.store.leafCount()
                let entryCount = try headLocked()?.sequence ?? 0
                guard Int64(size) == entryCount else {
                    throw LedgerError(.notAllowed,
                        "the Merkle tree covers \(size) of the ledger's \(entryCount) entries: open the ledger read-write and append, or call updateMerkleTree(), to complete it")
                }
                return (size, try tree.subtreeHash(0..<size))
            }
        }
        return try Checkpoint(origin: origin, treeSize: size, rootHash: root)
    }

    /// Builds the checkpoint of the whole ledger with the signer's name as
    /// origin, signs it, and returns the signed note.
    public func signCheckpoint(with signer: NoteSigner) throws -> SignedNote {
        try checkpoint(origin: signer.name).sign(with: signer)
    }

    /// Checks that this ledger still starts with the tree that `checkpoint`
    /// commits to, which detects truncation and rewriting since it was signed.
    ///
    /// The root is recomputed from the entry hashes of the first
    /// `checkpoint.treeSize` entries, not taken from the stored tree, and
    /// the stored tree must then agree with it. This reads those entries once,
    /// so it takes time proportional to the checkpoint's size. Verify the
    /// checkpoint's signature first (``Checkpoint/verify(_:logKey:witnesses:quorum:)-(SignedNote,_,_,_)``),
    /// and run the ledger's own verification, which checks that every entry
    /// hash matches its entry.
    /// - Throws: `LedgerError.Code.integrity` when the ledger has fewer
    ///   entries than the checkpoint, its entries hash to another root, or the
    ///   stored tree disagrees with the entries.
    public func verifyCheckpoint(_ checkpoint: Checkpoint) throws {
        let tree = merkleTree()
        try storage(path) {
            try tree.store.reading {
                let entryCount = try headLocked()?.sequence ?? 0
                guard Int64(checkpoint.treeSize) <= entryCount else {
                    throw LedgerError(.integrity,
                        "the ledger has \(entryCount) entries, but the checkpoint covers \(checkpoint.treeSize): entries were removed after the checkpoint was signed")
                }
                let entriesRoot = try tree.rootFromEntries(size: checkpoint.treeSize)
                guard entriesRoot == checkpoint.rootHash else {
                    throw LedgerError(.integrity,
                        "the first \(checkpoint.treeSize) entries do not match the checkpoint's root hash: the ledger was rewritten after the checkpoint was signed")
                }
                let storedSize = try tree.store.leafCount()
                if storedSize >= checkpoint.treeSize {
                    guard try tree.subtreeHash(0..<checkpoint.treeSize) == entriesRoot else {
                        throw LedgerError(.integrity,
                            "the stored Merkle tree disagrees with the entries at size \(checkpoint.treeSize): the merkle_tree table was altered")
                    }
                }
            }
        }
    }
}
