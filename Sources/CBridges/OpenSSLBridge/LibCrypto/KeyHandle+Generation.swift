import CLibcrypto

extension KeyHandle {
    /// Generates a new key pair with libcrypto's default random generator.
    ///
    /// RSA keys use the public exponent 65537. The caller checks the RSA size.
    static func generate(_ spec: KeySpec) throws -> KeyHandle {
        let algorithm: String
        switch spec {
        case .rsa: algorithm = "RSA"
        case .ec: algorithm = "EC"
        case .ed25519: algorithm = "ED25519"
        }
        let exponent = try BigNumber(bigEndian: [0x01, 0x00, 0x01])

        var key: OpaquePointer?
        try KeyContext(algorithm: algorithm).withUnsafePointer { context in
            try LibCrypto.check(
                EVP_PKEY_keygen_init(context),
                .keyGenerationFailed,
                "EVP_PKEY_keygen_init failed for \(spec)"
            )
            switch spec {
            case .rsa(let bits):
                try LibCrypto.check(
                    EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(bits)),
                    .keyGenerationFailed,
                    "EVP_PKEY_CTX_set_rsa_keygen_bits failed for \(bits) bits"
                )
                try exponent.withUnsafePointer { exponent in
                    try LibCrypto.check(
                        EVP_PKEY_CTX_set1_rsa_keygen_pubexp(context, exponent),
                        .keyGenerationFailed,
                        "EVP_PKEY_CTX_set1_rsa_keygen_pubexp failed"
                    )
                }
            case .ec(let curve):
                try LibCrypto.check(
                    EVP_PKEY_CTX_set_group_name(context, curve.nistName),
                    .keyGenerationFailed,
                    "EVP_PKEY_CTX_set_group_name failed for \(curve.nistName)"
                )
            case .ed25519:
                break
            }
            try LibCrypto.check(
                EVP_PKEY_generate(context, &key),
                .keyGenerationFailed,
                "EVP_PKEY_generate failed for \(spec)"
            )
        }
        return try adopt(LibCrypto.unwrap(key, .keyGenerationFailed, "EVP_PKEY_generate returned no key"))
    }
}
