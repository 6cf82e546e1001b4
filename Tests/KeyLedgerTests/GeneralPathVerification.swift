import Foundation
@testable import KeyLedger
import SQLiteBridge

/// Verifies the ledger at `path` on the general path alone, as `Ledger.verify`
/// did before it had a fast path and a pipeline: each batch of
/// `options.batchSize` rows is checked completely, structure and then
/// signatures, before the next one is read.
func verifyOnGeneralPathInTurn(path: String, options: VerifyOptions) throws -> VerificationResult {
    let ledger = try Ledger(path: path, readOnly: true)
    let connection = try Connection(path: path, mode: .readOnly)
    let statement = try connection.prepare("SELECT \(Ledger.entryColumns) FROM entries ORDER BY seq")
    try statement.bind([])
    var verifier = ChainVerifier(ledgerID: ledger.ledgerID, options: options)
    var batch: [StoredRow] = []
    while verifier.result.isValid, let row = try statement.step() {
        batch.append(StoredRow(row))
        if batch.count == options.batchSize {
            verifier.check(batch)
            batch.removeAll()
        }
    }
    if verifier.result.isValid && !batch.isEmpty {
        verifier.check(batch)
    }
    verifier.finish()
    var result = verifier.result
    try ledger.checkMerkleTree(&result)
    return result
}
