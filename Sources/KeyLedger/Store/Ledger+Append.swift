import Dispatch
import Foundation
import JOSE
import OpenSSLBridge
import SQLiteBridge

/// A callback for long work: `completed` of `total` items are done.
public typealias ProgressHandler = (_ completed: Int, _ total: Int) -> Void

extension Ledger {
    /// Appends one event, signed by `signingKey`, and returns the stored entry.
    ///
    /// A caller outside the library can pass only `note` and custom `x-`
    /// events, because `Event(kind:actor:body:)` rejects every other kind.
    /// Key, change, JWKS and report steps go through their own calls, such as
    /// `publishKey` or `approveChange`, which check the step against the
    /// ledger before they append it.
    ///
    /// The append is one IMMEDIATE transaction: when this returns, the entry
    /// is committed (and on disk with `Durability.full`).
    /// - Throws: `LedgerError` with `.signerMismatch` when `signingKey` is not
    ///   the ledger's current signer, and with `.invalidInput` when the body's
    ///   `occurred_at` is not a time `ClaimedTime` allows; nothing is appended on any error.
    @discardableResult
    public func append(_ event: Event, signingKey: SigningKey) throws -> Entry {
        try append([event], signingKey: signingKey)[0]
    }

    /// Appends events in one transaction: all of them or, on any error, none.
    ///
    /// Entries are chained in order first and then signed on every core at
    /// once, since the hash chain does not cover signatures.
    @discardableResult
    public func append(_ events: [Event], signingKey: SigningKey, progress: ProgressHandler? = nil) throws -> [Entry] {
        guard !events.isEmpty else { return [] }
        return try storage(path) {
            try connection.transaction(.immediate) {
                try appendLocked(events, signingKey: signingKey, expectedSigner: nil, progress: progress)
            }
        }
    }

    /// Appends the events that `makeEvents` returns, computing them inside the write transaction.
    ///
    /// `makeEvents` may read the ledger, for example to check that a key or
    /// change is in the right state, and throw to reject the step. It runs
    /// while this process has the write lock, so no other process can append
    /// between the check and the append. When it throws, nothing is appended.
    @discardableResult
    public func append(signingKey: SigningKey, progress: ProgressHandler? = nil,
                       _ makeEvents: () throws -> [Event]) throws -> [Entry] {
        try storage(path) {
            try connection.transaction(.immediate) {
                let events = try makeEvents()
                guard !events.isEmpty else { return [] }
                return try appendLocked(events, signingKey: signingKey, expectedSigner: nil, progress: progress)
            }
        }
    }

    /// Appends a handover to `newKey`, signed by the current `signingKey`.
    ///
    /// Every later entry must be signed by `newKey`; verification follows the
    /// handover from the trust anchor and accepts no other signer.
    /// - Throws: `LedgerError.Code.invalidInput` when `newKey` is the current
    ///   or an earlier signing key, a current or earlier checkpoint key, or a
    ///   JWT signing key recorded in the ledger.
    @discardableResult
    public func rotateSigningKey(to newKey: SigningKey, actor: String, signingKey: SigningKey,
                                 reason: String? = nil) throws -> Entry {
        guard newKey.keyID != signingKey.keyID else {
            throw LedgerError(.invalidInput, "the new signing key is the current one (kid \(newKey.keyID)): generate or give a different key")
        }
        // One stolen key must not be able both to sign entries and to sign checkpoints.
        if let checkpointKey = try currentCheckpointKey(), checkpointKey.keyID == newKey.keyID {
            throw LedgerError(.invalidInput,
                "the new signing key is the ledger's checkpoint key (kid \(newKey.keyID)): use a different key for signing entries")
        }
        var body: [String: JSONValue] = [
            "signing_key": newKey.publicJWK.jsonValue,
            "previous_kid": .string(signingKey.keyID),
        ]
        if let reason { body["reason"] = .string(reason) }
        // The new key signs nothing in the handover, and after it only the
        // new key can extend the ledger. So it must show now that its
        // signatures verify.
        try newKey.checkSigns()
        let event = try Event(reservedKind: .signingKeyRotated, actor: actor, body: body)
        return try storage(path) {
            try connection.transaction(.immediate) {
                // A key that signed entries before has been handed over for a reason (age, exposure, a
                // departed holder), so signing never returns to it. Every earlier signer signed the
                // genesis entry or a handover, so those entries name them all.
                let earlier = try connection.query(
                    "SELECT seq FROM entries WHERE kind IN ('genesis', 'signing_key_rotated') AND signer_kid = ? ORDER BY seq DESC LIMIT 1",
                    [.text(newKey.keyID)])
                if let row = earlier.first {
                    throw LedgerError(.invalidInput,
                        "the new signing key (kid \(newKey.keyID)) is an earlier signing key of this ledger, handed over at entry \(row.int64(0)): signing never returns to an earlier key, so generate or give a new one")
                }
                if let earlier = try checkpointKeysLocked().first(where: { $0.keyID == newKey.keyID }) {
                    throw LedgerError(.invalidInput,
                        "the new signing key (kid \(newKey.keyID)) is an earlier checkpoint key of this ledger, introduced at entry \(earlier.introducedAt): use a different key for signing entries")
                }
                try rejectManagedKey(newKey.keyID, role: "signing key")
                return try appendLocked([event], signingKey: signingKey, expectedSigner: nil, progress: nil)[0]
            }
        }
    }

