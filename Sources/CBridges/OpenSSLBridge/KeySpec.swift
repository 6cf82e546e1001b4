/// The type and size of a key.
public enum KeySpec: Hashable, Sendable, CustomStringConvertible {
    /// An RSA key with a modulus of `bits` bits.
    case rsa(bits: Int)
    /// An ECDSA key on `curve`.
    case ec(EllipticCurve)
    /// An Ed25519 key (RFC 8032).
    case ed25519

    /// Accepted RSA modulus sizes for ``PrivateKey/generate(_:)``. Smaller
    /// keys are too weak for JOSE, which requires at least 2048 bits
    /// (RFC 7518 section 3.3), and larger ones take minutes to generate.
    public static let generatableRSABits = 2048...8192

    public var description: String {
        switch self {
        case .rsa(let bits): "RSA-\(bits)"
        case .ec(let curve): "EC \(curve.nistName)"
        case .ed25519: "Ed25519"
        }
    }
}
