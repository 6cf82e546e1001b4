import Dispatch
import Foundation
import JOSE
import OpenSSLBridge
import SQLiteBridge

/// Checks to run beyond the chain itself.
public struct VerifyOptions: Sendable {
    /// The key id that the genesis entry must be signed by, kept outside the ledger.
    public var trustAnchor: String?
    /// A head recorded earlier (`SEQ:HASH`); the ledger must still contain it, which detects truncation.
    public var expectedHead: (sequence: Int64, hash: [UInt8])?
    /// Entries read and checked together; signatures in a batch are verified on every core.
    public var batchSize: Int

    public init(trustAnchor: String? = nil, expectedHead: (sequence: Int64, hash: [UInt8])? = nil, batchSize: Int = 2048) {
        self.trustAnchor = trustAnchor
        self.expectedHead = expectedHead
        self.batchSize = max(1, batchSize)
    }

    /// Parses `SEQ:HASH` as printed by `keyledger verify`.
    public static func parseHead(_ text: String) -> (sequence: Int64, hash: [UInt8])? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let sequence = Int64(parts[0]), sequence >= 1,
              let hash = bytes(fromHex: String(parts[1])), hash.count == 32 else { return nil }
        return (sequence, hash)
    }
}

extension Ledger {
    /// Recomputes every hash and signature from the genesis entry on, following signer handovers.
    ///
    /// Reads the ledger in batches of `options.batchSize` entries, so memory
    /// does not grow with the ledger. Stops at the first failure. When the
    /// chain is valid, compares the stored Merkle tree with the entry hashes
    /// that the chain check read, in the same read transaction.
    /// - Returns: the result; integrity failures are in `failure`, not thrown.
    /// - Throws: `LedgerError` only when the ledger cannot be read at all.
    public func verify(_ options: VerifyOptions = VerifyOptions(), progress: ProgressHandler? = nil) throws -> VerificationResult {
        // The Merkle tree's rows must come from the entries' snapshot, so
        // verification begins one read transaction unless the caller has begun one.
        if connection.isAutocommit {
            return try withReadTransaction { try verifyInTransaction(options, progress: progress) }
        }
        return try verifyInTransaction(options, progress: progress)
    }

    private func verifyInTransaction(_ options: VerifyOptions, progress: ProgressHandler?) throws -> VerificationResult {
        var verifier = ChainVerifier(ledgerID: ledgerID, options: options)
        var treeAudit = ChainFedTreeAudit(ledger: self)
        // Only a progress report needs the total, and counting reads an index of every entry.
        let total = progress == nil ? 0 : try storage(path) { try connection.query("SELECT count(*) FROM entries").first?.int(0) ?? 0 }
        try storage(path) {
            let statement = try connection.prepare("SELECT \(Self.entryColumns) FROM entries ORDER BY seq")
            try statement.bind([])
            var processed = 0
            // The signatures of up to two batches are queued for the other
            // threads while this thread reads the next batch and checks its
            // structure, so the workers have work when one batch ends.
            var inFlight: [ChainVerifier.SignatureCheck] = []
            // The storage of completed batches, reused so that memory stays
            // flat instead of growing with fragments of freed batches.
            var spareBatches: [RawEntryBatch] = []
            var moreRows = true
            // The first batch is small, so that the workers start verifying
            // signatures after 256 rows are read instead of a full batch.
            var rowsToRead = min(256, options.batchSize)
            while moreRows {
                var batch = spareBatches.popLast() ?? RawEntryBatch(expectedRows: options.batchSize)
                batch.removeAllRows()
                while batch.rowCount < rowsToRead, try statement.advance() {
                    batch.appendCurrentRow(of: statement)
                }
                moreRows = batch.rowCount == rowsToRead
                rowsToRead = options.batchSize
                guard batch.rowCount > 0 else { break }
                let checked = verifier.checkStructure(batch)
                treeAudit.add(checked)
                inFlight.append(verifier.startSignatureCheck(checked))
                if checked.structuralFailure != nil { moreRows = false }
                if inFlight.count == 2 {
                    let completed = inFlight.removeFirst()
                    processed += verifier.complete(completed)
                    progress?(processed, total)
                    guard verifier.result.isValid else { break }
                    if case .raw(let rows) = completed.batch.rows {
                        spareBatches.append(rows)
                    }
                }
            }
            for check in inFlight {
                // After a failure, a later batch's outcome does not count, but its workers are awaited.
                guard verifier.result.isValid else {
                    check.wait()
                    continue
                }
                processed += verifier.complete(check)
                progress?(processed, total)
            }
        }
        verifier.finish()
        var result = verifier.result
        try treeAudit.record(in: &result)
        return result
    }
}