    /// Chains, signs and inserts `events`. The caller must be inside the write transaction.
    /// - Parameter eventsBefore: when `events` continue a batch, the number
    ///   of the batch's events already appended, so that an error names the
    ///   event's position in the whole batch.
    func appendLocked(_ events: [Event], signingKey: SigningKey, expectedSigner: String?,
                      progress: ProgressHandler?, eventsBefore: Int? = nil) throws -> [Entry] {
        let head = try headLocked()
        let currentSigner = try expectedSigner ?? cachedCurrentSignerKeyID()
        guard signingKey.keyID == currentSigner else {
            throw LedgerError(.signerMismatch,
                "the signing key given (kid \(signingKey.keyID)) is not the ledger's current signing key (kid \(currentSigner)): use the key named by the latest handover, see `keyledger signing-key show`")
        }

        // Recorded times never go backwards, even if the system clock does.
        var recordedAt = max(Timestamp.now(), head?.recordedAt ?? Timestamp(millisecondsSinceEpoch: 0))
        var sequence = head?.sequence ?? 0
        var contents: [EntryContent] = []
        contents.reserveCapacity(events.count)
        for (index, event) in events.enumerated() {
            sequence += 1
            recordedAt = max(recordedAt, Timestamp.now())
            let batchPosition = eventsBefore.map { $0 + index + 1 } ?? (events.count > 1 ? index + 1 : nil)
            try checkClaimedTime(of: event, sequence: sequence, batchPosition: batchPosition, recordedAt: recordedAt)
            contents.append(EntryContent(
                sequence: sequence, recordedAt: recordedAt, kind: event.kind, actor: event.actor,
                body: event.body, ledgerID: ledgerID, signerKeyID: signingKey.keyID,
                algorithm: signingKey.algorithm.rawValue, canonicalBody: event.canonicalBody))
        }
        let canonicals = try Self.canonicalBytesInParallel(contents)
        var hashes: [[UInt8]] = []
        hashes.reserveCapacity(contents.count)
        var previousHash = head?.hash ?? EntryHash.genesisPreviousHash
        for canonical in canonicals {
            previousHash = EntryHash.compute(previousHash: previousHash, canonical: canonical)
            hashes.append(previousHash)
        }

        // Rows are inserted in order while later entries are still being signed on other threads.
        let signatures = SignatureQueue.start(signing: hashes, with: signingKey, progress: progress)
        defer { signatures.cancelAndWait() }
        var entries: [Entry] = []
        entries.reserveCapacity(contents.count)
        let tree = MerkleTree(connection: connection, appendState: treeAppendState)
        try connection.withCachedStatement(Self.insertEntrySQL) { insert in
            var linkedHash = head?.hash ?? EntryHash.genesisPreviousHash
            var firstOutsideTree = 0
            for (index, content) in contents.enumerated() {
                let entry = Entry(
                    sequence: content.sequence, recordedAt: content.recordedAt, kind: content.kind,
                    actor: content.actor, body: content.body, ledgerID: ledgerID,
                    signerKeyID: content.signerKeyID, algorithm: content.algorithm,
                    canonical: canonicals[index], previousHash: linkedHash, hash: hashes[index],
                    signature: try signatures.value(at: index))
                try insert.run([
                    .integer(entry.sequence), .text(entry.recordedAt.description), .text(entry.kind.rawValue),
                    .text(entry.actor), SQLiteValue(entry.keyID), SQLiteValue(entry.changeID), .blob(entry.canonical),
                    .blob(entry.previousHash), .blob(entry.hash), .text(entry.signerKeyID), .text(entry.signature),
                ])
                entries.append(entry)
                linkedHash = hashes[index]
                // The tree takes the inserted rows in chunks, so that its work
                // overlaps the signing of later entries instead of following the last one.
                if entries.count - firstOutsideTree == Self.treeChunkSize || index == contents.count - 1 {
                    try tree.append(Array(entries[firstOutsideTree...]))
                    firstOutsideTree = entries.count
                }
            }
        }
        return entries
    }

    /// The number of inserted entries that a batch append adds to the Merkle tree at a time.
    static let treeChunkSize = 256

