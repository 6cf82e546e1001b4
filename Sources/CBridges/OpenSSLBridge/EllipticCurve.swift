/// An elliptic curve supported for ECDSA keys.
public enum EllipticCurve: String, CaseIterable, Hashable, Sendable {
    case p256 = "P-256"
    case p384 = "P-384"

    /// The curve's NIST name, which is also its JOSE `crv` value (RFC 7518 section 6.2.1.1).
    public var nistName: String { rawValue }

    /// Finds the curve whose NIST name is `nistName`, such as "P-256".
    public init?(nistName: String) {
        self.init(rawValue: nistName)
    }

    /// The length in bytes of one affine coordinate and of one half of a raw ECDSA signature.
    public var coordinateByteCount: Int {
        switch self {
        case .p256: 32
        case .p384: 48
        }
    }
}
