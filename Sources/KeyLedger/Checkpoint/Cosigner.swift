import Foundation
import OpenSSLBridge

/// An Ed25519 key that cosigns checkpoints, as a witness does (C2SP
/// tlog-cosignature, signature type 0x04).
///
/// A cosignature states that, at its timestamp, the checkpoint was the
/// largest consistent tree head the cosigner had seen for the origin. The
/// cosigner checks nothing itself: verify the checkpoint's signature and its
/// consistency with the last one cosigned before calling ``cosign(_:timestamp:)``.
public struct Cosigner: Sendable, CustomStringConvertible {
    /// The public half, with signature type 0x04, to give to verifiers.
    public let verifierKey: NoteVerifierKey
    let privateKey: PrivateKey

    public var name: String { verifierKey.name }

    /// Creates a cosigner for `name` from an Ed25519 private key.
    ///
    /// The cosigned message does not include the name, so give each
    /// cosigner its own key, as C2SP tlog-cosignature requires.
    /// - Throws: `LedgerError.Code.invalidInput` for an invalid name or a key
    ///   that is not Ed25519.
    public init(name: String, privateKey: PrivateKey) throws {
        self.verifierKey = try NoteVerifierKey(
            name: name, signatureType: .cosignatureEd25519,
            ed25519PublicKey: Ed25519NoteKey.publicKey(of: privateKey, name: name))
        self.privateKey = privateKey
    }

    /// Reads a signer key in the text form of Go's golang.org/x/mod/sumdb/note,
    /// `PRIVATE+KEY+<name>+<hex key ID>+<base64 of the type byte and the 32-byte seed>`.
    ///
    /// The type byte may be 0x01 or 0x04, and the key ID must match it, the
    /// name and the seed. The cosigner signs with type 0x04 either way.
    /// Error messages never quote the signer key, because it is secret.
    /// - Throws: `LedgerError.Code.invalidInput` when the text has another
    ///   form or the key ID does not match.
    public init(signerKey: some StringProtocol) throws {
        let parsed = try Ed25519NoteKey.parseSignerKey(NoteSyntax.trimmingWhiteSpace(signerKey))
        let publicKey = try Ed25519NoteKey.publicKey(of: parsed.privateKey, name: parsed.name)
        let expectedKeyID = NoteSyntax.keyID(name: parsed.name, signatureType: parsed.signatureType, publicKey: publicKey)
        guard expectedKeyID == parsed.keyID else {
            throw LedgerError(.invalidInput,
                "the signer key for \(quoted(parsed.name)) gives key ID \(NoteSyntax.hexKeyID(parsed.keyID)), but its seed gives \(NoteSyntax.hexKeyID(expectedKeyID))")
        }
        try self.init(name: parsed.name, privateKey: parsed.privateKey)
    }

    /// Generates a new Ed25519 key for `name`.
    public static func generate(name: String) throws -> Cosigner {
        try Cosigner(name: name, privateKey: Ed25519NoteKey.generate())
    }

    /// Cosigns the checkpoint in `note` and returns the signature line to add to it.
    ///
    /// - Parameter timestamp: The time of cosigning in seconds since the Unix
    ///   epoch, at most 2^63 - 1. It defaults to the current time.
    /// - Throws: `LedgerError.Code.invalidInput` when the note's text is not a
    ///   checkpoint or the timestamp is too large.
    public func cosign(_ note: SignedNote, timestamp: UInt64? = nil) throws -> NoteSignature {
        _ = try Checkpoint(body: note.text)
        let time = timestamp ?? UInt64(max(0, Date().timeIntervalSince1970))
        guard time <= UInt64(Int64.max) else {
            throw LedgerError(.invalidInput, "the cosignature timestamp \(time) is larger than 2^63 - 1")
        }
        let signature = try Ed25519NoteKey.sign(Self.signedMessage(text: Array(note.text.utf8), timestamp: time), with: privateKey)
        return try NoteSignature(keyName: name, keyID: verifierKey.keyID, signature: NoteSyntax.bigEndianBytes(time) + signature)
    }

    /// Builds the message that a cosignature signs: the lines
    /// "cosignature/v1" and "time <timestamp>", then the checkpoint text.
    static func signedMessage(text: [UInt8], timestamp: UInt64) -> [UInt8] {
        // NOTE: no published cosignature with a known public key was at hand,
        // so this message and the 0x04 key ID follow the C2SP tlog-cosignature
        // text and are not checked against another implementation's signatures.
        Array("cosignature/v1\ntime \(timestamp)\n".utf8) + text
    }

    public var description: String { "Cosigner(\(verifierKey.encoded))" }
}
