import JOSE
import SQLiteBridge

/// A selection of entries to read. Every condition that is set must hold.
public struct EntryFilter: Sendable {
    public var kinds: Set<EntryKind>?
    /// Entries recorded at or after this time.
    public var since: Timestamp?
    /// Entries recorded strictly before this time.
    public var until: Timestamp?
    public var keyID: String?
    public var changeID: String?
    /// Entries with a sequence number in this range.
    public var sequences: ClosedRange<Int64>?

    public init(kinds: Set<EntryKind>? = nil, since: Timestamp? = nil, until: Timestamp? = nil,
                keyID: String? = nil, changeID: String? = nil, sequences: ClosedRange<Int64>? = nil) {
        self.kinds = kinds
        self.since = since
        self.until = until
        self.keyID = keyID
        self.changeID = changeID
        self.sequences = sequences
    }
}

/// The newest entry's position, for appending after it and for detecting truncation.
public struct LedgerHead: Equatable, Sendable, CustomStringConvertible {
    public let sequence: Int64
    public let hash: [UInt8]
    public let recordedAt: Timestamp

    /// `SEQ:HASH`, the form `keyledger verify --expect-head` takes.
    public var description: String { "\(sequence):\(hexString(hash))" }
}

extension Ledger {
    static let entryColumns = "seq, recorded_at, kind, actor, key_id, change_id, canonical, prev_hash, entry_hash, signer_kid, signature"

    /// Returns the newest entry's sequence number and hash, or nil for an empty ledger.
    public func head() throws -> LedgerHead? {
        try storage(path) { try headLocked() }
    }

    func headLocked() throws -> LedgerHead? {
        let newestRow = try connection.withCachedStatement("SELECT seq, entry_hash, recorded_at FROM entries ORDER BY seq DESC LIMIT 1") {
            try $0.rows().first
        }
        guard let row = newestRow else {
            return nil
        }
        guard let hash = row.bytes(1), hash.count == 32, let recordedAt = row.text(2).flatMap(Timestamp.init(rfc3339:)) else {
            throw LedgerError(.integrity, "the newest entry (seq \(row.int64(0))) has a malformed hash or time: run `keyledger verify`")
        }
        return LedgerHead(sequence: row.int64(0), hash: hash, recordedAt: recordedAt)
    }

    /// Returns the entry with sequence number `sequence`, or nil if there is none.
    public func entry(sequence: Int64) throws -> Entry? {
        var found: Entry?
        try entries(EntryFilter(sequences: sequence...sequence)) { found = $0 }
        return found
    }

    /// Calls `body` with each entry that matches `filter`, in sequence order,
    /// reading one row at a time so that memory does not grow with the ledger.
    public func entries(_ filter: EntryFilter = EntryFilter(), _ body: (Entry) throws -> Void) throws {
        var conditions: [String] = []
        var values: [SQLiteValue] = []
        if let kinds = filter.kinds {
            guard !kinds.isEmpty else { return }
            conditions.append("kind IN (\(Array(repeating: "?", count: kinds.count).joined(separator: ", ")))")
            values += kinds.map(\.rawValue).sorted().map(SQLiteValue.text)
        }
        if let since = filter.since {
            conditions.append("recorded_at >= ?")
            values.append(.text(since.description))
        }
        if let until = filter.until {
            conditions.append("recorded_at < ?")
            values.append(.text(until.description))
        }
        if let keyID = filter.keyID {
            conditions.append("key_id = ?")
            values.append(.text(keyID))
        }
        if let changeID = filter.changeID {
            conditions.append("change_id = ?")
            values.append(.text(changeID))
        }
        if let sequences = filter.sequences {
            conditions.append("seq BETWEEN ? AND ?")
            values += [.integer(sequences.lowerBound), .integer(sequences.upperBound)]
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        try storage(path) {
            let statement = try connection.prepare("SELECT \(Self.entryColumns) FROM entries\(whereClause) ORDER BY seq")
            try statement.bind(values)
            try statement.forEachRow { row in
                try body(try Self.decodeEntry(row))
            }
        }
    }

    /// Builds an entry from a row of `entryColumns`, taking its content from the canonical bytes.
    static func decodeEntry(_ row: Row) throws -> Entry {
        let sequence = row.int64(0)
        guard let canonical = row.bytes(6), let previousHash = row.bytes(7), let hash = row.bytes(8),
              let signature = row.text(10) else {
            throw LedgerError(.integrity, "entry \(sequence) has missing columns: run `keyledger verify`")
        }
        let content: EntryContent
        do {
            content = try EntryContent(canonical: canonical)
        } catch {
            throw LedgerError(.integrity, "entry \(sequence) cannot be decoded (\(error)): run `keyledger verify`")
        }
        return Entry(
            sequence: content.sequence, recordedAt: content.recordedAt, kind: content.kind, actor: content.actor,
            body: content.body, ledgerID: content.ledgerID, signerKeyID: content.signerKeyID,
            algorithm: content.algorithm, canonical: canonical, previousHash: previousHash, hash: hash,
            signature: signature)
    }
}
