extension PublicKey {
    /// The largest RSA modulus libcrypto accepts, in bits (its
    /// `OPENSSL_RSA_MAX_MODULUS_BITS`).
    private static let maximumRSAModulusBits = 16384

    /// Builds a public key from its numbers.
    ///
    /// RSA values must be unsigned big-endian without leading zero bytes
    /// (the Base64urlUInt rule of RFC 7518 section 2). The modulus may have
    /// up to 16384 bits, and libcrypto then requires an odd modulus and an
    /// odd exponent from 65537 to 2^256 - 1. EC coordinates must be exactly
    /// the curve's coordinate size and form a point on the curve. An Ed25519
    /// key must be 32 bytes.
    /// - Throws: ``CryptoError`` with code `invalidKeyComponents`, naming the
    ///   rejected value.
    public convenience init(components: PublicKeyComponents) throws {
        try Self.validateEncoding(components)
        self.init(handle: try KeyHandle.fromPublicComponents(components))
    }

    /// Reads the key's numbers.
    public func components() throws -> PublicKeyComponents {
        try handle.publicComponents()
    }

    private static func validateEncoding(_ components: PublicKeyComponents) throws {
        switch components {
        case .rsa(let modulus, let exponent):
            try validateUnsignedInteger(modulus, name: "RSA modulus")
            try validateUnsignedInteger(exponent, name: "RSA exponent")
            guard modulus.count * 8 <= maximumRSAModulusBits else {
                throw invalid("RSA modulus has \(modulus.count * 8) bits; at most \(maximumRSAModulusBits) are supported")
            }
        case .ec(let curve, let x, let y):
            for (name, coordinate) in [("x", x), ("y", y)] where coordinate.count != curve.coordinateByteCount {
                throw invalid(
                    "EC \(curve.nistName) coordinate \(name) has \(coordinate.count) bytes; expected \(curve.coordinateByteCount)"
                )
            }
        case .ed25519(let publicKey):
            guard publicKey.count == 32 else {
                throw invalid("Ed25519 public key has \(publicKey.count) bytes; expected 32")
            }
        }
    }

    private static func validateUnsignedInteger(_ bytes: [UInt8], name: String) throws {
        guard let first = bytes.first else {
            throw invalid("\(name) is empty")
        }
        guard first != 0 else {
            throw invalid("\(name) has a leading zero byte; use the shortest big-endian encoding")
        }
    }

    private static func invalid(_ reason: String) -> CryptoError {
        CryptoError(.invalidKeyComponents, reason)
    }
}