/// The columns of one entry row, copied out of SQLite.
struct StoredRow {
    let sequence: Int64
    let recordedAt: String?
    let kind: String?
    let actor: String?
    let keyID: String?
    let changeID: String?
    let canonical: [UInt8]?
    let previousHash: [UInt8]?
    let hash: [UInt8]?
    let signerKeyID: String?
    let signature: String?

    init(_ row: Row) {
        sequence = row.int64(0)
        recordedAt = row.text(1)
        kind = row.text(2)
        actor = row.text(3)
        keyID = row.text(4)
        changeID = row.text(5)
        canonical = row.bytes(6)
        previousHash = row.bytes(7)
        hash = row.bytes(8)
        signerKeyID = row.text(9)
        signature = row.text(10)
    }
}

/// The verification state carried from one batch to the next.
///
/// Rows read by `Ledger.verify` take the fast path of
/// `ChainVerifier+FastPath.swift` first, and any row it does not accept takes
/// the general path below, which decodes the content into `JSONValue`s and
/// names the failure. Batches of ``StoredRow`` take the general path only,
/// so tests can compare the two.
///
/// Stored content must be exactly its RFC 8785 form. A row that is valid
/// JSON in another form (other member order, white space, escapes, number
/// spellings) is a malformed entry even when its hash and signature verify.
/// A verifier that follows docs/FORMAT.md canonicalizes the content again,
/// so it would hash other bytes. The fast path accepts only canonical rows
/// and hands every other row to the general path, which rejects it.
struct ChainVerifier {
    /// A ledger signing key in force, shared by reference by every entry it signs.
    final class Signer: Sendable {
        let keyID: String
        let algorithm: String
        let publicKey: PublicKey
        let scheme: SignatureScheme
        /// The UTF-8 of `keyID` and `algorithm`, for comparing with stored bytes.
        let keyIDBytes: [UInt8]
        let algorithmBytes: [UInt8]
        /// The protected header that `JWS.signDetached` writes for this
        /// signer, `{"alg":ALG,"kid":KID}` in base64url, followed by the ".."
        /// of a detached payload.
        let detachedHeaderPrefix: [UInt8]

        init(keyID: String, algorithm: JWSAlgorithm, publicKey: PublicKey) throws {
            self.keyID = keyID
            self.algorithm = algorithm.rawValue
            self.publicKey = publicKey
            self.scheme = algorithm.signatureScheme
            self.keyIDBytes = Array(keyID.utf8)
            self.algorithmBytes = Array(algorithm.rawValue.utf8)
            let header = try JCS.canonicalize(.object(["alg": .string(algorithm.rawValue), "kid": .string(keyID)]))
            self.detachedHeaderPrefix = Array(Base64URL.encode(header).utf8) + Array("..".utf8)
        }
    }

    struct PendingSignature {
        let sequence: Int64
        /// The entry's index in its batch.
        let row: Int
        let signer: Signer
    }

    /// The rows of one batch, as `Ledger.verify` reads them or as a test passes them.
    enum BatchRows {
        case raw(RawEntryBatch)
        case stored([StoredRow])

        var count: Int {
            switch self {
            case .raw(let batch): batch.rowCount
            case .stored(let rows): rows.count
            }
        }

        func storedRow(_ index: Int) -> StoredRow {
            switch self {
            case .raw(let batch): batch.storedRow(index)
            case .stored(let rows): rows[index]
            }
        }

