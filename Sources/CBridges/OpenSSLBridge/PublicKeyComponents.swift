/// The public numbers of a key, in the byte layouts JWK uses (RFC 7518 section 6).
public enum PublicKeyComponents: Hashable, Sendable {
    /// An RSA public key. Both values are unsigned big-endian integers
    /// without leading zero bytes.
    case rsa(modulus: [UInt8], exponent: [UInt8])
    /// An EC public point. Each coordinate is left-padded with zero bytes to
    /// the curve's ``EllipticCurve/coordinateByteCount``.
    case ec(curve: EllipticCurve, x: [UInt8], y: [UInt8])
    /// An Ed25519 public key, 32 bytes (RFC 8032 section 5.1.5).
    case ed25519(publicKey: [UInt8])
}
