/// The Merkle tree check of `Ledger.verify`, fed with the entry hashes that
/// the chain check has read and checked.
///
/// It compares the stored `merkle_tree` rows with the nodes recomputed from
/// those hashes, as `Ledger.checkMerkleTree(_:)` does after the chain, and
/// records the same outcome. That check reads every entry row a second time
/// for its hash. Here each batch's hashes are added right after the batch's
/// structure is checked, on the thread that reads the rows, and the tree's
/// rows are read on the same connection in the same read transaction as the
/// entries. The outcome counts only when the whole chain is valid, because
/// a batch's signatures are verified after its hashes are added.
struct ChainFedTreeAudit {
    private let ledger: Ledger
    /// The auditor, or nil when it could not start.
    private let auditor: MerkleTree.Auditor?
    /// The error that stopped the audit, reported only when the chain is valid.
    private var error: Error?

    /// Reads the tree's row count and starts reading its rows. The caller
    /// must hold the read transaction in which it reads the entries.
    init(ledger: Ledger) {
        self.ledger = ledger
        do {
            auditor = try storage(ledger.path) { try MerkleTree.Auditor(tree: ledger.merkleTree()) }
        } catch {
            auditor = nil
            self.error = error
        }
    }

    /// Adds the entry hashes of the batch's rows whose structure was checked, in order.
    mutating func add(_ batch: ChainVerifier.CheckedBatch) {
        guard error == nil, let auditor else { return }
        do {
            try storage(ledger.path) {
                for item in batch.pending {
                    try batch.rows.withEntryHash(item.row) { try auditor.add(entryHash: $0) }
                }
            }
        } catch {
            self.error = error
        }
    }

    /// Finishes the audit and records its outcome in `result` when the chain is valid.
    /// - Throws: `LedgerError.Code.storage` when the chain is valid and the
    ///   tree could not be read.
    func record(in result: inout VerificationResult) throws {
        guard result.isValid else { return }
        let outcome = try Ledger.classify {
            if let error { throw error }
            return try storage(ledger.path) { try auditor!.finish() }
        }
        Ledger.record(auditOutcome: outcome, in: &result)
    }
}
