extension Ledger {
    /// Compares the stored Merkle tree with the verified entries and records
    /// the outcome in `result`: a `tree_mismatch` failure for an altered,
    /// missing or extra `merkle_tree` row, or a warning when the tree does
    /// not yet cover every entry.
    ///
    /// Does nothing when `result` already has a failure, because the entries
    /// themselves are then not to be trusted.
    /// - Throws: `LedgerError.Code.storage` when the ledger cannot be read.
    func checkMerkleTree(_ result: inout VerificationResult) throws {
        guard result.isValid else { return }
        let audit: MerkleTree.Audit
        do {
            audit = try merkleTree().audit()
        } catch let error as LedgerError where error.code == .notAllowed {
            result.warnings.append("the ledger has no Merkle tree yet, so checkpoints and proofs are unavailable: \(error.message)")
            return
        } catch let error as LedgerError where error.code == .integrity {
            result.failure = .init(sequence: (result.head?.sequence ?? 0) + 1, reason: .treeMismatch, detail: error.message)
            return
        }
        if let discrepancy = audit.discrepancy {
            result.failure = .init(sequence: discrepancy.sequence, reason: .treeMismatch, detail: discrepancy.detail)
            return
        }
        result.merkleTreeChecked = true
        if audit.leafCount < audit.entryCount {
            result.warnings.append(
                "the Merkle tree covers \(audit.leafCount) of the ledger's \(audit.entryCount) entries: the next append, or Ledger.updateMerkleTree(), fills in the rest")
        }
    }
}
