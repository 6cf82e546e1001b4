import CLibcrypto

extension KeyHandle {
    /// Encodes the public key as a DER SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7).
    func subjectPublicKeyInfoDER() throws -> [UInt8] {
        let length = Int(i2d_PUBKEY(pointer, nil))
        guard length > 0 else {
            throw LibCrypto.error(.encodingFailed, "i2d_PUBKEY failed to size the \(spec) public key")
        }
        return try [UInt8](unsafeUninitializedCapacity: length) { buffer, initializedCount in
            var cursor = buffer.baseAddress
            let written = Int(i2d_PUBKEY(pointer, &cursor))
            guard written == length else {
                throw LibCrypto.error(.encodingFailed, "i2d_PUBKEY failed to encode the \(spec) public key")
            }
            initializedCount = written
        }
    }

    /// Encodes the public key as a "PUBLIC KEY" PEM block.
    func subjectPublicKeyInfoPEM() throws -> String {
        try writePEM("PEM_write_bio_PUBKEY") { bio in
            PEM_write_bio_PUBKEY(bio, pointer)
        }
    }

    /// PBKDF2-HMAC-SHA256 iterations for an encrypted private key: the
    /// minimum the OWASP Password Storage Cheat Sheet recommends since 2023,
    /// where OpenSSL 3.0 would write 2048. Each encryption and each load
    /// derives the key once, which took 0.12 s in `openssl pkey -passin`
    /// on one AMD EPYC core.
    static let pbkdf2Iterations: Int32 = 600_000

    /// Salt length for PBKDF2 in bytes, twice OpenSSL's default of 8.
    private static let pbkdf2SaltByteCount: Int32 = 16

    /// Encodes the private key as a PKCS#8 PEM block (RFC 5208).
    ///
    /// With a passphrase, the block is an "ENCRYPTED PRIVATE KEY" in PBES2
    /// form (RFC 8018): PBKDF2 with HMAC-SHA256, a random 16-byte salt and
    /// ``pbkdf2Iterations`` iterations, then AES-256-CBC.
    func pkcs8PEM(passphrase: [UInt8]?) throws -> String {
        guard let passphrase else {
            return try writePEM("PEM_write_bio_PKCS8PrivateKey") { bio in
                PEM_write_bio_PKCS8PrivateKey(bio, pointer, nil, nil, 0, nil, nil)
            }
        }

        let keyInfo = try LibCrypto.unwrap(
            EVP_PKEY2PKCS8(pointer),
            .encodingFailed,
            "EVP_PKEY2PKCS8 failed for the \(spec) key"
        )
        defer { PKCS8_PRIV_KEY_INFO_free(keyInfo) }

        // A pbe_nid of -1 selects PBES2 with the given cipher, and a NULL
        // salt makes libcrypto draw a random salt of the given length.
        let encryptedKeyInfo = try passphrase.withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { characters in
                try LibCrypto.unwrap(
                    PKCS8_encrypt_ex(
                        -1, EVP_aes_256_cbc(), characters.baseAddress, Int32(characters.count),
                        nil, Self.pbkdf2SaltByteCount, Self.pbkdf2Iterations, keyInfo, nil, nil
                    ),
                    .encodingFailed,
                    "PKCS8_encrypt_ex failed for the \(spec) key"
                )
            }
        }
        defer { X509_SIG_free(encryptedKeyInfo) }

        return try writePEM("PEM_write_bio_PKCS8") { bio in
            PEM_write_bio_PKCS8(bio, encryptedKeyInfo)
        }
    }

    /// Runs a PEM writer on a new memory BIO and returns what it wrote.
    private func writePEM(_ writerName: String, _ write: (OpaquePointer) -> Int32) throws -> String {
        let bio = try MemoryBIO()
        try bio.withUnsafePointer { bio in
            try LibCrypto.check(write(bio), .encodingFailed, "\(writerName) failed for the \(spec) key")
        }
        return try bio.text()
    }
}
