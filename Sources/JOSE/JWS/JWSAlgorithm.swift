import OpenSSLBridge

/// A JWS signature algorithm (RFC 7518 section 3.1, RFC 8037 section 3.1)
/// that this module signs and verifies with.
///
/// HMAC algorithms (HS256 and others) and `none` are deliberately absent: a
/// verifier given a public key must never treat it as a shared secret or
/// accept an unsigned token.
public enum JWSAlgorithm: String, CaseIterable, Sendable {
    case rs256 = "RS256"
    case rs384 = "RS384"
    case rs512 = "RS512"
    case ps256 = "PS256"
    case es256 = "ES256"
    case es384 = "ES384"
    case edDSA = "EdDSA"

    /// The smallest RSA modulus RFC 7518 sections 3.3 and 3.5 allow, in bits.
    public static let minimumRSABits = 2048

    /// The bridge scheme that implements the algorithm.
    public var signatureScheme: SignatureScheme {
        switch self {
        case .rs256: .rsaPKCS1v15(.sha256)
        case .rs384: .rsaPKCS1v15(.sha384)
        case .rs512: .rsaPKCS1v15(.sha512)
        case .ps256: .rsaPSS(.sha256)
        case .es256: .ecdsa(.sha256)
        case .es384: .ecdsa(.sha384)
        case .edDSA: .ed25519
        }
    }

    /// Tells whether a key of type `spec` may be used with this algorithm.
    ///
    /// RS* and PS256 need RSA of at least 2048 bits, and EdDSA needs Ed25519.
    /// ES256 needs P-256 and ES384 needs P-384, because RFC 7518 section 3.4
    /// ties each ES algorithm to one curve.
    public func fits(_ spec: KeySpec) -> Bool {
        switch (self, spec) {
        case (.rs256, .rsa(let bits)), (.rs384, .rsa(let bits)), (.rs512, .rsa(let bits)), (.ps256, .rsa(let bits)):
            bits >= Self.minimumRSABits
        case (.es256, .ec(.p256)), (.es384, .ec(.p384)), (.edDSA, .ed25519):
            true
        default:
            false
        }
    }

    /// Returns the usual algorithm for a key type: RS256 for RSA of at least
    /// 2048 bits, ES256 for P-256, ES384 for P-384 and EdDSA for Ed25519, or
    /// `nil` for a smaller RSA key.
    public static func defaultAlgorithm(for spec: KeySpec) -> JWSAlgorithm? {
        switch spec {
        case .rsa(let bits): bits >= minimumRSABits ? .rs256 : nil
        case .ec(.p256): .es256
        case .ec(.p384): .es384
        case .ed25519: .edDSA
        }
    }
}