        /// Calls `body` with row `index`'s stored entry hash as the general
        /// path reads it, which for a row whose structure was checked equals
        /// the hash recomputed from its content.
        func withEntryHash<Result>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
            if case .raw(let batch) = self, let range = batch.bytes(index, .hash, ifStoredAs: .blob) {
                return try batch.bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
            }
            return try (storedRow(index).hash ?? []).withUnsafeBytes(body)
        }
    }

    let options: VerifyOptions
    let ledgerID: String
    let ledgerIDBytes: [UInt8]
    var result: VerificationResult
    var previousHash = EntryHash.genesisPreviousHash
    var previousSequence: Int64 = 0
    var previousRecordedAt: Timestamp?
    var signer: Signer?

    init(ledgerID: String, options: VerifyOptions) {
        self.ledgerID = ledgerID
        self.ledgerIDBytes = Array(ledgerID.utf8)
        self.options = options
        self.result = VerificationResult(ledgerID: ledgerID)
    }

    /// A batch whose structure was checked, with its signatures still to verify.
    struct CheckedBatch {
        let rows: BatchRows
        let pending: [PendingSignature]
        let structuralFailure: VerificationResult.Failure?
        let lastGood: (sequence: Int64, hash: [UInt8], recordedAt: Timestamp)?
        /// The result as the structure check left it. A signature failure in
        /// this batch restores it, because later batches may have been checked since.
        let resultAfterStructure: VerificationResult
    }

    /// A batch whose signatures are being verified on other threads.
    struct SignatureCheck {
        let batch: CheckedBatch
        fileprivate let failures: FailureCollector
        fileprivate let group: DispatchGroup

        /// Waits until every signature of the batch is verified, without recording the outcome.
        func wait() {
            group.wait()
        }
    }

    /// Checks one batch on the general path: structure in order, then signatures in parallel.
    mutating func check(_ rows: [StoredRow]) {
        complete(startSignatureCheck(checkStructure(rows)))
    }

    /// Checks the structure of each row in order on the general path, up to the first failure.
    ///
    /// The hashes and the decoding of the content are computed on every core
    /// first, because they depend on one row each.
    mutating func checkStructure(_ rows: [StoredRow]) -> CheckedBatch {
        let decodedRows = Self.decodeInParallel(rows)
        var pending: [PendingSignature] = []
        pending.reserveCapacity(rows.count)
        var structuralFailure: VerificationResult.Failure?
        for (index, (row, decoded)) in zip(rows, decodedRows).enumerated() {
            structuralFailure = checkGeneral(row, decoded, index: index, pending: &pending)
            if structuralFailure != nil { break }
        }
        return finishStructure(.stored(rows), pending: pending, structuralFailure: structuralFailure)
    }

    /// Builds the checked batch once its rows' structure is checked.
    func finishStructure(_ rows: BatchRows, pending: [PendingSignature],
                         structuralFailure: VerificationResult.Failure?) -> CheckedBatch {
        // After a good row, the previous-entry state describes that row.
        let lastGood = pending.isEmpty ? nil : previousRecordedAt.map { (previousSequence, previousHash, $0) }
        return CheckedBatch(rows: rows, pending: pending, structuralFailure: structuralFailure,
                            lastGood: lastGood, resultAfterStructure: result)
    }

    /// Checks one row on the general path and, when it is good, queues its signature.
    ///
    /// - Returns: the row's failure, or nil when it is good.
    mutating func checkGeneral(_ row: StoredRow, _ decoded: DecodedRow, index: Int,
                               pending: inout [PendingSignature]) -> VerificationResult.Failure? {
        do {
            let signerForEntry = try checkStructure(row, decoded)
            pending.append(PendingSignature(sequence: row.sequence, row: index, signer: signerForEntry))
            noteSigned(row.sequence, by: signerForEntry.keyID)
            return nil
        } catch let failure as FailureError {
            return failure.failure
        } catch {
            return .init(sequence: row.sequence, reason: .malformedEntry, detail: "\(error)")
        }
    }

    /// Starts verifying the batch's signatures on the threads of
    /// ``SignatureWorkers`` and returns without waiting.
    func startSignatureCheck(_ batch: CheckedBatch) -> SignatureCheck {
        let failures = FailureCollector()
        let group = DispatchGroup()
        let pending = batch.pending
        let rows = batch.rows
        // One task per chunk, queued in order behind the chunks of a batch
        // still in flight, so that a worker moves on to this batch as soon
        // as it runs out of work for the earlier one.
        for chunk in stride(from: 0, to: pending.count, by: Self.signatureChunkSize) {
            let range = chunk..<min(pending.count, chunk + Self.signatureChunkSize)
            SignatureWorkers.shared.enqueue(in: group) {
                Self.verifySignatures(pending[range], of: rows, into: failures)
            }
        }
        return SignatureCheck(batch: batch, failures: failures, group: group)
    }

    /// Waits for the batch's signatures and records the batch's outcome.
    ///
    /// - Returns: the number of rows in the batch, for progress reports.
    @discardableResult
    mutating func complete(_ check: SignatureCheck) -> Int {
        check.group.wait()
        let batch = check.batch
        // Report whichever failure comes first in the chain.
        if let signatureFailure = check.failures.first,
           signatureFailure.sequence <= (batch.structuralFailure?.sequence ?? .max) {
            var restored = batch.resultAfterStructure
            restored.entriesChecked = result.entriesChecked
            restored.head = result.head
            result = restored
            result.failure = signatureFailure
            result.entriesChecked += Int64(batch.pending.firstIndex { $0.sequence == signatureFailure.sequence } ?? 0)
            result.signaturesVerified = result.entriesChecked
            return batch.rows.count
        }
        result.entriesChecked += Int64(batch.pending.count)
        result.signaturesVerified += Int64(batch.pending.count)
        if let lastGood = batch.lastGood {
            result.head = LedgerHead(sequence: lastGood.sequence, hash: lastGood.hash, recordedAt: lastGood.recordedAt)
        }
        result.failure = batch.structuralFailure
        return batch.rows.count
    }

    /// The parts of a row's check that depend on that row alone.
    struct DecodedRow {
        /// The hash over the stored previous hash and canonical bytes; nil when either is missing or malformed.
        var recomputedHash: [UInt8]?
        var content: Result<EntryContent, Error>?
        /// `content.recordedAt` in the form the `recorded_at` column must have.
        var recordedAtText: String?
    }

    private static func decodeInParallel(_ rows: [StoredRow]) -> [DecodedRow] {
        let chunkSize = 64
        let chunkCount = (rows.count + chunkSize - 1) / chunkSize
        return [DecodedRow](unsafeUninitializedCapacity: rows.count) { buffer, initializedCount in
            let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                // The chunks' index ranges are disjoint and cover every row, so each element is initialized once.
                for index in chunk * chunkSize..<min(rows.count, (chunk + 1) * chunkSize) {
                    (base + index).initialize(to: decode(rows[index]))
                }
            }
            initializedCount = rows.count
        }
    }

    static func decode(_ row: StoredRow) -> DecodedRow {
        guard let previousHash = row.previousHash, previousHash.count == 32, let canonical = row.canonical else {
            return DecodedRow()
        }
        let content = Result { try decodeContent(canonical) }
        return DecodedRow(
            recomputedHash: EntryHash.compute(previousHash: previousHash, canonical: canonical),
            content: content,
            recordedAtText: try? content.get().recordedAt.description)
    }

    /// Decodes stored content that must already be in its RFC 8785 form,
    /// with `recorded_at` in the one form keyledger writes
    /// (`2026-12-04T19:52:23.123Z`).
    static func decodeContent(_ canonical: [UInt8]) throws -> EntryContent {
        let content = try EntryContent(canonical: canonical)
        let value = try JSONValue(parsing: canonical)
        guard try JCS.canonicalize(value) == canonical else {
            throw EntryDecodingError("the stored content is valid JSON but not its RFC 8785 canonical form")
        }
        // `EntryContent` parses any RFC 3339 time, also with an offset or another number of fractional
        // digits, so without this check a signed time in another form would pass next to a normalized column.
        let recordedAtText = value.objectValue?["recorded_at"]?.stringValue ?? ""
        guard recordedAtText == content.recordedAt.description else {
            throw EntryDecodingError(
                "member \"recorded_at\" is \"\(recordedAtText)\", not a UTC time with exactly three fractional digits such as \(content.recordedAt.description)")
        }
        return content
    }

    /// Checks ordering, linking, the hash, the stored columns and the signer of one entry.
    private mutating func checkStructure(_ row: StoredRow, _ decoded: DecodedRow) throws -> Signer {
        let sequence = row.sequence
        func fail(_ reason: VerificationResult.Reason, _ detail: String) -> FailureError {
            FailureError(failure: .init(sequence: sequence, reason: reason, detail: detail))
        }

        guard sequence == previousSequence + 1 else {
            throw fail(.sequenceGap, previousSequence == 0
                ? "the ledger starts at entry \(sequence) instead of 1"
                : sequence == previousSequence + 2
                    ? "entry \(sequence) follows entry \(previousSequence): entry \(previousSequence + 1) is missing"
                    : "entry \(sequence) follows entry \(previousSequence): entries \(previousSequence + 1) to \(sequence - 1) are missing")
        }
        guard let storedPrevious = row.previousHash, let storedHash = row.hash, let canonical = row.canonical,
              storedHash.count == 32 else {
            throw fail(.malformedEntry, "entry \(sequence) lacks its hash, previous hash or canonical content")
        }
        guard storedPrevious == previousHash else {
            throw fail(.brokenLink, "entry \(sequence) links to previous hash \(hexString(storedPrevious)), but entry \(previousSequence) has hash \(hexString(previousHash))")
        }
        let recomputed = decoded.recomputedHash ?? EntryHash.compute(previousHash: storedPrevious, canonical: canonical)
        guard recomputed == storedHash else {
            throw fail(.hashMismatch, "entry \(sequence) stores hash \(hexString(storedHash)), but its content hashes to \(hexString(recomputed))")
        }
        let content: EntryContent
        do {
            content = try decoded.content?.get() ?? Self.decodeContent(canonical)
        } catch {
            throw fail(.malformedEntry, "entry \(sequence) is not a well-formed entry: \(error)")
        }
        guard content.sequence == sequence else {
            throw fail(.hashMismatch, "entry \(sequence) contains the content of entry \(content.sequence)")
        }
        let columns: [(String, String?, String?)] = [
            ("recorded_at", row.recordedAt, decoded.recordedAtText ?? content.recordedAt.description),
            ("kind", row.kind, content.kind.rawValue),
            ("actor", row.actor, content.actor),
            ("key_id", row.keyID, content.body["kid"]?.stringValue),
            ("change_id", row.changeID, content.body["change"]?.stringValue),
        ]
        for (name, stored, hashed) in columns where stored != hashed {
            throw fail(.hashMismatch, "entry \(sequence) column \(name) is \(Self.columnText(stored)) but the hashed content has \(Self.columnText(hashed))")
        }
        guard row.signerKeyID == content.signerKeyID else {
            throw fail(.unknownSigner, "entry \(sequence) column signer_kid is \(Self.columnText(row.signerKeyID)) but the hashed content names signer \(content.signerKeyID)")
        }

        if sequence == 1 {
            signer = try genesisSigner(content, fail: fail)
        } else if content.kind == .genesis {
            throw fail(.malformedEntry, "entry \(sequence) is a second genesis entry")
        }
        guard let current = signer, content.signerKeyID == current.keyID else {
            throw fail(.unknownSigner, "entry \(sequence) is signed by key \(content.signerKeyID), but the current ledger signing key is \(signer?.keyID ?? "none")")
        }
        guard content.algorithm == current.algorithm else {
            throw fail(.invalidSignature, "entry \(sequence) uses algorithm \(content.algorithm), but key \(current.keyID) signs with \(current.algorithm)")
        }

        guard content.ledgerID == ledgerID else {
            throw fail(.hashMismatch, "entry \(sequence) belongs to ledger \(content.ledgerID), not to this ledger \(ledgerID)")
        }

        if let previousTime = previousRecordedAt, content.recordedAt < previousTime {
            // keyledger never records a time earlier than the entry before, so the signer's own writer did not make this entry.
            throw fail(.malformedEntry, "entry \(sequence) is recorded at \(content.recordedAt), before entry \(previousSequence) at \(previousTime)")
        }
        if content.kind == .signingKeyRotated {
            guard content.body["previous_kid"]?.stringValue == current.keyID else {
                throw fail(.malformedEntry,
                    "entry \(sequence) hands over from key \(content.body["previous_kid"]?.stringValue ?? "none"), but the outgoing signing key is \(current.keyID)")
            }
            // Entries after the handover must be signed by the incoming key; the handover itself by the outgoing one.
            signer = try introducedSigner(content, fail: fail)
            result.signers.append(.init(keyID: signer!.keyID, algorithm: signer!.algorithm, introducedAt: sequence))
        }
        if let checkpointKey = try checkpointKey(introducedBy: content, entrySignerKeyID: current.keyID, fail: fail) {
            result.checkpointKeys.append(checkpointKey)
        }
        if let expected = options.expectedHead, expected.sequence == sequence, expected.hash != storedHash {
            throw fail(.headMismatch, "entry \(sequence) has hash \(hexString(storedHash)), but the expected head has \(hexString(expected.hash)): the history up to the expected head was rewritten")
        }
        previousHash = storedHash
        previousSequence = sequence
        previousRecordedAt = content.recordedAt
        return current
    }

    private mutating func genesisSigner(_ content: EntryContent, fail: (VerificationResult.Reason, String) -> FailureError) throws -> Signer {
        guard content.kind == .genesis else {
            throw fail(.malformedEntry, "entry 1 is a \(content.kind) entry, not the genesis entry")
        }
        let genesis = try signer(from: content, fail: fail)
        result.genesisKeyID = genesis.keyID
        guard genesis.keyID == content.signerKeyID else {
            throw fail(.unknownSigner, "the genesis entry introduces key \(genesis.keyID) but is signed by \(content.signerKeyID)")
        }
        if let anchor = options.trustAnchor {
            guard anchor == genesis.keyID else {
                throw fail(.unknownSigner, "the genesis entry is signed by key \(genesis.keyID), not by the trust anchor \(anchor)")
            }
            result.trustAnchorChecked = true
        } else {
            result.warnings.append("no trust anchor given: the chain was checked against its own genesis key \(genesis.keyID); pass --trust-anchor with the key id recorded at init to prove the ledger is the one you expect")
        }
        result.signers.append(.init(keyID: genesis.keyID, algorithm: genesis.algorithm, introducedAt: 1))
        return genesis
    }

    /// Quotes a column's text for a failure message, or gives the bare word
    /// NULL for SQL NULL, so that NULL and the text "NULL" read differently.
    private static func columnText(_ value: String?) -> String {
        value.map { quoted($0) } ?? "NULL"
    }

    private func introducedSigner(_ content: EntryContent, fail: (VerificationResult.Reason, String) -> FailureError) throws -> Signer {
        try signer(from: content, fail: fail)
    }

    /// Reads the `signing_key` JWK of a genesis or handover entry and recomputes its key id.
    private func signer(from content: EntryContent, fail: (VerificationResult.Reason, String) -> FailureError) throws -> Signer {
        guard let jwkValue = content.body["signing_key"] else {
            throw fail(.malformedEntry, "entry \(content.sequence) has no signing_key")
        }
        do {
            let jwk = try JWK(json: jwkValue)
            let keyID = try jwk.thumbprint()
            if let claimed = jwk.keyID, claimed != keyID {
                throw fail(.malformedEntry, "entry \(content.sequence) names key id \(claimed) for a key whose thumbprint is \(keyID)")
            }
            // JWSAlgorithm also has RS384 and RS512, which JWTs may use but a ledger signing key may not.
            guard let algorithmName = jwk.algorithm, let algorithm = JWSAlgorithm(rawValue: algorithmName),
                  SigningKey.ledgerAlgorithms.contains(algorithm) else {
                let names = SigningKey.ledgerAlgorithms.map(\.rawValue).joined(separator: ", ")
                throw fail(.malformedEntry,
                    "entry \(content.sequence) gives signing key algorithm \(jwk.algorithm.map { "\"\($0)\"" } ?? "none"), not one of \(names)")
            }
            let publicKey = try jwk.publicKey()
            guard algorithm.fits(publicKey.spec) else {
                throw fail(.malformedEntry, "entry \(content.sequence) pairs algorithm \(algorithm.rawValue) with a \(publicKey.spec) key")
            }
            return try Signer(keyID: keyID, algorithm: algorithm, publicKey: publicKey)
        } catch let error as FailureError {
            throw error
        } catch {
            throw fail(.malformedEntry, "entry \(content.sequence) has an unusable signing key: \(error)")
        }
    }

    mutating func noteSigned(_ sequence: Int64, by keyID: String) {
        guard let index = result.signers.lastIndex(where: { $0.keyID == keyID }) else { return }
        if result.signers[index].firstSigned == nil { result.signers[index].firstSigned = sequence }
        result.signers[index].lastSigned = sequence
    }

    /// The number of signatures that one worker task verifies.
    private static let signatureChunkSize = 64

    /// Verifies the signatures of one chunk, adding each failure to `failures`.
    private static func verifySignatures(_ pending: ArraySlice<PendingSignature>, of rows: BatchRows, into failures: FailureCollector) {
        var buffers = SignatureBuffers()
        for item in pending {
            if case .raw(let batch) = rows, Self.hasValidDetachedSignature(item, in: batch, buffers: &buffers) {
                continue
            }
            let row = rows.storedRow(item.row)
            if let failure = Self.verifySignature(item, hash: row.hash!, signature: row.signature ?? "") {
                failures.add(failure)
            }
        }
    }

    /// Verifies one signature on the general path, which decodes and checks
    /// the whole JWS and names what is wrong with it.
    private static func verifySignature(_ item: PendingSignature, hash: [UInt8], signature: String) -> VerificationResult.Failure? {
        do {
            let header = try JWS.verifyDetached(signature, payload: hash, key: item.signer.publicKey)
            guard header.keyID == item.signer.keyID else {
                return .init(sequence: item.sequence, reason: .invalidSignature,
                             detail: "entry \(item.sequence) has a signature header naming key \(header.keyID ?? "none"), not its signer \(item.signer.keyID)")
            }
            guard header.algorithm.rawValue == item.signer.algorithm else {
                return .init(sequence: item.sequence, reason: .invalidSignature,
                             detail: "entry \(item.sequence) has a signature header with algorithm \(header.algorithm.rawValue), not \(item.signer.algorithm)")
            }
            return nil
        } catch {
            return .init(sequence: item.sequence, reason: .invalidSignature,
                         detail: "entry \(item.sequence) has a signature that does not verify with key \(item.signer.keyID): \(error)")
        }
    }

    /// Checks the expected head and records what a bare chain cannot prove.
    mutating func finish() {
        guard result.isValid else { return }
        if let expected = options.expectedHead {
            let head = result.head
            if (head?.sequence ?? 0) < expected.sequence {
                result.failure = .init(sequence: (head?.sequence ?? 0) + 1, reason: .headMismatch,
                    detail: "the ledger ends at entry \(head?.sequence ?? 0), but the expected head is entry \(expected.sequence): entries were removed from its end")
            }
            result.expectedHeadChecked = true
        } else {
            result.warnings.append("a hash chain cannot show entries removed from its end: pass --expect-head SEQ:HASH with a head recorded earlier to detect truncation")
        }
    }
}

struct FailureError: Error {
    let failure: VerificationResult.Failure
}

/// Failures found by concurrent workers; keeps the one earliest in the chain.
private final class FailureCollector: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var first: VerificationResult.Failure?

    func add(_ failure: VerificationResult.Failure) {
        lock.lock()
        if first == nil || failure.sequence < first!.sequence { first = failure }
        lock.unlock()
    }
}
