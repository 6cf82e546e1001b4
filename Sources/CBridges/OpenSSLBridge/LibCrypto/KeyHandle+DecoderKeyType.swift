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
        ///
        /// Only the first 24 bytes are decoded, from the first 32 base64
        /// characters of the body: the algorithm's object identifier ends
        /// within them for every key type named here. Decoding the whole
        /// block with `PEM_read_bio` and `d2i_PKCS8_PRIV_KEY_INFO` cost 1.9
        /// million instructions for an RSA key (callgrind).
        private static func ofPKCS8(pem: String) -> DecoderKeyType? {
            let lines = pem.utf8.split(separator: UInt8(ascii: "\n"))
            guard lines.count > 2 else { return nil }
            let base64 = Array(lines[1].prefix(32))
            guard base64.count == 32 else { return nil }
            var der = [UInt8](repeating: 0, count: 24)
            let decodedCount = base64.withUnsafeBufferPointer { base64 in
                der.withUnsafeMutableBufferPointer { der in
                    EVP_DecodeBlock(der.baseAddress, base64.baseAddress, Int32(base64.count))
                }
            }
            defer { der.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
            guard decodedCount == 24, let algorithm = algorithmIdentifier(inPrivateKeyInfoPrefix: der) else { return nil }
            return knownAlgorithms.first { $0.identifier.elementsEqual(algorithm) }?.type
        }

        /// The DER contents of the algorithm object identifiers, with the key type each names.
        private static let knownAlgorithms: [(identifier: [UInt8], type: DecoderKeyType)] = [
            ([0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01], .rsa),  // 1.2.840.113549.1.1.1, rsaEncryption
            ([0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A], .rsaPSS),  // 1.2.840.113549.1.1.10, id-RSASSA-PSS
            ([0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01], .ec),  // 1.2.840.10045.2.1, id-ecPublicKey
            ([0x2B, 0x65, 0x70], .ed25519),  // 1.3.101.112, id-Ed25519
        ]

        /// Returns the contents of the algorithm's object identifier in the
        /// start of a PrivateKeyInfo: SEQUENCE { INTEGER version,
        /// SEQUENCE { OBJECT IDENTIFIER algorithm, ... }, ... }. Returns nil
        /// when the bytes do not start that way or the identifier does not
        /// end within them.
        static func algorithmIdentifier(inPrivateKeyInfoPrefix der: [UInt8]) -> ArraySlice<UInt8>? {
            var index = 0
            /// Reads a tag and a definite length, and returns the length.
            func header(_ tag: UInt8) -> Int? {
                guard index + 1 < der.count, der[index] == tag else { return nil }
                let first = Int(der[index + 1])
                index += 2
                guard first & 0x80 != 0 else { return first }
                let lengthBytes = first & 0x7F
                guard (1...2).contains(lengthBytes), index + lengthBytes <= der.count else { return nil }
                let length = der[index..<index + lengthBytes].reduce(0) { $0 << 8 | Int($1) }
                index += lengthBytes
                return length
            }
            guard header(0x30) != nil,
                  header(0x02) == 1, index < der.count, der[index] <= 1
            else { return nil }
            index += 1
            guard header(0x30) != nil, let length = header(0x06), index + length <= der.count else { return nil }
            return der[index..<index + length]
        }
    }
}
