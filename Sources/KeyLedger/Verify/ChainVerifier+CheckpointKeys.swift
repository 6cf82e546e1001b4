import JOSE

extension ChainVerifier {
    /// Checks the checkpoint key that a genesis or `checkpoint_key_rotated`
    /// entry introduces, and returns it.
    ///
    /// A handover from an earlier checkpoint key must name that key in
    /// `previous_checkpoint_kid` and carry its Ed25519 signature of the
    /// handover message in `previous_key_signature`. The first checkpoint key
    /// of a ledger must carry neither. No checkpoint key may be the key that
    /// signs the entry introducing it, nor the outgoing checkpoint key.
    ///
    /// - Parameters:
    ///   - entrySignerKeyID: The ledger signing key that signs `content`.
    ///   - fail: Builds the error to throw for a failure of this entry.
    /// - Returns: nil for a genesis entry without a checkpoint key and for
    ///   entries of every other kind.
    func checkpointKey(introducedBy content: EntryContent, entrySignerKeyID: String,
                       fail: (VerificationResult.Reason, String) -> any Error) throws -> LedgerCheckpointKey? {
        guard content.kind == .genesis || content.kind == .checkpointKeyRotated else { return nil }
        let sequence = content.sequence
        let introduced: LedgerCheckpointKey?
        do {
            introduced = try LedgerCheckpointKey(body: content.body, sequence: sequence)
        } catch let error as LedgerError {
            throw fail(.malformedEntry, error.message)
        }
        guard let introduced else {
            if content.kind == .checkpointKeyRotated {
                throw fail(.malformedEntry, "entry \(sequence) is a checkpoint key handover without a checkpoint_key")
            }
            return nil
        }
        guard introduced.keyID != entrySignerKeyID else {
            throw fail(.malformedEntry,
                "entry \(sequence) makes the ledger signing key \(entrySignerKeyID) its checkpoint key: the two keys must differ")
        }

        let previousKeyID = content.body[LedgerCheckpointKey.previousKeyIDMember]
        let previousSignature = content.body[LedgerCheckpointKey.previousSignatureMember]
        guard let outgoing = result.checkpointKeys.last else {
            guard previousKeyID == nil, previousSignature == nil else {
                throw fail(.malformedEntry,
                    "entry \(sequence) names a previous checkpoint key, but the ledger had no checkpoint key before it")
            }
            return introduced
        }
        guard introduced.keyID != outgoing.keyID else {
            throw fail(.malformedEntry, "entry \(sequence) hands the checkpoint key \(outgoing.keyID) over to itself")
        }
        guard previousKeyID?.stringValue == outgoing.keyID else {
            throw fail(.unknownSigner,
                "entry \(sequence) names previous checkpoint key \(previousKeyID?.stringValue ?? "none"), but the current checkpoint key is \(outgoing.keyID)")
        }
        guard let encodedSignature = previousSignature?.stringValue,
              let signature = try? Base64URL.decode(encodedSignature) else {
            throw fail(.malformedEntry, "entry \(sequence) has no base64url previous_key_signature")
        }
        guard outgoing.verifyHandover(signature: signature, ledgerID: ledgerID, newKeyID: introduced.keyID) else {
            throw fail(.invalidSignature,
                "entry \(sequence) has a previous_key_signature that does not verify with the outgoing checkpoint key \(outgoing.keyID)")
        }
        return introduced
    }
}
