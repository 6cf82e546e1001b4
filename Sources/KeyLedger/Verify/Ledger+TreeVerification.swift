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
        Self.record(auditOutcome: try Self.classify { try merkleTree().audit() }, in: &result)
    }

    /// The outcome of a tree audit, with the audit errors that mean a
    /// missing tree or a broken tree separated from the others.
    enum TreeAuditOutcome {
        case audited(MerkleTree.Audit)
        /// The ledger has no `merkle_tree` table in the current layout.
        case noTree(LedgerError)
        /// An entry that the tree covers is missing or malformed.
        case integrityFailure(LedgerError)
    }

    /// Runs `audit` and sorts its outcome.
    /// - Throws: every error of `audit` other than `notAllowed` and `integrity`.
    static func classify(_ audit: () throws -> MerkleTree.Audit) throws -> TreeAuditOutcome {
        do {
            return .audited(try audit())
        } catch let error as LedgerError where error.code == .notAllowed {
            return .noTree(error)
        } catch let error as LedgerError where error.code == .integrity {
            return .integrityFailure(error)
        }
    }

    /// Records a tree audit's outcome in `result`, whose chain is valid.
    static func record(auditOutcome: TreeAuditOutcome, in result: inout VerificationResult) {
        switch auditOutcome {
        case .noTree(let error):
            result.warnings.append("the ledger has no Merkle tree yet, so checkpoints and proofs are unavailable: \(error.message)")
        case .integrityFailure(let error):
            result.failure = .init(sequence: (result.head?.sequence ?? 0) + 1, reason: .treeMismatch, detail: error.message)
        case .audited(let audit):
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
}
