import CLibcrypto

/// The owner of one `EVP_PKEY*`, which it frees in `deinit`, together with
/// the key's type and size.
///
/// A handle is never changed after it is made, and libcrypto allows
/// concurrent operations on an unchanged `EVP_PKEY` when each operation has
/// its own context, so handles may be shared between threads.
final class KeyHandle: @unchecked Sendable {
    /// The key. It is used only where the handle is sure to be alive: in
    /// methods of this class, and in functions that take the handle as an
    /// argument.
    let pointer: OpaquePointer
    let spec: KeySpec

    private init(pointer: OpaquePointer, spec: KeySpec) {
        self.pointer = pointer
        self.spec = spec
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// Takes ownership of `pointer`, or frees it and throws
    /// `unsupportedKeyType` when the key is not RSA, EC P-256, EC P-384 or Ed25519.
    static func adopt(_ pointer: OpaquePointer) throws -> KeyHandle {
        do {
            return KeyHandle(pointer: pointer, spec: try spec(of: pointer))
        } catch {
            EVP_PKEY_free(pointer)
            throw error
        }
    }

    private static func spec(of key: OpaquePointer) throws -> KeySpec {
        if EVP_PKEY_is_a(key, "RSA") == 1 {
            return .rsa(bits: Int(EVP_PKEY_get_bits(key)))
        }
        if EVP_PKEY_is_a(key, "ED25519") == 1 {
            return .ed25519
        }
        if EVP_PKEY_is_a(key, "EC") == 1 {
            return .ec(try curve(of: key))
        }
        let typeName = EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "unknown"
        throw CryptoError(
            .unsupportedKeyType,
            "key type \(typeName) is not supported; use RSA, EC P-256, EC P-384 or Ed25519"
        )
    }

    private static func curve(of key: OpaquePointer) throws -> EllipticCurve {
        var length = 0
        let name = try withUnsafeTemporaryAllocation(of: CChar.self, capacity: 80) { buffer in
            try LibCrypto.check(
                EVP_PKEY_get_group_name(key, buffer.baseAddress, buffer.count, &length),
                .unsupportedKeyType,
                "EVP_PKEY_get_group_name failed for an EC key without a named curve"
            )
            return String(cString: buffer.baseAddress!)
        }
        // libcrypto 3.0 reports the curve by its short name (prime256v1).
        // NIST names such as P-256 are recognized too.
        var nid = OBJ_sn2nid(name)
        if nid == NID_undef {
            nid = EC_curve_nist2nid(name)
        }
        switch nid {
        case NID_X9_62_prime256v1:
            return .p256
        case NID_secp384r1:
            return .p384
        default:
            throw CryptoError(
                .unsupportedKeyType,
                "EC curve \(name) is not supported; use P-256 or P-384"
            )
        }
    }
}
