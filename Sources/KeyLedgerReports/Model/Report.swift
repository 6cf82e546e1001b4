import KeyLedger

/// A report over one period, everything but the parts that are streamed from
/// the ledger while rendering (the appendix and each key's verifications).
///
/// Every value here derives from the ledger's entries and the options; none
/// from the clock, the host or the ledger's file path.
public struct Report: Sendable {
    public internal(set) var cover: ReportCover
    public let integrity: IntegrityAttestation
    public let population: Population
    /// The keys in scope, in the order they were generated or imported.
    public let keys: [KeyCustody]
    /// The changes in scope, in the order they were opened.
    public let changes: [ChangeControl]
    /// Exceptions ordered by severity, then sequence number, then rule id.
    public let findings: [Finding]
    public internal(set) var sample: SampleResult?
}

/// The first page: which ledger, which period, and where the period sits in the hash chain.
public struct ReportCover: Sendable {
    public static let title = "Key management audit report"

    public let generator: String
    public let ledgerID: String
    public let options: ReportOptions
    /// The key id that signed the genesis entry, as the ledger records it.
    public let genesisKeyID: String?
    /// The first and last entries recorded in the period, nil when there are none.
    public let firstEntry: EntryReference?
    public let lastEntry: EntryReference?
    /// The last entry recorded before the period (sequence 0 and a zero hash
    /// when the period starts with the genesis entry). The previous period's
    /// report names the same entry as its last, which links the reports.
    public let previousEntry: EntryReference
    /// The newest entry when the report was generated.
    public let head: EntryReference?
    /// The last entry the report analysed: the head, or the entry before the
    /// first one that failed verification.
    public let analysedThrough: Int64
    /// The checkpoint at the end of the period; nil when the stored Merkle tree does not reach it yet.
    public internal(set) var checkpoint: PeriodCheckpoint?
    /// The reason `checkpoint` is nil.
    public internal(set) var checkpointUnavailable: String?
    /// The previous quarter's checkpoint, when one was given, compared with this ledger.
    public internal(set) var previousCheckpoint: PreviousCheckpointCheck?

    public var period: ReportPeriod { options.period }
}

/// The outcome of verifying the whole ledger from the trust anchor to the head.
public struct IntegrityAttestation: Sendable {
    /// The first entry that failed and why.
    public struct Failure: Sendable {
        public let sequence: Int64
        public let reason: String
        public let detail: String
        /// The hash stored for the failing entry, when it can be read.
        public let storedHashHex: String?
    }

    /// A handover of the ledger's signing key.
    public struct Handover: Sendable {
        public let step: StepReference
        /// The outgoing key the handover names in `previous_kid`.
        public let previousKeyID: String?
        /// The key that signed the handover entry, which is the real outgoing key.
        public let signedBy: String
        public let incomingKeyID: String?
        /// Whether `previousKeyID` names the key that really signed before the handover.
        public var isConsistent: Bool { previousKeyID == signedBy }
    }

    public let isValid: Bool
    public let entriesChecked: Int64
    public let signaturesVerified: Int64
    public let trustAnchorChecked: Bool
    public let signers: [VerificationResult.SignerPeriod]
    public let handovers: [Handover]
    public let failure: Failure?
    public let warnings: [String]
}

/// How many changes, keys and entries the period contains.
public struct Population: Sendable {
    /// A count of items in one state.
    public struct StateCount: Equatable, Sendable {
        public let state: String
        public let count: Int
    }

    public struct KindCount: Equatable, Sendable {
        public let kind: String
        public let count: Int64
    }

    public let entriesInPeriod: Int64
    /// Entries of the period by kind, in kind order.
    public let entriesByKind: [KindCount]
    public let changeCount: Int
    /// Changes with at least one entry in the period.
    public let changesWithActivity: Int
    /// Changes by their state at the end of the period.
    public let changesByState: [StateCount]
    public let keyCount: Int
    public let keysWithActivity: Int
    public let keysByState: [StateCount]
}

