import JOSE
import OpenSSLBridge

extension Ledger {
    /// Reads every checkpoint key the ledger introduced, oldest first: the
    /// genesis entry's, if it has one, then one per `checkpoint_key_rotated` entry.
    ///
    /// This reads the entries as stored and checks neither signatures nor
    /// handovers: ``verify(_:progress:)`` does, and records the same history
    /// in ``VerificationResult/checkpointKeys``.
    /// - Throws: `LedgerError.Code.integrity` when an entry's checkpoint key is malformed.
    public func checkpointKeys() throws -> [LedgerCheckpointKey] {
        try storage(path) { try checkpointKeysLocked() }
    }

    /// Returns the key that signs the ledger's next checkpoint, or nil when
    /// the ledger has no checkpoint key.
    public func currentCheckpointKey() throws -> LedgerCheckpointKey? {
        try checkpointKeys().last
    }

    func checkpointKeysLocked() throws -> [LedgerCheckpointKey] {
        let statement = try connection.prepare(
            "SELECT seq, canonical FROM entries WHERE seq = 1 OR kind = ? ORDER BY seq")
        try statement.bind([.text(EntryKind.checkpointKeyRotated.rawValue)])
        var keys: [LedgerCheckpointKey] = []
        try statement.forEachRow { row in
            let sequence = row.int64(0)
            let content: EntryContent
            do {
                content = try EntryContent(canonical: row.bytes(1) ?? [])
            } catch {
                throw LedgerError(.integrity, "entry \(sequence) cannot be decoded (\(error)): run `keyledger verify`")
            }
            if let key = try LedgerCheckpointKey(body: content.body, sequence: sequence) {
                keys.append(key)
            }
        }
        return keys
    }

    /// Creates the note signer for `privateKey`, after checking that it is
    /// the ledger's current checkpoint key. The signer's name is the key's origin.
    /// - Throws: `LedgerError.Code.notAllowed` when the ledger has no
    ///   checkpoint key, `signerMismatch` when `privateKey` is another key.
    public func checkpointSigner(privateKey: PrivateKey) throws -> NoteSigner {
        guard let current = try currentCheckpointKey() else {
            throw LedgerError(.notAllowed,
                "the ledger \(quoted(path)) has no checkpoint key: add one with `keyledger checkpoint key rotate`")
        }
        let keyID = try LedgerCheckpointKey.publicJWK(of: privateKey).keyID ?? ""
        guard keyID == current.keyID else {
            throw LedgerError(.signerMismatch,
                "the key given (kid \(keyID)) is not the ledger's current checkpoint key (kid \(current.keyID)): use the key named by `keyledger checkpoint key show`")
        }
        return try NoteSigner(name: current.origin, privateKey: privateKey)
    }

    /// Builds the checkpoint of the whole ledger, signed by its current
    /// checkpoint key with the key's origin, and returns the signed note.
    /// - Throws: `LedgerError.Code.signerMismatch` when `checkpointKey` is
    ///   not the current checkpoint key; see ``checkpointSigner(privateKey:)``.
    public func signCheckpoint(checkpointKey: PrivateKey) throws -> SignedNote {
        try signCheckpoint(with: checkpointSigner(privateKey: checkpointKey))
    }

