import JOSE

extension Ledger {
    /// Checks that the key with public JWK `publicJWK` may sign API tokens
    /// under the header `kid` `keyID`, as recorded in this ledger.
    ///
    /// A key that signs ledger entries or checkpoints must never sign API
    /// tokens. A `kid` that the ledger records for another public key (a
    /// managed key's thumbprint or provider kid, a signing key or a
    /// checkpoint key) would make a verifier pick that key, so it is rejected
    /// too. Any other `kid`, such as one a provider chose, is accepted, and so
    /// is a key that the ledger does not record.
    ///
    /// A managed key that is retired or rolled back in every environment that
    /// records it has left the JWK Set, or is about to, so it must not sign
    /// new tokens either. A key that is generated but not yet published may,
    /// for tests before it is served.
    ///
    /// The ledger is read as stored. Call
    /// ``checkTokenSigningKey(_:keyID:verifying:)`` instead when the records
    /// must be trusted.
    /// - Throws: `LedgerError` with the code `invalidInput` naming the
    ///   conflict and the fix.
    public func checkTokenSigningKey(_ publicJWK: JWK, keyID: String) throws {
        let thumbprint = try publicJWK.thumbprint()
        // Like verify, it reads in the caller's transaction when there is one.
        if !connection.isAutocommit {
            return try checkTokenSigningKeyInTransaction(thumbprint: thumbprint, keyID: keyID)
        }
        try withReadTransaction { try checkTokenSigningKeyInTransaction(thumbprint: thumbprint, keyID: keyID) }
    }

    /// Verifies the whole ledger, as ``verify(_:progress:)`` does, and then
    /// checks the token signing key as ``checkTokenSigningKey(_:keyID:)``
    /// does, in one read transaction, which is the caller's when there is one.
    ///
    /// Someone who can write the ledger file but has none of its keys can
    /// alter or delete the records that the check reads, so that one of the
    /// ledger's own keys, or a kid recorded for another key, passes. The
    /// verification finds such a change before the check relies on it.
    /// - Parameter options: The verification options. Give `trustAnchor`, the
    ///   genesis signing key's id kept outside the ledger: without it the
    ///   ledger is checked against its own genesis key only.
    /// - Returns: The verification result, whose `trustAnchorChecked` is true when
    ///   whether a trust anchor was checked.
    /// - Throws: `LedgerError` with the code `integrity` naming the first
    ///   entry that failed verification and the reason, or as
    ///   ``checkTokenSigningKey(_:keyID:)`` throws.
    @discardableResult
    public func checkTokenSigningKey(_ publicJWK: JWK, keyID: String,
                                     verifying options: VerifyOptions) throws -> VerificationResult {
        let thumbprint = try publicJWK.thumbprint()
        switch try readVerified(options, { try checkTokenSigningKeyInTransaction(thumbprint: thumbprint, keyID: keyID) }) {
        case .valid(let verification, _):
            return verification
        case .invalid(let verification):
            let failure = verification.failure!
            throw LedgerError(.integrity,
                "the ledger failed verification at entry \(failure.sequence) (\(failure.reason.rawValue)): \(failure.detail). Its records cannot be trusted to check the token signing key (thumbprint \(thumbprint)): run `keyledger verify` with the same trust anchor for the details")
        }
    }

    private func checkTokenSigningKeyInTransaction(thumbprint: String, keyID: String) throws {
        if try isLedgerSigningKey(thumbprint) {
            throw LedgerError(.invalidInput,
                "the token signing key (thumbprint \(thumbprint)) is a signing key of this ledger: a key that signs ledger entries must not also sign API tokens, so sign with a key from `keyledger key generate`")
        }
        let checkpointKeys = try checkpointKeysLocked()
        if checkpointKeys.contains(where: { $0.keyID == thumbprint }) {
            throw LedgerError(.invalidInput,
                "the token signing key (thumbprint \(thumbprint)) is a checkpoint key of this ledger: a key that signs checkpoints must not also sign API tokens, so sign with a key from `keyledger key generate`")
        }
        let records = try keys()
        let ownRecords = records.filter { $0.keyID == thumbprint }
        if !ownRecords.isEmpty, ownRecords.allSatisfy({ $0.state == .retired || $0.state == .rolledBack }) {
            let ends = ownRecords.map { record in
                "\(record.state.rawValue) in \(quoted(record.environment))\(record.ended.map { " at entry \($0.sequence)" } ?? "")"
            }
            throw LedgerError(.invalidInput,
                "the token signing key (thumbprint \(thumbprint)) is out of service (\(ends.joined(separator: ", "))): verifiers drop a key that leaves the JWK Set, so sign with a published key, see `keyledger key list`")
        }
        if keyID == thumbprint {
            return
        }
        if try isLedgerSigningKey(keyID) || checkpointKeys.contains(where: { $0.keyID == keyID }) {
            throw LedgerError(.invalidInput,
                "kid \(quoted(keyID)) is a key id of this ledger's own signing or checkpoint key, not of the token signing key (thumbprint \(thumbprint)): use the kid that the JWK Set lists for this key")
        }
        for record in records where record.keyID != thumbprint
            && (record.keyID == keyID || record.providerKeyID == keyID) {
            throw LedgerError(.invalidInput,
                "kid \(quoted(keyID)) is recorded in this ledger for another public key (\(record.keyID) in \(quoted(record.environment))), not for the token signing key (thumbprint \(thumbprint)): use the kid that the JWK Set lists for this key, such as its thumbprint")
        }
    }
}
