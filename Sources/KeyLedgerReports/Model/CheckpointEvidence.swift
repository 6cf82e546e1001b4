import Foundation
import KeyLedger

/// The ledger's checkpoint at the end of the period (C2SP tlog-checkpoint):
/// the origin, the tree size and the RFC 9162 root hash of the stored Merkle tree.
///
/// The tree size is the sequence number of the last entry recorded in the
/// period, or of the last one before it when the period has none, because
/// leaf i of the tree is the entry with sequence number i + 1.
public struct PeriodCheckpoint: Sendable {
    /// Whether the report carries a signed note, and why not.
    public enum Signing: String, Sendable {
        case signed
        /// No checkpoint key was given.
        case notRequested = "not_requested"
        /// The ledger has no checkpoint key that signs trees of this size.
        case noCheckpointKey = "no_checkpoint_key"
        /// The key given is not the ledger's checkpoint key current at this size.
        case keyNotCurrent = "key_not_current"
        /// The ledger failed verification, so its tree is not signed.
        case ledgerNotVerified = "ledger_not_verified"
    }

    public let checkpoint: Checkpoint
    /// The signed note, when `signing` is `signed`.
    public let note: SignedNote?
    public let signing: Signing
    /// One sentence on the signing outcome, for the report.
    public let signingDetail: String
    /// The reason the checkpoint is not signed, as a clause for messages; nil when it is signed.
    public let unsignedReason: String?
    /// The ledger's checkpoint key current at the tree size: the latest one introduced by an entry the tree contains.
    public let currentKeyID: String?

    /// The note text the report prints: the signed note, or the unsigned checkpoint body.
    public var text: String { note?.formatted ?? checkpoint.body }

    /// The root hash in standard base64, as the checkpoint's third line writes it.
    public var rootHashBase64: String { Data(checkpoint.rootHash).base64EncodedString() }
}

/// The previous quarter's checkpoint compared with this ledger: whether the
/// ledger still contains the tree it committed to, and the RFC 9162
/// consistency proof from it to this period's checkpoint.
public struct PreviousCheckpointCheck: Sendable {
    /// The outcome of checking the previous checkpoint's signature.
    public enum Signature: String, Sendable {
        /// Valid, by the ledger's checkpoint key current at its tree size.
        case verified
        /// Not valid: the note was altered or signed by another key.
        case invalid
        /// The file held a checkpoint body without signatures.
        case unsigned
        /// Signed, but the ledger has no checkpoint key for that tree size, so nothing was checked.
        case noCheckpointKey = "no_checkpoint_key"
    }

    public let checkpoint: Checkpoint
    public let signature: Signature
    /// One sentence on the signature outcome, for the report.
    public let signatureDetail: String
    /// This ledger's stored root at the previous tree size; nil when the tree has fewer leaves.
    public let ledgerRootHash: [UInt8]?
    /// PROOF(previous size, D[0:period size]) of RFC 9162 section 2.1.4.1, empty when none could be built.
    public let consistencyProof: [[UInt8]]
    /// Whether `consistencyProof` verified against the previous root and this period's root.
    public let proofVerified: Bool

    /// Whether the previous root equals this ledger's root at the same size.
    public var rootMatches: Bool { ledgerRootHash == checkpoint.rootHash }

    /// Whether the check supports integrity across quarters: the roots match, the proof verified and no signature failed.
    public var holds: Bool { rootMatches && proofVerified && signature != .invalid }
}

/// The RFC 9162 inclusion proof of one entry in the period's checkpoint.
///
/// Leaf `leafIndex` is the entry with sequence number `leafIndex + 1`, and its
/// leaf hash is SHA-256(0x00 || the 32-byte entry hash).
public struct EntryInclusionProof: Sendable {
    public let entry: EntryReference
    public let kind: String
    public let leafIndex: Int
    public let leafHash: [UInt8]
    /// PATH(leafIndex, D[0:tree size]), sibling hashes from the leaf up.
    public let proof: [[UInt8]]
    /// Whether the proof verified against the checkpoint's root when the report was built.
    public let verified: Bool
}
