/// One signature line of a signed note: `— <key name> base64(key ID || signature)`.
///
/// A signature is only a claim until a ``NoteVerifierKey`` with the same name
/// and key ID has checked it.
public struct NoteSignature: Sendable, Equatable, CustomStringConvertible {
    /// The key name, exactly as written in the line.
    public let keyName: String
    /// The 32-bit key ID from the first four bytes of the decoded signature.
    public let keyID: UInt32
    /// The bytes after the key ID. For an Ed25519 note signature this is the
    /// 64-byte signature; for a cosignature it is an 8-byte big-endian
    /// timestamp followed by the 64-byte signature.
    public let signature: [UInt8]

    /// Creates a signature line's content.
    /// - Throws: `LedgerError.Code.invalidInput` for an invalid key name or
    ///   an empty signature.
    public init(keyName: String, keyID: UInt32, signature: [UInt8]) throws {
        try NoteSyntax.checkKeyName(keyName)
        guard !signature.isEmpty else {
            throw LedgerError(.invalidInput, "the signature by \(quoted(keyName)) is empty")
        }
        self.keyName = keyName
        self.keyID = keyID
        self.signature = signature
    }

    /// The line as it appears in a note, without the final newline.
    public var line: String {
        "\u{2014} \(keyName) \(NoteSyntax.base64(NoteSyntax.bigEndianBytes(keyID) + signature))"
    }

    public var description: String { line }

    /// The cosignature timestamp in seconds since the Unix epoch, when the
    /// signature has the 72-byte layout of a C2SP tlog-cosignature.
    public var cosignatureTimestamp: UInt64? {
        guard signature.count == 8 + 64 else { return nil }
        return signature.prefix(8).reduce(0) { ($0 << 8) | UInt64($1) }
    }

    /// Compares names by their UTF-8 bytes, as key IDs do, not by Unicode
    /// canonical equivalence as Swift's `String ==` does.
    public static func == (lhs: NoteSignature, rhs: NoteSignature) -> Bool {
        Array(lhs.keyName.utf8) == Array(rhs.keyName.utf8) && lhs.keyID == rhs.keyID && lhs.signature == rhs.signature
    }
}
