/// A ledger checkpoint whose signature has been verified, with the key that signed it.
public struct LedgerCheckpoint: Sendable {
    public let checkpoint: Checkpoint
    /// The checkpoint key whose signature was verified.
    public let signerKey: NoteVerifierKey
    /// The note as parsed, with all its signature lines.
    public let note: SignedNote

    /// Verifies a checkpoint note with keys the caller trusts, such as
    /// verifier keys pinned from `keyledger checkpoint key show`.
    ///
    /// The note must carry a valid signature by one of `keys` and its origin
    /// must equal that key's name, as keyledger writes it. Signatures by other
    /// keys are ignored, as C2SP signed-note requires.
    /// - Throws: `LedgerError.Code.invalidInput` for a malformed note or a key
    ///   that is not of signature type Ed25519 (0x01). `integrity` when no
    ///   signature is by one of `keys`, a signature by one of them is invalid,
    ///   or the origin differs from the key name.
    public static func verify(_ note: SignedNote, keys: [NoteVerifierKey]) throws -> LedgerCheckpoint {
        if let wrongType = keys.first(where: { $0.signatureType != .ed25519 }) {
            throw LedgerError(.invalidInput,
                "the checkpoint key \(wrongType.encoded) has signature type \(wrongType.signatureType): checkpoints are signed with type Ed25519 (0x01)")
        }
        let verified = try note.verify(with: keys)
        let signerKey = verified[0].key
        let checkpoint = try Checkpoint(body: note.text)
        guard Array(checkpoint.origin.utf8) == Array(signerKey.name.utf8) else {
            throw LedgerError(.integrity,
                "the checkpoint has origin \(quoted(checkpoint.origin)), but it is signed by the key for \(quoted(signerKey.name)): a ledger checkpoint's origin is its key name")
        }
        return LedgerCheckpoint(checkpoint: checkpoint, signerKey: signerKey, note: note)
    }

    /// Verifies a checkpoint note with a ledger's checkpoint key history, as
    /// ``VerificationResult/checkpointKeys`` or ``Ledger/checkpointKeys()`` returns it.
    ///
    /// The note must be signed by the key that was current for its tree
    /// size: the latest key introduced by an entry the tree contains. A key
    /// introduced at entry r signs trees of size r or more, until the next
    /// handover, and a key introduced by the genesis entry also signs the
    /// empty tree. Take `history` from a verification with a trust anchor;
    /// otherwise it is only the ledger's own claim.
    /// - Throws: `LedgerError.Code.invalidInput` when the history is empty.
    ///   `integrity` when the note is not validly signed by the key current
    ///   at its size; see ``verify(_:keys:)``.
    public static func verify(_ note: SignedNote, history: [LedgerCheckpointKey]) throws -> LedgerCheckpoint {
        guard !history.isEmpty else {
            throw LedgerError(.invalidInput,
                "the ledger records no checkpoint key, so its checkpoints cannot be checked: give the checkpoint key's verifier key")
        }
        let treeSize = try Checkpoint(body: note.text).treeSize
        guard let current = history.last(where: { $0.introducedAt <= Int64(max(treeSize, 1)) }) else {
            throw LedgerError(.integrity,
                "the checkpoint is of tree size \(treeSize), but the ledger's first checkpoint key was introduced at entry \(history[0].introducedAt): no checkpoint key can have signed it")
        }
        do {
            return try verify(note, keys: [current.verifierKey])
        } catch let error as LedgerError where error.code == .integrity {
            if let other = history.first(where: { $0.keyID != current.keyID && (try? note.verify(with: [$0.verifierKey])) != nil }) {
                throw LedgerError(.integrity,
                    "the checkpoint of tree size \(treeSize) is signed by checkpoint key \(other.keyID), but key \(current.keyID) (introduced at entry \(current.introducedAt)) signs trees of that size")
            }
            throw error
        }
    }
}
