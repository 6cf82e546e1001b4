import CLibcrypto

extension KeyHandle {
    /// The key type that a decoder expects.
    ///
    /// Without one, `OSSL_DECODER_CTX_new_for_pkey` gathers the decoders of
    /// every key type that the providers offer. Naming the type saved about
    /// 2.9 million of the 8.8 million instructions that decoding a PKCS#8
    /// RSA key cost with libcrypto 3.0 (callgrind), in every command that
    /// loads a signing key.
    enum DecoderKeyType {
        case rsa
        case rsaPSS
        case ec
        case ed25519

        var name: PersistentCString {
            switch self {
            case .rsa: .rsaKeyType
            case .rsaPSS: .rsaPSSKeyType
            case .ec: .ecKeyType
            case .ed25519: .ed25519KeyType
            }
        }

        /// Returns the type of the key in a PEM block with `label`, when the
        /// label or the block's unencrypted PKCS#8 header names it. Otherwise
        /// it returns `nil`, and the decoder tries every type.
        ///
        /// A wrong type costs only time: the hinted decoder fails, and
        /// ``KeyHandle/decodePEM(_:selection:passphrase:keyType:failureCode:failureReason:)``
        /// tries again without a hint.
        static func of(pemBlock text: String, label: String) -> DecoderKeyType? {
            switch label {
            case "RSA PRIVATE KEY": return .rsa
            case "EC PRIVATE KEY": return .ec
            case "PRIVATE KEY": return ofPKCS8(pem: text)
            default: return nil
            }
        }

        /// Reads the algorithm of an unencrypted PKCS#8 PrivateKeyInfo (RFC 5208).
        private static func ofPKCS8(pem: String) -> DecoderKeyType? {
            var utf8 = Array(pem.utf8)
            let der: [UInt8]? = utf8.withUnsafeMutableBytes { buffer in
                guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
                defer { BIO_free(bio) }
                var name: UnsafeMutablePointer<CChar>?
                var header: UnsafeMutablePointer<CChar>?
                var data: UnsafeMutablePointer<UInt8>?
                var length = 0
                guard PEM_read_bio(bio, &name, &header, &data, &length) == 1, let data else { return nil }
                defer {
                    CRYPTO_free(name, #fileID, #line)
                    CRYPTO_free(header, #fileID, #line)
                    // The body is the key itself: wipe it before freeing.
                    OPENSSL_cleanse(data, length)
                    CRYPTO_free(data, #fileID, #line)
                }
                return Array(UnsafeBufferPointer(start: data, count: length))
            }
            guard var der else {
                LibCrypto.clearErrorQueue()
                return nil
            }
            defer { der.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
            let nid: Int32 = der.withUnsafeBufferPointer { buffer in
                var cursor = UnsafePointer(buffer.baseAddress)
                guard let info = d2i_PKCS8_PRIV_KEY_INFO(nil, &cursor, buffer.count) else { return NID_undef }
                defer { PKCS8_PRIV_KEY_INFO_free(info) }
                var algorithm: OpaquePointer?
                guard PKCS8_pkey_get0(&algorithm, nil, nil, nil, info) == 1, let algorithm else { return NID_undef }
                return OBJ_obj2nid(algorithm)
            }
            LibCrypto.clearErrorQueue()
            switch nid {
            case NID_rsaEncryption: return .rsa
            case NID_rsassaPss: return .rsaPSS
            case NID_X9_62_id_ecPublicKey: return .ec
            case NID_ED25519: return .ed25519
            default: return nil
            }
        }
    }
}