    static let insertEntrySQL = """
        INSERT INTO entries (seq, recorded_at, kind, actor, key_id, change_id, canonical, prev_hash, entry_hash, signer_kid, signature)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Writes each entry's canonical JSON, spreading the work over every core.
    ///
    /// - Throws: the error of the first entry, in entry order, that cannot be written.
    static func canonicalBytesInParallel(_ contents: [EntryContent]) throws -> [[UInt8]] {
        if contents.count == 1 {
            return [try contents[0].canonicalBytes()]
        }
        let chunkSize = 64
        let chunkCount = (contents.count + chunkSize - 1) / chunkSize
        let results = [Result<[UInt8], Error>](unsafeUninitializedCapacity: contents.count) { buffer, initializedCount in
            let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                // The chunks' index ranges are disjoint and cover every entry, so each element is initialized once.
                for index in chunk * chunkSize..<min(contents.count, (chunk + 1) * chunkSize) {
                    (base + index).initialize(to: Result { try contents[index].canonicalBytes() })
                }
            }
            initializedCount = contents.count
        }
        return try results.map { try $0.get() }
    }
}

extension Ledger {
    /// Returns the key id that `currentSignerKeyID()` returns, computed once
    /// per process for each genesis or handover entry.
    ///
    /// `currentSignerKeyID()` rebuilds the signer's public key from its JWK,
    /// and libcrypto's public key check takes milliseconds for an RSA key.
    /// The result depends only on the canonical bytes of the entry that
    /// introduced the signer, so it is kept under their SHA-256. Failures are
    /// not kept, so a ledger that fails the check fails it on every append.
    func cachedCurrentSignerKeyID() throws -> String {
        // max(seq) reads the few matching rows of the (kind, seq) index, where
        // ORDER BY seq DESC LIMIT 1 would also sort them in a temporary b-tree.
        let canonical = try storage(path) {
            try connection.withCachedStatement("""
                SELECT canonical FROM entries
                WHERE seq = (SELECT max(seq) FROM entries WHERE kind IN ('genesis', 'signing_key_rotated'))
                """) { try $0.rows().first?.bytes(0) }
        }
        guard let canonical else {
            return try currentSignerKeyID()
        }
        let digest = Digest.sha256(canonical)
        if let keyID = introducedSignerKeyIDs[digest] {
            return keyID
        }
        let keyID = try currentSignerKeyID()
        introducedSignerKeyIDs[digest] = keyID
        return keyID
    }
}

/// Key ids of ledger signers, by the SHA-256 of the canonical bytes of the
/// genesis or handover entry that introduced them.
let introducedSignerKeyIDs = SignerKeyIDCache()

final class SignerKeyIDCache: @unchecked Sendable {
    private let lock = NSLock()
    private var keyIDs: [[UInt8]: String] = [:]

    subscript(digest: [UInt8]) -> String? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return keyIDs[digest]
        }
        set {
            lock.lock()
            keyIDs[digest] = newValue
            lock.unlock()
        }
    }
}

/// Signatures made on other threads, which the inserting thread takes in
/// entry order as soon as each one is ready.
private final class SignatureQueue: @unchecked Sendable {
    private var slots: [Result<String, Error>?]
    private let condition = NSCondition()
    private var completedCount = 0
    private var cancelled = false
    private let workers = DispatchGroup()

    private init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    /// Starts signing each hash in chunks spread over every core, and returns at once.
    ///
    /// A single hash is signed on the calling thread before this returns.
    static func start(signing hashes: [[UInt8]], with signingKey: SigningKey,
                      progress: ProgressHandler?) -> SignatureQueue {
        let queue = SignatureQueue(count: hashes.count)
        if hashes.count == 1 {
            queue.store(Result { try signingKey.sign(entryHash: hashes[0]) }, at: 0)
            return queue
        }
        let chunkSize = 64
        let chunkCount = (hashes.count + chunkSize - 1) / chunkSize
        DispatchQueue.global().async(group: queue.workers) {
            DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                let indices = chunk * chunkSize..<min(hashes.count, (chunk + 1) * chunkSize)
                var results: [Result<String, Error>] = []
                results.reserveCapacity(indices.count)
                for index in indices {
                    guard !queue.isCancelled else { return }
                    results.append(Result { try signingKey.sign(entryHash: hashes[index]) })
                }
                // A chunk's signatures are stored together, so that the inserting thread
                // wakes once per chunk. Woken for every signature, it made 10,000 context
                // switches for a batch of 10,000 entries, and the kernel took 7 % of the
                // batch's CPU time (perf).
                queue.store(results, from: indices.lowerBound)
                if let progress { progress(queue.completed, hashes.count) }
            }
        }
        return queue
    }

    /// Waits for the signature of entry `index`.
    ///
    /// - Throws: the error that signing that entry threw.
    func value(at index: Int) throws -> String {
        condition.lock()
        defer { condition.unlock() }
        while slots[index] == nil {
            condition.wait()
        }
        return try slots[index]!.get()
    }

    /// Stops the signing of entries not yet started and waits for the workers to finish.
    func cancelAndWait() {
        condition.lock()
        cancelled = true
        condition.unlock()
        workers.wait()
    }

    private func store(_ result: Result<String, Error>, at index: Int) {
        store([result], from: index)
    }

    /// Stores the results of consecutive entries, starting with entry `first`.
    private func store(_ results: [Result<String, Error>], from first: Int) {
        condition.lock()
        for (offset, result) in results.enumerated() {
            slots[first + offset] = result
        }
        completedCount += results.count
        condition.broadcast()
        condition.unlock()
    }

    private var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    private var completed: Int {
        condition.lock()
        defer { condition.unlock() }
        return completedCount
    }
}
