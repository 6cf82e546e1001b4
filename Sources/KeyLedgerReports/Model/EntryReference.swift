import JOSE
import KeyLedger

/// An entry named by its sequence number and its hash, which together prove which entry is meant.
public struct EntryReference: Equatable, Sendable {
    public let sequence: Int64
    /// The entry hash in lowercase hexadecimal.
    public let hashHex: String

    public init(sequence: Int64, hashHex: String) {
        self.sequence = sequence
        self.hashHex = hashHex
    }

    init(_ entry: Entry) {
        self.init(sequence: entry.sequence, hashHex: entry.hashHex)
    }

    /// The reference used for "the entry before the first one": sequence 0 and 32 zero bytes.
    static let beforeGenesis = EntryReference(sequence: 0, hashHex: String(repeating: "0", count: 64))
}

/// One step of a key or a change: the entry that records it, who did it and when.
public struct StepReference: Equatable, Sendable {
    public let entry: EntryReference
    public let kind: String
    public let actor: String
    /// When the step happened: the claimed `occurred_at` when the entry has one, else `recordedAt`.
    public let time: Timestamp
    public let recordedAt: Timestamp
    /// Whether `time` is a claimed time (`--at`) rather than the recorded time.
    public let isClaimed: Bool
    /// The reason given when the step declared an emergency.
    public let emergency: String?

    public var sequence: Int64 { entry.sequence }

    init(_ entry: Entry) {
        self.entry = EntryReference(entry)
        self.kind = entry.kind.rawValue
        self.actor = entry.actor
        self.recordedAt = entry.recordedAt
        let claimed = entry.body["occurred_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        self.time = claimed ?? entry.recordedAt
        self.isClaimed = claimed != nil
        self.emergency = entry.body["emergency"]?.stringValue
    }
}

/// A `verified` entry with the evidence it records.
public struct VerificationStep: Equatable, Sendable {
    public let step: StepReference
    /// The JWKS endpoint that was checked (`url`) or the saved document (`file`).
    public let source: String?
    /// The SHA-256 of the JWKS document served, in hex.
    public let jwksSHA256: String?

    init(_ entry: Entry) {
        self.step = StepReference(entry)
        self.source = entry.body["url"]?.stringValue ?? entry.body["file"]?.stringValue
        self.jwksSHA256 = entry.body["jwks_sha256"]?.stringValue
    }
}

/// Consecutive `verified` entries of one key with the same evidence: the same
/// source and the same JWKS digest.
///
/// A key checked every few minutes against an unchanged JWKS produces one run
/// per quarter instead of thousands of rows. A new run starts whenever the
/// served document or the endpoint changes.
public struct VerificationRun: Equatable, Sendable {
    public let source: String?
    public let jwksSHA256: String?
    public let count: Int64
    public let first: StepReference
    public let last: StepReference
}

/// One row of the appendix: an entry of the period.
public struct AppendixRow: Sendable {
    public let entry: EntryReference
    public let recordedAt: Timestamp
    /// The claimed time, when the entry records one.
    public let occurredAt: String?
    public let kind: String
    public let actor: String
    public let keyID: String?
    public let environment: String?
    public let change: String?
    public let emergency: String?

    init(_ entry: Entry) {
        self.entry = EntryReference(entry)
        self.recordedAt = entry.recordedAt
        self.occurredAt = entry.body["occurred_at"]?.stringValue
        self.kind = entry.kind.rawValue
        self.actor = entry.actor
        self.keyID = entry.keyID
        self.environment = entry.body["env"]?.stringValue
        self.change = entry.changeID
        self.emergency = entry.body["emergency"]?.stringValue
    }
}
