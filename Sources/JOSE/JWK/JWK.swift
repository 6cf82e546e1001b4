import OpenSSLBridge

/// A public JSON Web Key (RFC 7517) of type RSA, EC (P-256, P-384) or OKP
/// (Ed25519, RFC 8037).
///
/// Only public keys are represented. Reading a JWK that contains private key
/// members fails, so private key material never enters this type. Members
/// this type does not model are kept in ``otherMembers`` and written back by
/// ``jsonValue``, so a key passes through unchanged.
public struct JWK: Equatable, Sendable {
    /// The public key numbers, from the `kty`, `crv`, `n`, `e`, `x` and `y` members.
    public var components: PublicKeyComponents
    /// The `kid` member: an identifier chosen by the key's owner.
    public var keyID: String?
    /// The `alg` member: the algorithm the key is meant for, such as "RS256".
    public var algorithm: String?
    /// The `use` member: "sig" or "enc".
    public var use: String?
    /// The `key_ops` member: the operations the key is meant for, such as "verify".
    public var keyOperations: [String]?
    /// The `x5c` member: base64 (not base64url) DER certificates, the first
    /// one certifying this key (RFC 7517 section 4.7).
    public var x509CertificateChain: [String]?
    /// The `x5t` member: the base64url SHA-1 thumbprint of the first certificate.
    public var x509Thumbprint: String?
    /// The `x5t#S256` member: the base64url SHA-256 thumbprint of the first certificate.
    public var x509ThumbprintSHA256: String?
    /// Every other member, unchanged, such as a provider's `issuer`.
    public var otherMembers: [String: JSONValue]

    /// Creates a JWK from its parts.
    public init(
        components: PublicKeyComponents,
        keyID: String? = nil,
        algorithm: String? = nil,
        use: String? = nil,
        keyOperations: [String]? = nil,
        x509CertificateChain: [String]? = nil,
        x509Thumbprint: String? = nil,
        x509ThumbprintSHA256: String? = nil,
        otherMembers: [String: JSONValue] = [:]
    ) {
        self.components = components
        self.keyID = keyID
        self.algorithm = algorithm
        self.use = use
        self.keyOperations = keyOperations
        self.x509CertificateChain = x509CertificateChain
        self.x509Thumbprint = x509Thumbprint
        self.x509ThumbprintSHA256 = x509ThumbprintSHA256
        self.otherMembers = otherMembers
    }

    /// Creates the JWK of a public key.
    /// - Throws: ``JOSEError`` with code `invalidKey` when the key's numbers cannot be read.
    public init(publicKey: PublicKey, keyID: String? = nil, algorithm: String? = nil, use: String? = nil) throws {
        let components: PublicKeyComponents
        do {
            components = try publicKey.components()
        } catch {
            throw JOSEError(.invalidKey, "could not read the numbers of the \(publicKey.spec) public key", underlyingError: error)
        }
        self.init(components: components, keyID: keyID, algorithm: algorithm, use: use)
    }

    /// The `kty` value: "RSA", "EC" or "OKP".
    public var keyType: String {
        switch components {
        case .rsa: "RSA"
        case .ec: "EC"
        case .ed25519: "OKP"
        }
    }

    /// Builds the public key in libcrypto.
    /// - Throws: ``JOSEError`` with code `invalidKey` when the numbers do not
    ///   form a valid key, for example an EC point that is not on the curve.
    public func publicKey() throws -> PublicKey {
        do {
            return try PublicKey(components: components)
        } catch {
            throw JOSEError(.invalidKey, "the \(keyType) JWK\(keyIDSuffix) is not a valid public key", underlyingError: error)
        }
    }

    /// " with kid \"…\"" for messages, or nothing when the key has no `kid`.
    var keyIDSuffix: String {
        keyID.map { " with kid \"\($0)\"" } ?? ""
    }
}
