import CLibcrypto

extension KeyHandle {
    /// The parts of a key that a decoder must find.
    enum DecodingSelection {
        case privateKey
        case publicKey

        fileprivate var value: Int32 {
            switch self {
            case .privateKey: keyledger_EVP_PKEY_KEYPAIR()
            case .publicKey: keyledger_EVP_PKEY_PUBLIC_KEY()
            }
        }
    }

    /// Decodes one PEM block with libcrypto's `OSSL_DECODER`, which reads
    /// PKCS#8 (plain and encrypted), SubjectPublicKeyInfo, and the
    /// traditional RSA and EC structures.
    ///
    /// - Parameters:
    ///   - pem: One PEM block, from its BEGIN line to its END line.
    ///   - selection: Whether the block must hold a private key or a public key.
    ///   - passphrase: The passphrase for an encrypted block, or `nil`.
    ///   - keyType: The key type the block is expected to hold, or `nil` for any.
    ///     When a hinted decode fails, the block is decoded again without it.
    ///   - failureCode: The error code to throw when decoding fails.
    ///   - failureReason: The reason to throw when decoding fails. It must not quote the PEM text.
    static func decodePEM(
        _ pem: String,
        selection: DecodingSelection,
        passphrase: [UInt8]?,
        keyType: DecoderKeyType? = nil,
        failureCode: CryptoError.Code,
        failureReason: String
    ) throws -> KeyHandle {
        if let keyType, let handle = try? decodePEMOnce(
            pem, selection: selection, passphrase: passphrase, keyType: keyType,
            failureCode: failureCode, failureReason: failureReason
        ) {
            return handle
        }
        LibCrypto.clearErrorQueue()
        return try decodePEMOnce(
            pem, selection: selection, passphrase: passphrase, keyType: nil,
            failureCode: failureCode, failureReason: failureReason
        )
    }

    private static func decodePEMOnce(
        _ pem: String,
        selection: DecodingSelection,
        passphrase: [UInt8]?,
        keyType: DecoderKeyType?,
        failureCode: CryptoError.Code,
        failureReason: String
    ) throws -> KeyHandle {
        // The decoder context keeps this address and writes the key to it
        // during OSSL_DECODER_from_data, so it must outlive both calls.
        let decodedKey = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: 1)
        decodedKey.initialize(to: nil)
        defer { decodedKey.deallocate() }

        let context = try LibCrypto.unwrap(
            OSSL_DECODER_CTX_new_for_pkey(
                decodedKey, PersistentCString.pemInputType.pointer, nil, keyType?.name.pointer, selection.value, nil, nil
            ),
            .internalError,
            "OSSL_DECODER_CTX_new_for_pkey failed"
        )
        defer { OSSL_DECODER_CTX_free(context) }

        if let passphrase {
            try LibCrypto.check(
                OSSL_DECODER_CTX_set_passphrase(context, passphrase, passphrase.count),
                .internalError,
                "OSSL_DECODER_CTX_set_passphrase failed"
            )
        }

        var utf8 = Array(pem.utf8)
        let decoded = utf8.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var data = UnsafePointer(buffer.baseAddress)
            var remaining = buffer.count
            return OSSL_DECODER_from_data(context, &data, &remaining)
        }
        guard decoded == 1, let key = decodedKey.pointee else {
            if let key = decodedKey.pointee {
                EVP_PKEY_free(key)
            }
            throw LibCrypto.error(failureCode, failureReason)
        }
        let handle = try adopt(key)
        if selection == .privateKey {
            try handle.checkKeyPair(failureCode: failureCode, failureReason: failureReason)
        }
        return handle
    }

    /// Decodes a DER SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7).
    /// - Throws: `decodingFailed` when the bytes are not exactly one SubjectPublicKeyInfo.
    static func decodeSubjectPublicKeyInfo(_ der: [UInt8]) throws -> KeyHandle {
        let (key, consumed) = der.withUnsafeBufferPointer { buffer -> (OpaquePointer?, Int) in
            var cursor = UnsafePointer(buffer.baseAddress)
            let key = d2i_PUBKEY(nil, &cursor, buffer.count)
            let consumed = cursor.map { $0 - buffer.baseAddress! } ?? 0
            return (key, consumed)
        }
        guard let key else {
            throw LibCrypto.error(.decodingFailed, "the \(der.count) bytes are not a DER SubjectPublicKeyInfo")
        }
        guard consumed == der.count else {
            EVP_PKEY_free(key)
            throw CryptoError(
                .decodingFailed,
                "\(der.count - consumed) bytes follow the DER SubjectPublicKeyInfo"
            )
        }
        return try adopt(key)
    }
}
