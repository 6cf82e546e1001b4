import CLibcrypto

extension KeyHandle {
    /// Reads the public numbers with `EVP_PKEY_get_bn_param` and
    /// `EVP_PKEY_get_octet_string_param`.
    func publicComponents() throws -> PublicKeyComponents {
        switch spec {
        case .rsa:
            let modulus = try bigNumberParameter(.rsaModulus)
            let exponent = try bigNumberParameter(.rsaExponent)
            return .rsa(modulus: modulus.minimalBigEndianBytes(), exponent: exponent.minimalBigEndianBytes())
        case .ec(let curve):
            let x = try bigNumberParameter(.ecPublicX)
            let y = try bigNumberParameter(.ecPublicY)
            return .ec(
                curve: curve,
                x: try x.paddedBigEndianBytes(byteCount: curve.coordinateByteCount),
                y: try y.paddedBigEndianBytes(byteCount: curve.coordinateByteCount)
            )
        case .ed25519:
            return .ed25519(publicKey: try octetStringParameter(.publicKey))
        }
    }

    private func bigNumberParameter(_ name: PersistentCString) throws -> BigNumber {
        var number: OpaquePointer?
        try LibCrypto.check(
            EVP_PKEY_get_bn_param(pointer, name.pointer, &number),
            .internalError,
            "EVP_PKEY_get_bn_param failed for \(String(cString: name.pointer)) of a \(spec) key"
        )
        return BigNumber(adopting: try LibCrypto.unwrap(number, .internalError, "EVP_PKEY_get_bn_param returned no number"))
    }

    private func octetStringParameter(_ name: PersistentCString) throws -> [UInt8] {
        var length = 0
        try LibCrypto.check(
            EVP_PKEY_get_octet_string_param(pointer, name.pointer, nil, 0, &length),
            .internalError,
            "EVP_PKEY_get_octet_string_param failed to size \(String(cString: name.pointer)) of a \(spec) key"
        )
        return try [UInt8](unsafeUninitializedCapacity: length) { buffer, initializedCount in
            var written = 0
            try LibCrypto.check(
                EVP_PKEY_get_octet_string_param(pointer, name.pointer, buffer.baseAddress, length, &written),
                .internalError,
                "EVP_PKEY_get_octet_string_param failed for \(String(cString: name.pointer)) of a \(spec) key"
            )
            initializedCount = written
        }
    }

    /// Builds a public key with `OSSL_PARAM_BLD` and `EVP_PKEY_fromdata`, then
    /// runs `EVP_PKEY_public_check` on it.
    ///
    /// The caller checks sizes and encodings first. libcrypto then rejects an
    /// EC point that is not on the curve. Its RSA check (from NIST SP 800-56B)
    /// rejects an even modulus or one with a small factor, and an exponent
    /// that is even or outside 65537...2^256 - 1.
    static func fromPublicComponents(_ components: PublicKeyComponents) throws -> KeyHandle {
        let builder = try ParameterBuilder()
        let algorithm: String
        switch components {
        case .rsa(let modulus, let exponent):
            algorithm = "RSA"
            try builder.pushUnsignedInteger(.rsaModulus, bigEndian: modulus)
            try builder.pushUnsignedInteger(.rsaExponent, bigEndian: exponent)
        case .ec(let curve, let x, let y):
            algorithm = "EC"
            try builder.pushUTF8String(.groupName, curve.nistName)
            // SEC 1 section 2.3.3 uncompressed point: 0x04 || x || y.
            try builder.pushOctetString(.publicKey, [0x04] + x + y)
        case .ed25519(let publicKey):
            algorithm = "ED25519"
            try builder.pushOctetString(.publicKey, publicKey)
        }
        let parameters = try builder.build()

        var key: OpaquePointer?
        try KeyContext(algorithm: algorithm).withUnsafePointer { context in
            try LibCrypto.check(
                EVP_PKEY_fromdata_init(context),
                .internalError,
                "EVP_PKEY_fromdata_init failed for \(algorithm)"
            )
            try parameters.withUnsafePointer { parameters in
                try LibCrypto.check(
                    EVP_PKEY_fromdata(context, &key, keyledger_EVP_PKEY_PUBLIC_KEY(), parameters),
                    .invalidKeyComponents,
                    "EVP_PKEY_fromdata rejected the \(algorithm) public key components"
                )
            }
        }
        let handle = try adopt(LibCrypto.unwrap(key, .internalError, "EVP_PKEY_fromdata returned no key"))

        try KeyContext(key: handle).withUnsafePointer { context in
            try LibCrypto.check(
                EVP_PKEY_public_check(context),
                .invalidKeyComponents,
                "the \(algorithm) public key components do not form a valid public key"
            )
        }
        return handle
    }
}
