import OpenSSLBridge

/// An Ed25519 private key that signs notes under a key name (C2SP signed-note, type 0x01).
///
/// The private key stays in memory; the signer's description shows only its
/// verifier key.
public struct NoteSigner: Sendable, CustomStringConvertible {
    /// The public half, to give to verifiers.
    public let verifierKey: NoteVerifierKey
    let privateKey: PrivateKey

    public var name: String { verifierKey.name }
    public var keyID: UInt32 { verifierKey.keyID }

    /// Creates a signer for `name` from an Ed25519 private key.
    /// - Throws: `LedgerError.Code.invalidInput` for an invalid name or a key
    ///   that is not Ed25519.
    public init(name: String, privateKey: PrivateKey) throws {
        self.verifierKey = try NoteVerifierKey(
            name: name, signatureType: .ed25519, ed25519PublicKey: Ed25519NoteKey.publicKey(of: privateKey, name: name))
        self.privateKey = privateKey
    }

    /// Reads a signer key in the text form of Go's golang.org/x/mod/sumdb/note,
    /// `PRIVATE+KEY+<name>+<hex key ID>+<base64 of 0x01 and the 32-byte seed>`.
    ///
    /// The key ID must match the public key derived from the seed. Error
    /// messages never quote the signer key, because it is secret.
    /// - Throws: `LedgerError.Code.invalidInput` when the text has another
    ///   form, the type is not 0x01 or the key ID does not match.
    public init(signerKey: some StringProtocol) throws {
        let parsed = try Ed25519NoteKey.parseSignerKey(NoteSyntax.trimmingWhiteSpace(signerKey))
        guard parsed.signatureType == .ed25519 else {
            throw LedgerError(.invalidInput,
                "the signer key has signature type \(parsed.signatureType): a note signer needs type Ed25519 (0x01)")
        }
        try self.init(name: parsed.name, privateKey: parsed.privateKey)
        guard keyID == parsed.keyID else {
            throw LedgerError(.invalidInput,
                "the signer key for \(quoted(parsed.name)) gives key ID \(NoteSyntax.hexKeyID(parsed.keyID)), but its seed gives \(NoteSyntax.hexKeyID(keyID))")
        }
    }

    /// Generates a new Ed25519 key for `name`.
    public static func generate(name: String) throws -> NoteSigner {
        try NoteSigner(name: name, privateKey: Ed25519NoteKey.generate())
    }

    /// Signs the note text `text` and returns its signature line.
    /// - Throws: `LedgerError.Code.invalidInput` when `text` is not note text:
    ///   empty, not ending in a newline, or containing control characters.
    public func sign(text: String) throws -> NoteSignature {
        try NoteText.check(text)
        let signature = try Ed25519NoteKey.sign(Array(text.utf8), with: privateKey)
        return try NoteSignature(keyName: name, keyID: keyID, signature: signature)
    }

    public var description: String { "NoteSigner(\(verifierKey.encoded))" }
}
