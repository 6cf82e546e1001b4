/// A valid cosignature by a witness on a checkpoint.
public struct Cosignature: Sendable {
    /// The witness's key, of signature type 0x04.
    public let witness: NoteVerifierKey
    /// When the witness cosigned, in seconds since the Unix epoch.
    public let timestamp: UInt64
}

/// A checkpoint whose log signature, and the cosignatures it was asked to
/// count, have been verified.
public struct VerifiedCheckpoint: Sendable {
    public let checkpoint: Checkpoint
    /// The note as parsed, with all its signature lines.
    public let note: SignedNote
    /// One valid cosignature for each distinct witness public key, in the
    /// note's order. When a witness signed more than once, the first valid
    /// cosignature counts.
    public let cosignatures: [Cosignature]
}

extension Checkpoint {
    /// Verifies a signed checkpoint note: the log's signature, the
    /// checkpoint text and, when `quorum` is above 0, the witnesses' cosignatures.
    ///
    /// Signature lines from keys that are neither `logKey` nor in `witnesses`
    /// are ignored. A quorum counts distinct witness public keys, not lines
    /// or names: C2SP tlog-cosignature signatures do not cover the witness
    /// name, so one key listed under two names is one witness.
    /// Cosignature timestamps are returned and not compared with the clock.
    /// The origin is not compared with the log key's name either: check
    /// `checkpoint.origin` against the log you expect.
    ///
    /// - Parameters:
    ///   - note: The signed note, as bytes, a string or a parsed ``SignedNote``.
    ///   - logKey: The log's key, of signature type 0x01.
    ///   - witnesses: The witnesses' keys, of signature type 0x04.
    ///   - quorum: How many distinct witnesses must have cosigned.
    /// - Throws: `LedgerError.Code.invalidInput` for malformed input, keys of
    ///   the wrong type, or a quorum larger than the number of distinct
    ///   witness keys. `LedgerError.Code.integrity` when the log signature is
    ///   missing, a signature from a known key is invalid, or fewer than
    ///   `quorum` witnesses cosigned.
    public static func verify(_ note: SignedNote, logKey: NoteVerifierKey, witnesses: [NoteVerifierKey] = [],
                              quorum: Int = 0) throws -> VerifiedCheckpoint {
        guard logKey.signatureType == .ed25519 else {
            throw LedgerError(.invalidInput,
                "the log key \(logKey.encoded) has signature type \(logKey.signatureType): checkpoints are signed with type Ed25519 (0x01)")
        }
        if let wrongType = witnesses.first(where: { $0.signatureType != .cosignatureEd25519 }) {
            throw LedgerError(.invalidInput,
                "the witness key \(wrongType.encoded) has signature type \(wrongType.signatureType): witnesses cosign with type 0x04")
        }
        let distinctWitnessKeys = Set(witnesses.map(\.publicKey)).count
        guard quorum >= 0, quorum <= distinctWitnessKeys else {
            throw LedgerError(.invalidInput,
                "a quorum of \(quorum) cannot be met by \(distinctWitnessKeys) distinct witness keys: use a quorum from 0 to \(distinctWitnessKeys)")
        }

        let verified = try note.verify(with: [logKey] + witnesses)
        guard verified.contains(where: { $0.key.signatureType == .ed25519 }) else {
            throw LedgerError(.integrity, "the checkpoint is not signed by the log key \(logKey.encoded)")
        }
        let checkpoint = try Checkpoint(body: note.text)

        var cosignatures: [Cosignature] = []
        var countedKeys: Set<[UInt8]> = []
        for item in verified where item.key.signatureType == .cosignatureEd25519 {
            guard countedKeys.insert(item.key.publicKey).inserted, let timestamp = item.signature.cosignatureTimestamp else { continue }
            cosignatures.append(Cosignature(witness: item.key, timestamp: timestamp))
        }
        guard cosignatures.count >= quorum else {
            throw LedgerError(.integrity,
                "the checkpoint has valid cosignatures from \(cosignatures.count) distinct witnesses, but the quorum is \(quorum)")
        }
        return VerifiedCheckpoint(checkpoint: checkpoint, note: note, cosignatures: cosignatures)
    }

    /// Parses and verifies a signed checkpoint note given as bytes; see
    /// ``verify(_:logKey:witnesses:quorum:)-(SignedNote,_,_,_)``.
    public static func verify(_ note: [UInt8], logKey: NoteVerifierKey, witnesses: [NoteVerifierKey] = [],
                              quorum: Int = 0) throws -> VerifiedCheckpoint {
        try verify(SignedNote(parsing: note), logKey: logKey, witnesses: witnesses, quorum: quorum)
    }

    /// Parses and verifies a signed checkpoint note given as a string; see
    /// ``verify(_:logKey:witnesses:quorum:)-(SignedNote,_,_,_)``.
    public static func verify(_ note: String, logKey: NoteVerifierKey, witnesses: [NoteVerifierKey] = [],
                              quorum: Int = 0) throws -> VerifiedCheckpoint {
        try verify(Array(note.utf8), logKey: logKey, witnesses: witnesses, quorum: quorum)
    }
}
