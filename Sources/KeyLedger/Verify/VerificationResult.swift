/// The outcome of verifying a ledger: what was checked and the first failure, if any.
public struct VerificationResult: Sendable {
    /// The reason an entry failed verification.
    public enum Reason: String, Sendable, CaseIterable {
        /// The entry's sequence number is not one more than the entry before it.
        case sequenceGap = "sequence_gap"
        /// The entry's previous-hash does not equal the stored hash of the entry before it.
        case brokenLink = "broken_link"
        /// The stored hash does not match the stored content, or a stored column disagrees with the hashed content.
        case hashMismatch = "hash_mismatch"
        /// The entry was signed, or claims to be signed, by a key that the trust anchor and handovers do not name.
        case unknownSigner = "unknown_signer"
        /// The signature does not verify with the signer's public key.
        case invalidSignature = "invalid_signature"
        /// The stored content is not a well-formed entry.
        case malformedEntry = "malformed_entry"
        /// The ledger ends before, or differs at, the head given with `--expect-head`.
        case headMismatch = "head_mismatch"
        /// A stored Merkle tree node (a `merkle_tree` row) disagrees with the
        /// hash recomputed from the entries, or the tree has more leaves than
        /// the ledger has entries.
        case treeMismatch = "tree_mismatch"
        /// The ledger ends before, or differs from, the tree that a signed checkpoint commits to.
        case checkpointMismatch = "checkpoint_mismatch"
    }

    /// The first entry that failed and why.
    public struct Failure: Sendable, Equatable {
        public let sequence: Int64
        public let reason: Reason
        public let detail: String
    }

    /// One ledger signing key's stretch of the chain.
    public struct SignerPeriod: Sendable, Equatable {
        public let keyID: String
        public let algorithm: String
        /// The entry that introduced the key: 1 for the genesis key, else the handover's sequence number.
        public let introducedAt: Int64
        /// The first and last entries this key signed, when it signed any.
        public var firstSigned: Int64?
        public var lastSigned: Int64?
    }

    /// A signed checkpoint that the ledger was compared with.
    public struct CheckedCheckpoint: Sendable, Equatable {
        public let origin: String
        public let treeSize: Int
        public let rootHash: [UInt8]
        /// The verifier key whose signature on the checkpoint was checked.
        public let signerKey: String
        /// Whether the ledger's first `treeSize` entries have the root hash `rootHash`.
        public let matches: Bool
    }

    public var ledgerID: String
    /// Entries whose hash, link and signature were checked, up to the first failure.
    public var entriesChecked: Int64 = 0
    public var signaturesVerified: Int64 = 0
    public var signers: [SignerPeriod] = []
    /// The checkpoint keys that the genesis entry and the checkpoint key
    /// handovers introduced, oldest first, up to the first failure.
    public var checkpointKeys: [LedgerCheckpointKey] = []
    /// Whether every stored Merkle tree node was compared with the entries.
    public var merkleTreeChecked = false
    /// The signed checkpoints compared with the ledger, by increasing tree size.
    public var checkpoints: [CheckedCheckpoint] = []
    /// The newest entry checked, as `SEQ:HASH`.
    public var head: LedgerHead?
    /// The genesis signer's key id, which a trust anchor must equal.
    public var genesisKeyID: String?
    /// Whether a trust anchor was given and matched; false means only internal consistency was proven.
    public var trustAnchorChecked = false
    public var expectedHeadChecked = false
    public var failure: Failure?
    /// Facts the reader must know even when the ledger is valid.
    public var warnings: [String] = []

    public var isValid: Bool { failure == nil }
}
