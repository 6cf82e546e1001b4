import Foundation
import JOSE
import OpenSSLBridge

/// A private key that signs ledger entries, with its JWS algorithm and key id.
///
/// The key id is the RFC 7638 thumbprint of the public JWK, so anyone holding
/// the public key can recompute it. The private key stays in memory only; it
/// is never written to the ledger, printed or put in an error message.
public struct SigningKey: Sendable {
    public let privateKey: PrivateKey
    public let algorithm: JWSAlgorithm
    public let publicJWK: JWK
    /// The RFC 7638 thumbprint of `publicJWK`.
    public let keyID: String

    /// The JWS algorithms a ledger signing key may use, as docs/FORMAT.md lists them.
    public static let ledgerAlgorithms: [JWSAlgorithm] = [.rs256, .ps256, .es256, .es384, .edDSA]

    /// Wraps `privateKey`, choosing `algorithm` or the usual one for its type
    /// (RS256 for RSA, ES256 for P-256, ES384 for P-384, EdDSA for Ed25519).
    public init(privateKey: PrivateKey, algorithm: JWSAlgorithm? = nil) throws {
        let spec = privateKey.spec
        if case .rsa(let bits) = spec, bits < 2048 {
            throw LedgerError(.unreadableKey, "the RSA key has \(bits) bits: use a key of at least 2048 bits")
        }
        guard let chosen = algorithm ?? JWSAlgorithm.defaultAlgorithm(for: spec) else {
            throw LedgerError(.unreadableKey, "no JWS algorithm fits the key type (\(spec)): use an RSA, P-256, P-384 or Ed25519 key")
        }
        guard Self.ledgerAlgorithms.contains(chosen) else {
            let names = Self.ledgerAlgorithms.map(\.rawValue).joined(separator: ", ")
            throw LedgerError(.invalidInput, "algorithm \(chosen.rawValue) is not used for ledger signing keys: use one of \(names)")
        }
        guard chosen.fits(spec) else {
            throw LedgerError(.invalidInput, "algorithm \(chosen.rawValue) does not fit the key type (\(spec)): choose one that matches the key")
        }
        var jwk = try JWK(publicKey: privateKey.publicKey(), algorithm: chosen.rawValue)
        let thumbprint = try jwk.thumbprint()
        jwk.keyID = thumbprint
        self.privateKey = privateKey
        self.algorithm = chosen
        self.keyID = thumbprint
        self.publicJWK = jwk
    }

    /// Generates a new key pair for `algorithm` (2048-bit RSA for the RSA algorithms unless `rsaBits` sets another size).
    public static func generate(_ algorithm: JWSAlgorithm, rsaBits: Int = 2048) throws -> SigningKey {
        let spec: KeySpec
        switch algorithm {
        case .rs256, .rs384, .rs512, .ps256: spec = .rsa(bits: rsaBits)
        case .es256: spec = .ec(.p256)
        case .es384: spec = .ec(.p384)
        case .edDSA: spec = .ed25519
        }
        return try SigningKey(privateKey: PrivateKey.generate(spec), algorithm: algorithm)
    }

    /// Makes one signature and discards it, so that a key whose signatures
    /// do not verify is rejected before it is given a role in a ledger.
    ///
    /// - Throws: `LedgerError` with `.unreadableKey` as ``sign(entryHash:)`` does.
    func checkSigns() throws {
        _ = try sign(entryHash: [UInt8](repeating: 0, count: 32))
    }

    /// Signs an entry hash, returning a compact JWS with a detached payload.
    ///
    /// - Throws: `LedgerError` with `.unreadableKey` when the key's first
    ///   signature does not verify with its own public key.
    func sign(entryHash: [UInt8]) throws -> String {
        do {
            return try JWS.signDetached(payload: entryHash, key: privateKey, algorithm: algorithm, keyID: keyID)
        } catch let error as JOSEError where (error.underlyingError as? CryptoError)?.code == .inconsistentKeyPair {
            throw LedgerError(.unreadableKey,
                "the signing key \(keyID) made a signature that does not verify with its own public key, so its numbers do not belong together: replace the key file with a sound key")
        }
    }
}
