import CLibcrypto

extension KeyHandle {
    /// Signs `message` with `EVP_DigestSign` in a context of its own, copied
    /// from the prepared one for `scheme`, so threads may sign with one handle
    /// at the same time.
    /// - Parameter prepared: The contexts made by ``SigningContexts/init(key:)`` for this handle.
    /// - Returns: The signature, for ECDSA as raw r || s.
    func sign(_ message: [UInt8], scheme: SignatureScheme, prepared contexts: SigningContexts) throws -> [UInt8] {
        guard scheme.fits(spec) else {
            throw CryptoError(.schemeMismatch, "\(scheme) cannot be used with a \(spec) key")
        }
        let prepared = try contexts.context(for: scheme)
        // EVP_PKEY_get_size is the largest signature the key can make: the
        // modulus size for RSA, the largest DER encoding for ECDSA, 64 for Ed25519.
        let capacity = Int(EVP_PKEY_get_size(pointer))

        let signature = try DigestContext().withUnsafePointer { context in
            try prepared.withUnsafePointer { prepared in
                try LibCrypto.check(
                    EVP_MD_CTX_copy_ex(context, prepared),
                    .signingFailed,
                    "EVP_MD_CTX_copy_ex failed for \(scheme) with a \(spec) key"
                )
            }
            return try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initializedCount in
                var length = capacity
                try LibCrypto.check(
                    EVP_DigestSign(context, buffer.baseAddress, &length, message, message.count),
                    .signingFailed,
                    "EVP_DigestSign failed for \(scheme) with a \(spec) key"
                )
                initializedCount = length
            }
        }

        guard case .ec(let curve) = spec else {
            return signature
        }
        return try ECDSASignature.rawSignature(fromDER: signature, coordinateByteCount: curve.coordinateByteCount)
    }

    /// Initializes `context` for signing with `scheme`, for ``SigningContexts``.
    func prepareSigning(_ context: DigestContext, scheme: SignatureScheme) throws {
        try context.withUnsafePointer { context in
            var keyContext: OpaquePointer?
            try LibCrypto.check(
                EVP_DigestSignInit(context, &keyContext, scheme.digest?.messageDigest.pointer, nil, pointer),
                .signingFailed,
                "EVP_DigestSignInit failed for \(scheme) with a \(spec) key"
            )
            try configurePadding(keyContext, scheme: scheme, failureCode: .signingFailed)
        }
    }

    /// Verifies `signature` over `message` with `EVP_DigestVerify`.
    ///
    /// - Parameter prepared: The contexts made by ``VerificationContexts/init(key:)`` for this handle.
    /// - Returns: `true` only for a valid signature. A scheme that does not
    ///   fit the key, a malformed signature and any libcrypto failure all
    ///   return `false`, and the thread's OpenSSL error queue is cleared.
    func verify(signature: [UInt8], for message: [UInt8], scheme: SignatureScheme,
                prepared contexts: VerificationContexts) -> Bool {
        let valid = (try? verifyOrThrow(signature: signature, for: message, scheme: scheme, prepared: scheme.fits(spec) ? contexts.context(for: scheme) : nil)) ?? false
        if !valid {
            LibCrypto.clearErrorQueue()
        }
        return valid
    }

    private func verifyOrThrow(signature: [UInt8], for message: [UInt8], scheme: SignatureScheme,
                               prepared: DigestContext?) throws -> Bool {
        guard scheme.fits(spec) else {
            return false
        }
        var encodedSignature = signature
        if case .ec(let curve) = spec {
            guard let der = try ECDSASignature.derSignature(
                fromRaw: signature, coordinateByteCount: curve.coordinateByteCount
            ) else {
                return false
            }
            encodedSignature = der
        }

        let context = try DigestContext()
        if let prepared {
            try context.withUnsafePointer { context in
                try prepared.withUnsafePointer { prepared in
                    try LibCrypto.check(
                        EVP_MD_CTX_copy_ex(context, prepared),
                        .internalError,
                        "EVP_MD_CTX_copy_ex failed for \(scheme) with a \(spec) key"
                    )
                }
            }
        } else {
            try prepareVerification(context, scheme: scheme)
        }
        return context.withUnsafePointer { context in
            // EVP_DigestVerify returns 1 for a valid signature, 0 for an
            // invalid one and a negative value for other failures.
            let result = EVP_DigestVerify(context, encodedSignature, encodedSignature.count, message, message.count)
            return result == 1
        }
    }

    /// Initializes `context` for verifying with `scheme`, for ``VerificationContexts``
    /// and for a scheme that has no prepared context.
    func prepareVerification(_ context: DigestContext, scheme: SignatureScheme) throws {
        try context.withUnsafePointer { context in
            var keyContext: OpaquePointer?
            try LibCrypto.check(
                EVP_DigestVerifyInit(context, &keyContext, scheme.digest?.messageDigest.pointer, nil, pointer),
                .internalError,
                "EVP_DigestVerifyInit failed for \(scheme) with a \(spec) key"
            )
            try configurePadding(keyContext, scheme: scheme, failureCode: .internalError)
        }
    }

    /// Initializes `context` for verifying signatures over digests made with
    /// `scheme`'s hash, with `EVP_PKEY_verify`, for ``SignatureVerifier``.
    /// `scheme` must have a hash, so it is not Ed25519.
    func prepareDigestVerification(_ context: KeyContext, scheme: SignatureScheme) throws {
        guard let digest = scheme.digest else {
            throw CryptoError(.internalError, "\(scheme) hashes the message itself, so it cannot verify a digest")
        }
        try context.withUnsafePointer { context in
            try LibCrypto.check(EVP_PKEY_verify_init(context), .internalError,
                                "EVP_PKEY_verify_init failed for \(scheme) with a \(spec) key")
            try LibCrypto.check(EVP_PKEY_CTX_set_signature_md(context, digest.messageDigest.pointer), .internalError,
                                "EVP_PKEY_CTX_set_signature_md failed for \(scheme) with a \(spec) key")
            try configurePadding(context, scheme: scheme, failureCode: .internalError)
        }
    }

    /// Sets RSASSA-PSS padding on the context that `EVP_DigestSignInit`,
    /// `EVP_DigestVerifyInit` or `EVP_PKEY_verify_init` made. PKCS #1 v1.5 is
    /// the RSA default, and the other schemes have no padding to set.
    private func configurePadding(
        _ keyContext: OpaquePointer?,
        scheme: SignatureScheme,
        failureCode: CryptoError.Code
    ) throws {
        guard case .rsaPSS(let digest) = scheme else {
            return
        }
        try LibCrypto.check(
            EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING),
            failureCode,
            "EVP_PKEY_CTX_set_rsa_padding failed for PSS"
        )
        try LibCrypto.check(
            EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, digest.messageDigest.pointer),
            failureCode,
            "EVP_PKEY_CTX_set_rsa_mgf1_md failed for \(digest.rawValue)"
        )
        try LibCrypto.check(
            EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST),
            failureCode,
            "EVP_PKEY_CTX_set_rsa_pss_saltlen failed"
        )
    }
}
