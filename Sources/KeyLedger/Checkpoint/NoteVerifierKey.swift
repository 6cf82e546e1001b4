import OpenSSLBridge

/// An Ed25519 public key that checks note signatures, with the key name and
/// key ID that its signature lines carry.
///
/// The text form is the verifier key ("vkey") of C2SP signed-note and of Go's
/// golang.org/x/mod/sumdb/note: `<name>+<key ID as 8 hex digits>+<base64 of
/// the type byte and the 32-byte public key>`, for example
/// `sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8`.
public struct NoteVerifierKey: Sendable, CustomStringConvertible {
    public let name: String
    /// SHA-256(name || 0x0A || type byte || public key), first four bytes, big-endian.
    public let keyID: UInt32
    public let signatureType: NoteSignatureType
    /// The 32-byte Ed25519 public key (RFC 8032 section 5.1.5).
    public let publicKey: [UInt8]
    private let verifyingKey: PublicKey

    /// Creates the verifier key of `name` and an Ed25519 public key, computing its key ID.
    /// - Throws: `LedgerError.Code.invalidInput` for an invalid name or a
    ///   public key that is not 32 bytes.
    public init(name: String, signatureType: NoteSignatureType = .ed25519, ed25519PublicKey: [UInt8]) throws {
        try NoteSyntax.checkKeyName(name)
        do {
            verifyingKey = try PublicKey(components: .ed25519(publicKey: ed25519PublicKey))
        } catch let error as CryptoError {
            throw LedgerError(.invalidInput, "the public key of note key \(quoted(name)) is not a valid Ed25519 key: \(error.reason)")
        }
        self.name = name
        self.signatureType = signatureType
        self.publicKey = ed25519PublicKey
        self.keyID = NoteSyntax.keyID(name: name, signatureType: signatureType, publicKey: ed25519PublicKey)
    }

    /// Reads a verifier key in its text form, `<name>+<hex key ID>+<base64 key>`.
    ///
    /// Surrounding white space, such as the newline at the end of a file, is ignored.
    /// - Throws: `LedgerError.Code.invalidInput` when the text is not three
    ///   parts joined by `+` or the key ID is not 8 hex digits. Also when the
    ///   key is not canonical base64 of a type byte (0x01 or 0x04) and 32 key
    ///   bytes, or the key ID does not match the name and key.
    public init(_ verifierKey: some StringProtocol) throws {
        let text = NoteSyntax.trimmingWhiteSpace(verifierKey)
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw LedgerError(.invalidInput,
                "the verifier key \(quoted(text)) is not of the form <name>+<key ID>+<base64 key>")
        }
        let name = String(parts[0])
        let claimedKeyID = try Self.parseKeyID(parts[1], in: text)
        guard let keyBytes = NoteSyntax.decodeBase64(parts[2]), let typeByte = keyBytes.first else {
            throw LedgerError(.invalidInput, "the key of verifier key \(quoted(text)) is not canonical standard base64")
        }
        guard let type = NoteSignatureType(rawValue: typeByte) else {
            throw LedgerError(.invalidInput,
                "the verifier key \(quoted(text)) has signature type 0x\(String(typeByte, radix: 16)): only Ed25519 (0x01) and Ed25519 cosignature (0x04) keys are supported")
        }
        guard keyBytes.count == 33 else {
            throw LedgerError(.invalidInput,
                "the verifier key \(quoted(text)) has a \(keyBytes.count - 1)-byte key: an Ed25519 public key has 32 bytes")
        }
        try self.init(name: name, signatureType: type, ed25519PublicKey: Array(keyBytes.dropFirst()))
        guard keyID == claimedKeyID else {
            throw LedgerError(.invalidInput,
                "the verifier key \(quoted(text)) gives key ID \(NoteSyntax.hexKeyID(claimedKeyID)), but its name and key give \(NoteSyntax.hexKeyID(keyID))")
        }
    }

    /// The text form, `<name>+<hex key ID>+<base64 key>`.
    public var encoded: String {
        "\(name)+\(NoteSyntax.hexKeyID(keyID))+\(NoteSyntax.base64([signatureType.rawValue] + publicKey))"
    }

    public var description: String { encoded }

    /// Tells whether `signature` claims to be by this key: the same key name,
    /// byte for byte, and the same key ID.
    public func matches(_ signature: NoteSignature) -> Bool {
        signature.keyID == keyID && Array(signature.keyName.utf8) == Array(name.utf8)
    }

    /// Checks `signature` over the note text `text`, by this key's signature type.
    ///
    /// For type 0x01 the signature is Ed25519 over the text. For type 0x04 it
    /// is a C2SP tlog-cosignature: an 8-byte big-endian timestamp of at most
    /// 2^63 - 1, then Ed25519 over "cosignature/v1\ntime <timestamp>\n" and
    /// the text.
    /// - Returns: `false` when the signature is not this key's or is invalid.
    public func verify(_ signature: NoteSignature, text: [UInt8]) -> Bool {
        guard matches(signature) else { return false }
        switch signatureType {
        case .ed25519:
            return verifyingKey.verify(signature: signature.signature, for: text, scheme: .ed25519)
        case .cosignatureEd25519:
            guard let timestamp = signature.cosignatureTimestamp, timestamp <= UInt64(Int64.max) else { return false }
            let message = Cosigner.signedMessage(text: text, timestamp: timestamp)
            return verifyingKey.verify(signature: Array(signature.signature.dropFirst(8)), for: message, scheme: .ed25519)
        }
    }

    private static func parseKeyID(_ text: Substring, in verifierKey: String) throws -> UInt32 {
        guard text.count == 8, text.allSatisfy(\.isHexDigit), let keyID = UInt32(text, radix: 16) else {
            throw LedgerError(.invalidInput, "the key ID of verifier key \(quoted(verifierKey)) is not 8 hex digits")
        }
        return keyID
    }
}
