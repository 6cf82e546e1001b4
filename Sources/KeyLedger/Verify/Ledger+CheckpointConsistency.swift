extension Ledger {
    /// Checks that the verified ledger in `result` still contains the tree
    /// that each checkpoint commits to, and records each outcome in
    /// `result.checkpoints` and the first disagreement in `result.failure`.
    ///
    /// The roots are recomputed from the entry hashes, not read from the
    /// stored tree, in one pass over the entries. Checkpoints are compared
    /// in order of increasing tree size, up to the first one that the ledger
    /// does not match. Its failure names where the ledger parts from it:
    ///
    /// - A checkpoint larger than the ledger means entries were cut from the
    ///   end; the failure names the first missing entry.
    /// - A checkpoint whose root differs means the ledger was rewritten or
    ///   forked. Entry hashes chain, so the entry at the checkpoint's size
    ///   differs, and the failure names it. A smaller checkpoint that matches
    ///   bounds the parting point from below, and the detail names that bound.
    ///
    /// Verify each checkpoint's signature first, with
    /// ``LedgerCheckpoint/verify(_:keys:)`` or ``LedgerCheckpoint/verify(_:history:)``.
    /// Does nothing when `result` already has a failure.
    /// - Throws: `LedgerError.Code.storage` when the ledger cannot be read.
    public func checkConsistency(with checkpoints: [LedgerCheckpoint], result: inout VerificationResult) throws {
        guard result.isValid, !checkpoints.isEmpty else { return }
        let verifiedCount = Int(result.head?.sequence ?? 0)
        let ordered = checkpoints.sorted { $0.checkpoint.treeSize < $1.checkpoint.treeSize }
        let sizesInLedger = ordered.map(\.checkpoint.treeSize).filter { $0 <= verifiedCount }
        let roots = try storage(path) { try merkleTree().rootsFromEntries(sizes: sizesInLedger) }

        var agreedSize: Int?
        for item in ordered {
            let checkpoint = item.checkpoint
            let size = checkpoint.treeSize
            let root = roots[size]
            let matches = root == checkpoint.rootHash
            result.checkpoints.append(.init(origin: checkpoint.origin, treeSize: size, rootHash: checkpoint.rootHash,
                                            signerKey: item.signerKey.encoded, matches: matches))
            if matches {
                agreedSize = size
                continue
            }
            let agreement = agreedSize.map { "it agrees with the checkpoint of tree size \($0), so it parts from the checkpoints after entry \($0)" }
                ?? "no smaller checkpoint was given, so it parts from the checkpoint at or before entry \(min(size, verifiedCount))"
            if root == nil {
                let removed = size == verifiedCount + 1 ? "entry \(size) was" : "entries \(verifiedCount + 1) to \(size) were"
                result.failure = .init(sequence: Int64(verifiedCount) + 1, reason: .checkpointMismatch,
                    detail: "the ledger ends at entry \(verifiedCount), but the checkpoint of tree size \(size) (origin \(checkpoint.origin)) covers \(size) entries: \(removed) cut from the end after it was signed; \(agreement)")
            } else {
                result.failure = .init(sequence: Int64(size), reason: .checkpointMismatch,
                    detail: "the ledger's first \(size) entries have root \(NoteSyntax.base64(root ?? [])), but the checkpoint of tree size \(size) (origin \(checkpoint.origin)) signs \(NoteSyntax.base64(checkpoint.rootHash)): the ledger was rewritten or forked, and entry \(size) is not the one the checkpoint signed; \(agreement)")
            }
            return
        }
        // The checkpoints detect what the chain's own truncation warning is
        // about, up to the largest of them, so that warning gives way to one
        // about the entries after it.
        result.warnings.removeAll { $0.hasPrefix("a hash chain cannot show entries removed from its end") }
        if let largest = agreedSize, largest < verifiedCount {
            let uncovered = largest + 1 == verifiedCount
                ? "entry \(verifiedCount) comes after the largest checkpoint (tree size \(largest)), so its removal"
                : "entries \(largest + 1) to \(verifiedCount) come after the largest checkpoint (tree size \(largest)), so their removal"
            result.warnings.append("\(uncovered) would go unnoticed: sign and keep a new checkpoint")
        }
    }
}
