import KeyLedger

/// Builds a report's Merkle tree evidence from the stored tree: the period's
/// checkpoint, the check of the previous quarter's checkpoint, and the
/// inclusion proofs of the sampled changes' entries.
///
/// Call it inside the report's read transaction, after verification. The
/// stored tree is trusted only because the verification compared every node
/// with the entries (`VerificationResult.merkleTreeChecked`).
struct CheckpointEvidenceBuilder {
    let ledger: Ledger
    let options: ReportOptions
    /// The checkpoint keys the verification recorded, oldest first.
    let keyHistory: [LedgerCheckpointKey]

    /// Returns the checkpoint key that signs trees of `size` leaves: the latest one introduced by an entry such a tree contains.
    func currentKey(atSize size: Int) -> LedgerCheckpointKey? {
        keyHistory.last { $0.introducedAt <= Int64(size) }
    }

    /// Builds the checkpoint of the first `size` leaves, signed when the
    /// options' checkpoint key is the ledger's key current at that size.
    ///
    /// - Returns: the checkpoint, or nil and the reason when the stored tree has fewer than `size` leaves.
    /// - Parameter ledgerVerified: whether the ledger verified; a tree that did not is never signed.
    func periodCheckpoint(size: Int, ledgerVerified: Bool) throws -> (checkpoint: PeriodCheckpoint?, unavailable: String?) {
        let tree = ledger.merkleTree()
        let storedSize = try tree.size()
        guard storedSize >= size else {
            return (nil, "The stored Merkle tree covers \(storedSize) entries, fewer than the \(size) up to the end of the period, so the report has no checkpoint: append an entry with this version of keyledger, which fills the tree in, and generate the report again.")
        }
        let key = currentKey(atSize: size)
        let origin = key?.origin ?? LedgerCheckpointKey.defaultOrigin(ledgerID: ledger.ledgerID)
        let checkpoint = try Checkpoint(origin: origin, treeSize: size, rootHash: try tree.root(size: size))

        func unsigned(_ signing: PeriodCheckpoint.Signing, _ reason: String) -> (PeriodCheckpoint?, String?) {
            (PeriodCheckpoint(checkpoint: checkpoint, note: nil, signing: signing, signingDetail: "Unsigned: \(reason)",
                              unsignedReason: reason, currentKeyID: key?.keyID), nil)
        }
        guard let privateKey = options.checkpointKey else {
            return unsigned(.notRequested, "no checkpoint key was given. Generate the report with --checkpoint-key to include the signed note.")
        }
        guard ledgerVerified else {
            return unsigned(.ledgerNotVerified, "the ledger failed verification, so its tree was not signed.")
        }
        guard let key else {
            return unsigned(.noCheckpointKey, "the ledger has no checkpoint key that signs trees of \(size) entries, so the key given was not used.")
        }
        let signer: NoteSigner
        do {
            signer = try NoteSigner(name: key.origin, privateKey: privateKey)
        } catch {
            return unsigned(.keyNotCurrent, "the checkpoint key given is not an Ed25519 key, so it cannot be checkpoint key \(key.keyID), which signs trees of this size.")
        }
        guard signer.verifierKey.publicKey == key.publicKey else {
            return unsigned(.keyNotCurrent, "the checkpoint key given is not checkpoint key \(key.keyID) (introduced at entry \(key.introducedAt)), which signs trees of this size.")
        }
        let note = try checkpoint.sign(with: signer)
        let signed = PeriodCheckpoint(
            checkpoint: checkpoint, note: note, signing: .signed,
            signingDetail: "Signed by checkpoint key \(key.keyID) (introduced at entry \(key.introducedAt)), verifier key \(key.verifierKey.encoded).",
            unsignedReason: nil, currentKeyID: key.keyID)
        return (signed, nil)
    }

    /// Compares the previous quarter's checkpoint with the stored tree and
    /// proves the consistency of its tree with the period's.
    ///
    /// - Throws: `ReportError.Code.invalidOption` when the previous checkpoint's
    ///   tree is larger than the period's and this ledger still contains it,
    ///   which means it is not an earlier quarter's checkpoint.
    func previousCheckpoint(_ previous: Checkpoint, note: SignedNote?, period: PeriodCheckpoint) throws -> PreviousCheckpointCheck {
        let tree = ledger.merkleTree()
        let previousSize = previous.treeSize
        let periodSize = period.checkpoint.treeSize
        let storedSize = try tree.size()
        let ledgerRoot = previousSize <= storedSize ? try tree.root(size: previousSize) : nil
        let (signature, signatureDetail) = previousSignature(note, treeSize: previousSize)

        var proof: [[UInt8]] = []
        var proofVerified = false
        if previousSize <= periodSize {
            proof = try tree.consistencyProof(from: previousSize, to: periodSize)
            proofVerified = MerkleProof.verifyConsistency(
                oldSize: previousSize, newSize: periodSize, oldRoot: previous.rootHash,
                newRoot: period.checkpoint.rootHash, proof: proof)
        } else if ledgerRoot == previous.rootHash {
            throw ReportError(.invalidOption,
                "the previous checkpoint has tree size \(previousSize), after this period's checkpoint of size \(periodSize): give the checkpoint of the previous quarter's report")
        }
        return PreviousCheckpointCheck(
            checkpoint: previous, signature: signature, signatureDetail: signatureDetail, ledgerRootHash: ledgerRoot,
            consistencyProof: proof, proofVerified: proofVerified)
    }

    private func previousSignature(_ note: SignedNote?, treeSize: Int) -> (PreviousCheckpointCheck.Signature, String) {
        guard let note else {
            return (.unsigned, "The previous checkpoint was given without signatures, so only its tree size and root were compared.")
        }
        guard let key = currentKey(atSize: treeSize) else {
            return (.noCheckpointKey, "The previous checkpoint is signed, but this ledger has no checkpoint key that signs trees of \(treeSize) entries, so its signatures were not checked.")
        }
        do {
            _ = try LedgerCheckpoint.verify(note, history: keyHistory)
            return (.verified, "The previous checkpoint's signature is valid: checkpoint key \(key.keyID), current at tree size \(treeSize), signed it.")
        } catch {
            return (.invalid, "The previous checkpoint's signature is NOT valid for checkpoint key \(key.keyID), current at tree size \(treeSize): \(error)")
        }
    }

    /// Builds the inclusion proof of every entry of `change` in the checkpoint's tree, in sequence order.
    func inclusionProofs(change: String, checkpoint: Checkpoint) throws -> [EntryInclusionProof] {
        let size = checkpoint.treeSize
        guard size >= 1 else { return [] }
        let tree = ledger.merkleTree()
        var proofs: [EntryInclusionProof] = []
        try ledger.entries(EntryFilter(changeID: change, sequences: 1...Int64(size))) { entry in
            let leafIndex = Int(entry.sequence - 1)
            let leafHash = MerkleTree.leafHash(leafInput: entry.hash)
            let proof = try tree.inclusionProof(leafIndex: leafIndex, treeSize: size)
            let verified = MerkleProof.verifyInclusion(leafHash: leafHash, leafIndex: leafIndex, treeSize: size,
                                                       proof: proof, root: checkpoint.rootHash)
            proofs.append(EntryInclusionProof(entry: EntryReference(entry), kind: entry.kind.rawValue, leafIndex: leafIndex,
                                              leafHash: leafHash, proof: proof, verified: verified))
        }
        return proofs
    }
}