/// One key in one environment: its custody from generation to retirement.
public struct KeyCustody: Sendable {
    public let keyID: String
    public let environment: String
    public let name: String
    public let algorithm: String?
    /// The private key's storage location, as recorded at generation.
    public let custody: String?
    public let providerKeyID: String?
    /// The `generated` or `imported` entry.
    public let origin: StepReference?
    public let originChange: String?
    public let published: StepReference?
    public let publishedChange: String?
    /// The first `verified` entry after publication, at any time before the period ended.
    public let firstVerification: VerificationStep?
    /// The last `verified` entry in the period.
    public let lastVerification: VerificationStep?
    public let verificationsInPeriod: Int64
    /// The `retired` or `rolled_back` entry.
    public let ended: StepReference?
    public let endedChange: String?
    /// The first JWKS check after `ended` whose `absent_confirmed` names the key.
    public let absenceConfirmed: StepReference?
    /// Whole days from generation to retirement, or to the end of the period.
    public let ageDays: Int64?
    /// The state when the period began; nil when the key did not exist yet.
    public let stateAtStart: KeyState?
    public let stateAtEnd: KeyState
    public let entriesInPeriod: Int64
}

/// One checklist attestation of a change.
public struct AttestationRecord: Sendable {
    public let item: String
    public let passed: Bool
    public let evidence: String?
    public let step: StepReference
}

/// A key rolled back by a change, and the JWKS check that showed it gone.
public struct RolledBackKey: Sendable {
    public let keyID: String
    public let environment: String
    public let absenceConfirmed: StepReference?
}

/// A key that a rollback returned from retired to the state it had before the rolled-back change retired it.
public struct RestoredKey: Sendable {
    public let keyID: String
    public let environment: String
    /// `published` or `verified`, as the `restored` entry records it.
    public let state: String
    /// The first `verified` entry after the restoration: a JWKS check that showed the key served again.
    public let servedAgain: StepReference?
}

/// One change: who asked, who approved, what was tested, when it ran and how it ended.
public struct ChangeControl: Sendable {
    public let id: String
    public let summary: String
    public let technician: String
    public let reviewer: String
    /// The criticality as recorded, which need not be a valid one.
    public let criticality: String?
    public let needsManagerApproval: Bool
    public let windowStart: Timestamp?
    public let windowEnd: Timestamp?
    public let rollbackPlan: String?
    public let opened: StepReference?
    public let approval: StepReference?
    public let managerApproval: String?
    public let attestations: [AttestationRecord]
    public let started: StepReference?
    /// The `change_completed`, `change_aborted` or `change_rolled_back` entry.
    public let finished: StepReference?
    /// The reason given for an abort or a rollback.
    public let reason: String?
    /// `open`, `approved`, `in_progress`, `complete`, `aborted` or `rolled_back` at the end of the period.
    public let outcome: String
    /// The state when the period began; nil when the change was opened in the period.
    public let stateAtStart: String?
    public let rolledBackKeys: [RolledBackKey]
    /// The keys the change had retired and its rollback restored.
    public let restoredKeys: [RestoredKey]
    /// The keys the change generated, imported, published, retired or rolled back, as `kid (env)`.
    public let keys: [String]
    public let entriesInPeriod: Int64
    /// The position in the sample, when the change was sampled.
    public let sampleRank: Int?
}

/// An exception: a rule, the entry that proves it, and a one-line explanation.
public struct Finding: Sendable {
    public let rule: ExceptionRule
    public let entry: EntryReference
    public let explanation: String
    public let change: String?
    public let keyID: String?
    public let environment: String?
}

/// The changes chosen for detailed testing, and the inputs that let anyone recompute the choice.
public struct SampleResult: Sendable {
    public struct Selection: Sendable {
        /// 1 for the first change chosen.
        public let rank: Int
        public let change: String
        /// SHA-256 of the ranking input, in hex.
        public let digestHex: String
        /// The inclusion proof of each of the change's entries in the period's checkpoint, in sequence order.
        public internal(set) var inclusionProofs: [EntryInclusionProof] = []
    }

    public let request: SampleRequest
    /// The hash of the last entry recorded in the period (or before it, when the period has none).
    public let anchor: EntryReference
    public let populationSize: Int
    public internal(set) var selected: [Selection]

    /// The sampling method in words, which reports print next to the sample.
    public static let method = """
        Each change in scope gets the SHA-256 digest of the UTF-8 text SEED, a line feed, the anchor hash \
        (64 lowercase hex digits), a line feed and the change id, with no line feed at the end. Changes are \
        ranked by that digest in lowercase hex, smallest first (ties, which need a SHA-256 collision, by change \
        id), and the first N are taken. The anchor is the hash of the period's last entry, so nobody can know \
        the sample before the period has closed. To recompute one digest: \
        printf '%s\\n%s\\n%s' SEED ANCHOR CHANGE | sha256sum
        """
}
