import OpenSSLBridge

/// Ed25519 key handling shared by note signers and cosigners.
enum Ed25519NoteKey {
    /// The DER prefix of an RFC 8410 PKCS #8 Ed25519 private key, which the
    /// 32-byte seed completes: SEQUENCE { version 0, AlgorithmIdentifier
    /// { id-Ed25519 (1.3.101.112) }, OCTET STRING { OCTET STRING seed } }.
    private static let pkcs8SeedPrefix: [UInt8] = [
        0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]

    static func generate() throws -> PrivateKey {
        try PrivateKey.generate(.ed25519)
    }

    /// Returns the 32-byte public key of `privateKey`.
    /// - Throws: `LedgerError.Code.invalidInput` when the key is not Ed25519.
    static func publicKey(of privateKey: PrivateKey, name: String) throws -> [UInt8] {
        guard privateKey.spec == .ed25519, case .ed25519(let publicKey) = try privateKey.publicKey().components() else {
            throw LedgerError(.invalidInput, "the key for note key \(quoted(name)) is \(privateKey.spec): note keys must be Ed25519")
        }
        return publicKey
    }

    static func sign(_ message: [UInt8], with privateKey: PrivateKey) throws -> [UInt8] {
        try privateKey.sign(message, scheme: .ed25519)
    }

    /// Loads an Ed25519 private key from its 32-byte RFC 8032 seed.
    static func privateKey(seed: [UInt8]) throws -> PrivateKey {
        precondition(seed.count == 32, "an Ed25519 seed has 32 bytes")
        let pem = "-----BEGIN PRIVATE KEY-----\n\(NoteSyntax.base64(pkcs8SeedPrefix + seed))\n-----END PRIVATE KEY-----\n"
        return try PrivateKey(pem: pem)
    }

    /// The parts of a signer key `PRIVATE+KEY+<name>+<hex key ID>+<base64 key>`.
    struct SignerKey {
        let name: String
        let keyID: UInt32
        let signatureType: NoteSignatureType
        let privateKey: PrivateKey
    }

    /// Splits and decodes a signer key. No error quotes the key.
    static func parseSignerKey(_ text: String) throws -> SignerKey {
        let parts = text.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else {
            throw LedgerError(.invalidInput, "the signer key is not of the form PRIVATE+KEY+<name>+<key ID>+<base64 key>")
        }
        let name = String(parts[2])
        try NoteSyntax.checkKeyName(name)
        guard parts[3].count == 8, parts[3].allSatisfy(\.isHexDigit), let keyID = UInt32(parts[3], radix: 16) else {
            throw LedgerError(.invalidInput, "the key ID of the signer key for \(quoted(name)) is not 8 hex digits")
        }
        guard let keyBytes = NoteSyntax.decodeBase64(parts[4]), let typeByte = keyBytes.first else {
            throw LedgerError(.invalidInput, "the key of the signer key for \(quoted(name)) is not canonical standard base64")
        }
        guard let type = NoteSignatureType(rawValue: typeByte) else {
            throw LedgerError(.invalidInput,
                "the signer key for \(quoted(name)) has signature type 0x\(String(typeByte, radix: 16)): only Ed25519 keys (0x01 and 0x04) are supported")
        }
        guard keyBytes.count == 33 else {
            throw LedgerError(.invalidInput,
                "the signer key for \(quoted(name)) has a \(keyBytes.count - 1)-byte seed: an Ed25519 seed has 32 bytes")
        }
        return SignerKey(name: name, keyID: keyID, signatureType: type, privateKey: try privateKey(seed: Array(keyBytes.dropFirst())))
    }
}