    /// Appends a `checkpoint_key_rotated` entry that introduces `newKey` as
    /// the ledger's checkpoint key, signed by the current ledger signing key.
    ///
    /// When the ledger already has a checkpoint key, `previous` must be its
    /// private key, which signs the handover message
    /// (``LedgerCheckpointKey/handoverMessage(ledgerID:newKeyID:)``), so a
    /// rotation needs both the entry signing key and the outgoing checkpoint
    /// key. Checkpoints of trees that include the entry must be signed by `newKey`.
    ///
    /// - Parameters:
    ///   - origin: The origin for `newKey`'s checkpoints. Default: the
    ///     outgoing key's origin, or `keyledger/<ledger_id>` for the first key.
    ///   - reason: Why the key changes, recorded in the entry.
    /// - Throws: `LedgerError.Code.invalidInput` when `newKey` is not Ed25519,
    ///   equals a current or earlier entry signing key or the current
    ///   checkpoint key, is a JWT signing key recorded in the ledger, or
    ///   `previous` is given for a ledger without a checkpoint key.
    ///   `signerMismatch` when `previous` is missing or is not the current
    ///   checkpoint key, or `signingKey` is not the current ledger signing key.
    @discardableResult
    public func rotateCheckpointKey(to newKey: PrivateKey, previous: PrivateKey?, actor: String,
                                    signingKey: SigningKey, reason: String? = nil,
                                    origin: String? = nil) throws -> Entry {
        let newJWK = try LedgerCheckpointKey.publicJWK(of: newKey)
        let newKeyID = newJWK.keyID ?? ""
        guard newKeyID != signingKey.keyID else {
            throw LedgerError(.invalidInput,
                "the new checkpoint key is the ledger signing key (kid \(newKeyID)): use a separate Ed25519 key for checkpoints")
        }
        if let origin { try LedgerCheckpointKey.checkOrigin(origin) }
        let previousKeyID = try previous.map { try LedgerCheckpointKey.publicJWK(of: $0).keyID ?? "" }

        let entries = try append(signingKey: signingKey) {
            try rejectManagedKey(newKeyID, role: "checkpoint key")
            // A signing key handed over for age or exposure must not come back to vouch for the tree.
            if try isLedgerSigningKey(newKeyID) {
                throw LedgerError(.invalidInput,
                    "the new checkpoint key (kid \(newKeyID)) is an earlier signing key of this ledger: use a separate Ed25519 key for checkpoints")
            }
            var body: [String: JSONValue] = ["checkpoint_key": newJWK.jsonValue]
            if let reason { body["reason"] = .string(reason) }
            if let current = try checkpointKeysLocked().last {
                guard newKeyID != current.keyID else {
                    throw LedgerError(.invalidInput,
                        "the new checkpoint key is the current one (kid \(newKeyID)): generate or give a different key")
                }
                guard let previous, let previousKeyID else {
                    throw LedgerError(.signerMismatch,
                        "the ledger's checkpoint key is \(current.keyID): give it as the previous key, because it must sign the handover")
                }
                guard previousKeyID == current.keyID else {
                    throw LedgerError(.signerMismatch,
                        "the previous key given (kid \(previousKeyID)) is not the ledger's current checkpoint key (kid \(current.keyID))")
                }
                let signature = try Ed25519NoteKey.sign(
                    LedgerCheckpointKey.handoverMessage(ledgerID: ledgerID, newKeyID: newKeyID), with: previous)
                body["checkpoint_origin"] = .string(origin ?? current.origin)
                body["previous_checkpoint_kid"] = .string(current.keyID)
                body["previous_key_signature"] = .string(Base64URL.encode(signature))
            } else {
                guard previous == nil else {
                    throw LedgerError(.invalidInput,
                        "the ledger has no checkpoint key yet, so there is no previous key to sign a handover: leave the previous key out")
                }
                body["checkpoint_origin"] = .string(origin ?? LedgerCheckpointKey.defaultOrigin(ledgerID: ledgerID))
            }
            return [try Event(reservedKind: .checkpointKeyRotated, actor: actor, body: body)]
        }
        return entries[0]
    }

    /// Builds the `checkpoint_key` and `checkpoint_origin` members of a genesis body.
    /// - Throws: `LedgerError.Code.invalidInput` when the key is not Ed25519,
    ///   equals the signing key, or the origin is not a valid key name.
    static func genesisCheckpointMembers(checkpointKey: PrivateKey, origin: String,
                                         signingKey: SigningKey) throws -> [String: JSONValue] {
        let jwk = try LedgerCheckpointKey.publicJWK(of: checkpointKey)
        guard jwk.keyID != signingKey.keyID else {
            throw LedgerError(.invalidInput,
                "the checkpoint key is the ledger signing key (kid \(signingKey.keyID)): use a separate Ed25519 key for checkpoints")
        }
        try LedgerCheckpointKey.checkOrigin(origin)
        return ["checkpoint_key": jwk.jsonValue, "checkpoint_origin": .string(origin)]
    }
}
