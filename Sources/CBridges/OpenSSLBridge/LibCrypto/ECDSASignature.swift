import CLibcrypto

/// Conversion between the two ECDSA signature forms: the DER
/// `ECDSA-Sig-Value` SEQUENCE that libcrypto produces and reads
/// (RFC 3279 section 2.2.3), and the fixed-size r || s that JWS uses
/// (RFC 7518 section 3.4).
enum ECDSASignature {
    /// Converts a DER signature to r || s, each left-padded to `coordinateByteCount`.
    /// - Throws: `signingFailed` when the DER is malformed or r or s is too large.
    static func rawSignature(fromDER der: [UInt8], coordinateByteCount: Int) throws -> [UInt8] {
        let signature = try der.withUnsafeBufferPointer { buffer in
            var cursor = UnsafePointer(buffer.baseAddress)
            return try LibCrypto.unwrap(
                d2i_ECDSA_SIG(nil, &cursor, buffer.count),
                .signingFailed,
                "d2i_ECDSA_SIG failed on a \(buffer.count)-byte DER signature"
            )
        }
        defer { ECDSA_SIG_free(signature) }

        // ECDSA_SIG_get0 lends r and s; the ECDSA_SIG keeps owning them.
        var r: OpaquePointer?
        var s: OpaquePointer?
        ECDSA_SIG_get0(signature, &r, &s)
        guard let r, let s else {
            throw CryptoError(.signingFailed, "ECDSA_SIG_get0 returned no r or s")
        }
        return try BigNumber.paddedBigEndianBytes(of: r, byteCount: coordinateByteCount)
            + BigNumber.paddedBigEndianBytes(of: s, byteCount: coordinateByteCount)
    }

    /// Converts r || s to a DER signature.
    /// - Returns: `nil` when `raw` is not exactly twice `coordinateByteCount` bytes.
    static func derSignature(fromRaw raw: [UInt8], coordinateByteCount: Int) throws -> [UInt8]? {
        guard raw.count == 2 * coordinateByteCount else {
            return nil
        }
        let r = try BigNumber(bigEndian: Array(raw[..<coordinateByteCount]))
        let s = try BigNumber(bigEndian: Array(raw[coordinateByteCount...]))
        let signature = try LibCrypto.unwrap(ECDSA_SIG_new(), .internalError, "ECDSA_SIG_new failed")
        defer { ECDSA_SIG_free(signature) }

        // ECDSA_SIG_set0 takes ownership of r and s only when it succeeds.
        try r.withUnsafePointer { r in
            try s.withUnsafePointer { s in
                try LibCrypto.check(ECDSA_SIG_set0(signature, r, s), .internalError, "ECDSA_SIG_set0 failed")
            }
        }
        r.releaseOwnership()
        s.releaseOwnership()

        let length = Int(i2d_ECDSA_SIG(signature, nil))
        guard length > 0 else {
            throw LibCrypto.error(.internalError, "i2d_ECDSA_SIG failed to size the signature")
        }
        return try [UInt8](unsafeUninitializedCapacity: length) { buffer, initializedCount in
            var cursor = buffer.baseAddress
            let written = Int(i2d_ECDSA_SIG(signature, &cursor))
            guard written == length else {
                throw LibCrypto.error(.internalError, "i2d_ECDSA_SIG failed to encode the signature")
            }
            initializedCount = written
        }
    }
}
