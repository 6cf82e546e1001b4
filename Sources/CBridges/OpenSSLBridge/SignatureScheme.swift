/// A signature algorithm together with its padding and hash function.
public enum SignatureScheme: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 section 8.2), as in JOSE RS256, RS384 and RS512.
    case rsaPKCS1v15(DigestAlgorithm)
    /// RSASSA-PSS (RFC 8017 section 8.1) with MGF1 over the same hash and a
    /// salt as long as the digest, as RFC 7518 section 3.5 requires for PS256.
    /// Verification accepts only that salt length.
    case rsaPSS(DigestAlgorithm)
    /// ECDSA with signatures as the fixed-size concatenation r || s, each
    /// left-padded to the curve's coordinate size (RFC 7518 section 3.4),
    /// not as DER.
    case ecdsa(DigestAlgorithm)
    /// Ed25519 (RFC 8032), which hashes the message itself.
    case ed25519

    /// Every scheme: PKCS #1 v1.5, PSS and ECDSA with each SHA-2 hash, then Ed25519.
    public static let allCases: [SignatureScheme] = DigestAlgorithm.allCases.flatMap {
        [SignatureScheme.rsaPKCS1v15($0), .rsaPSS($0), .ecdsa($0)]
    } + [.ed25519]

    /// The hash applied to the message before signing, or `nil` for Ed25519.
    public var digest: DigestAlgorithm? {
        switch self {
        case .rsaPKCS1v15(let digest), .rsaPSS(let digest), .ecdsa(let digest): digest
        case .ed25519: nil
        }
    }

    /// Tells whether a key of type `spec` can sign or verify with this
    /// scheme. Only the key type matters here: any SHA-2 hash goes with any
    /// curve, and JOSE's stricter pairings are checked by the JOSE module.
    public func fits(_ spec: KeySpec) -> Bool {
        switch (self, spec) {
        case (.rsaPKCS1v15, .rsa), (.rsaPSS, .rsa), (.ecdsa, .ec), (.ed25519, .ed25519): true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .rsaPKCS1v15(let digest): "RSASSA-PKCS1-v1_5 with \(digest.rawValue)"
        case .rsaPSS(let digest): "RSASSA-PSS with \(digest.rawValue)"
        case .ecdsa(let digest): "ECDSA with \(digest.rawValue)"
        case .ed25519: "Ed25519"
        }
    }
}
