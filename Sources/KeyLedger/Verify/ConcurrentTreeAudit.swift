import Dispatch
import Foundation

/// The Merkle tree check of `Ledger.verify`, run on a second connection on a
/// thread of its own while the chain is verified.
///
/// The audit reads every entry hash and tree node on one thread. Run after
/// the chain, it left one core idle at the end of every verification; run
/// alongside, it uses time the signature workers leave free. It checks the
/// tree exactly as `Ledger.checkMerkleTree(_:)` does after the chain, and
/// its outcome counts only when the chain is valid, as before. It takes its
/// own read snapshot, as the check after the chain did too.
final class ConcurrentTreeAudit: @unchecked Sendable {
    private let finished = DispatchGroup()
    /// The second connection's ledger, released by the audit thread before
    /// it leaves `finished`. A connection still open when the process exits
    /// would leave the `-wal` and `-shm` files beside the ledger.
    private var ledger: Ledger?
    /// Written by the audit thread before it leaves `finished`, and read only after waiting on it.
    private var outcome: Result<VerificationResult, Error>?

    private init() {}

    /// Starts the audit of the ledger at `path` on a new thread.
    ///
    /// - Returns: nil when the ledger cannot be opened a second time; the
    ///   caller then checks the tree after the chain on its own connection.
    static func start(path: String) -> ConcurrentTreeAudit? {
        let audit = ConcurrentTreeAudit()
        audit.ledger = try? Ledger(path: path, readOnly: true)
        guard audit.ledger != nil else { return nil }
        audit.finished.enter()
        // A thread of its own, because a long job on a Dispatch worker would
        // take one of the workers that verify the signatures.
        let thread = Thread {
            audit.outcome = Result {
                let ledger = audit.ledger!
                // The check reads the head only to name the entry after the
                // last one, and a valid chain's head is the newest entry.
                var treeResult = VerificationResult(ledgerID: ledger.ledgerID)
                treeResult.head = try ledger.head()
                try ledger.checkMerkleTree(&treeResult)
                return treeResult
            }
            audit.ledger = nil
            audit.finished.leave()
        }
        thread.start()
        return audit
    }

    /// Waits for the audit and records its outcome in `result` when the chain is valid.
    ///
    /// - Throws: the audit's `LedgerError` when the chain is valid and the tree could not be read.
    func record(in result: inout VerificationResult) throws {
        finished.wait()
        guard result.isValid, let outcome else { return }
        let treeResult = try outcome.get()
        result.failure = treeResult.failure
        result.merkleTreeChecked = treeResult.merkleTreeChecked
        result.warnings += treeResult.warnings
    }
}
