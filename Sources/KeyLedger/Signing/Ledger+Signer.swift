import JOSE
import OpenSSLBridge

/// The ledger signing key that must sign the next entry, as recorded in the ledger.
public struct LedgerSigner: Sendable {
    public let keyID: String
    public let algorithm: JWSAlgorithm
    public let publicJWK: JWK
    /// The sequence number of the genesis or handover entry that introduced the key.
    public let introducedAt: Int64
}

extension Ledger {
    /// Returns the current signer: the genesis key, or the key named by the latest handover.
    public func currentSigner() throws -> LedgerSigner {
        let introduction = try currentSignerIntroduction()
        let sequence = introduction.sequence
        do {
            guard let jwkValue = introduction.jwkValue else {
                throw LedgerError(.integrity, "entry \(sequence) names no signing key: run `keyledger verify`")
            }
            let jwk = try JWK(json: jwkValue)
            guard let keyID = jwk.keyID, let name = jwk.algorithm, let algorithm = JWSAlgorithm(rawValue: name) else {
                throw LedgerError(.integrity, "entry \(sequence) names a signing key without kid or alg: run `keyledger verify`")
            }
            return LedgerSigner(keyID: keyID, algorithm: algorithm, publicJWK: jwk, introducedAt: sequence)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.integrity, "entry \(sequence) has an unreadable signing key (\(error)): run `keyledger verify`")
        }
    }

    /// Reads the genesis or handover entry that introduced the current signer,
    /// with its `signing_key` member as stored, before any check of the key.
    private func currentSignerIntroduction() throws -> (sequence: Int64, canonical: [UInt8], jwkValue: JSONValue?) {
        try storage(path) {
            let rows = try connection.query(
                "SELECT seq, canonical FROM entries WHERE kind IN ('genesis', 'signing_key_rotated') ORDER BY seq DESC LIMIT 1")
            guard let row = rows.first, let canonical = row.bytes(1) else {
                throw LedgerError(.notALedger, "the ledger \(quoted(path)) has no genesis entry: create a new ledger with `keyledger init`")
            }
            let sequence = row.int64(0)
            do {
                let content = try EntryContent(canonical: canonical)
                return (sequence, canonical, content.body["signing_key"])
            } catch let error as LedgerError {
                throw error
            } catch {
                throw LedgerError(.integrity, "entry \(sequence) has an unreadable signing key (\(error)): run `keyledger verify`")
            }
        }
    }

    /// The key id that must sign the next entry.
    public func currentSignerKeyID() throws -> String {
        try currentSigner().keyID
    }

    /// Loads the private key at `path` as this ledger's signing key, with the algorithm the ledger recorded for it.
    ///
    /// - Throws: `LedgerError` with `.signerMismatch` when the key is not the current signer.
    public func loadSigningKey(path keyPath: String) throws -> SigningKey {
        let introduction = try currentSignerIntroduction()
        let privateKey = try KeyFile.loadPrivateKey(path: keyPath)

        // When the ledger's JWK is exactly this key's public JWK, it is a valid
        // key, because it derives from a private key that passed its key-pair
        // check. Building it again from the JWK would repeat libcrypto's public
        // key check, which takes milliseconds for RSA. The key id is kept for
        // the appends that follow, which would otherwise build it once more.
        if case .object(let members)? = introduction.jwkValue,
           case .string(let name)? = members["alg"],
           let algorithm = JWSAlgorithm(rawValue: name),
           let signingKey = try? SigningKey(privateKey: privateKey, algorithm: algorithm),
           signingKey.publicJWK.jsonValue == introduction.jwkValue {
            introducedSignerKeyIDs[Digest.sha256(introduction.canonical)] = signingKey.keyID
            return signingKey
        }

        // Any other key: check the ledger's JWK and report why the key does not fit.
        let signer = try currentSigner()
        // The key id is a thumbprint of the public key alone, so it is compared before
        // the algorithm is applied. A key of another type is then reported as the wrong key.
        let keyID = try SigningKey(privateKey: privateKey).keyID
        guard keyID == signer.keyID else {
            throw LedgerError(.signerMismatch,
                "the key in \(quoted(keyPath)) (kid \(keyID)) is not the ledger's current signing key (kid \(signer.keyID)): use the key named by the latest handover, see `keyledger signing-key show`")
        }
        return try SigningKey(privateKey: privateKey, algorithm: signer.algorithm)
    }
}
