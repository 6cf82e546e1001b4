/// A C2SP signed note: a text, a blank line and one or more signature lines.
///
/// ```
/// This is an example message.
///
/// — example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=
/// ```
///
/// Parsing checks only the layout. The text must be ignored until
/// ``verify(with:)`` has found a valid signature by a trusted key.
public struct SignedNote: Sendable, Equatable, CustomStringConvertible {
    /// The signed text, including its final newline but not the blank line.
    public let text: String
    /// The signature lines in order, verified or not.
    public private(set) var signatures: [NoteSignature]

    /// Creates a note from its text and at least one signature.
    /// - Throws: `LedgerError.Code.invalidInput` when `text` is not note text
    ///   or there is no signature or more than 100.
    public init(text: String, signatures: [NoteSignature]) throws {
        try NoteText.check(text)
        guard !signatures.isEmpty else {
            throw LedgerError(.invalidInput, "a signed note needs at least one signature")
        }
        guard signatures.count <= NoteSyntax.maximumSignatureCount else {
            throw LedgerError(.invalidInput,
                "the note has \(signatures.count) signatures: at most \(NoteSyntax.maximumSignatureCount) are accepted")
        }
        self.text = text
        self.signatures = signatures
    }

    /// Parses a signed note without checking any signature.
    ///
    /// The text ends at the last blank line: a text may contain blank lines
    /// of its own, but a signature line never does.
    /// - Throws: `LedgerError.Code.invalidInput` when the note is not valid
    ///   UTF-8, has a control character other than newline, has no blank line
    ///   before its signatures, or has a malformed signature line.
    public init(parsing note: [UInt8]) throws {
        guard !note.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
            throw LedgerError(.invalidInput, "the signed note is empty: give a checkpoint file written by `keyledger checkpoint`")
        }
        _ = try NoteSyntax.decodeText(note, valueName: "signed note")
        guard let separator = Self.lastBlankLine(in: note) else {
            throw LedgerError(.invalidInput, "the signed note has no blank line before its signature lines")
        }
        let textBytes = note[..<(separator + 1)]
        let signatureBlock = note[(separator + 2)...]
        guard signatureBlock.last == 0x0A else {
            throw LedgerError(.invalidInput, "the signed note has no signature lines, or its last line does not end in a newline")
        }
        var signatures: [NoteSignature] = []
        for line in signatureBlock.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false) {
            guard signatures.count < NoteSyntax.maximumSignatureCount else {
                throw LedgerError(.invalidInput,
                    "the signed note has more than \(NoteSyntax.maximumSignatureCount) signature lines")
            }
            signatures.append(try Self.parseSignatureLine(line))
        }
        try self.init(text: NoteSyntax.decodeText(textBytes, valueName: "note text"), signatures: signatures)
    }

    /// Parses a signed note given as a string; see ``init(parsing:)-([UInt8])``.
    public init(parsing note: String) throws {
        try self.init(parsing: Array(note.utf8))
    }

    /// The note in its text form: the text, a blank line and one line per
    /// signature, each ending in a newline.
    public var formatted: String {
        text + "\n" + signatures.map { $0.line + "\n" }.joined()
    }

    public var description: String { formatted }

    /// Returns the note with `signature` added after the existing ones.
    /// - Throws: `LedgerError.Code.invalidInput` when the note already has
    ///   the maximum of 100 signatures.
    public func adding(_ signature: NoteSignature) throws -> SignedNote {
        try SignedNote(text: text, signatures: signatures + [signature])
    }

    /// Compares texts by their UTF-8 bytes, which are what the signatures
    /// cover, not by Unicode canonical equivalence as Swift's `String ==` does.
    public static func == (lhs: SignedNote, rhs: SignedNote) -> Bool {
        Array(lhs.text.utf8) == Array(rhs.text.utf8) && lhs.signatures == rhs.signatures
    }

    /// Returns the offset of the first newline of the last "\n\n" in `bytes`.
    private static func lastBlankLine(in bytes: [UInt8]) -> Int? {
        var index = bytes.count - 2
        while index >= 0 {
            if bytes[index] == 0x0A && bytes[index + 1] == 0x0A {
                return index
            }
            index -= 1
        }
        return nil
    }

    /// Parses `— <key name> <base64 of key ID and signature>`.
    private static func parseSignatureLine(_ line: ArraySlice<UInt8>) throws -> NoteSignature {
        let lineText = String(decoding: line, as: UTF8.self)
        guard line.starts(with: NoteSyntax.signaturePrefix) else {
            throw LedgerError(.invalidInput,
                "the signature line \(quoted(lineText)) does not start with an em dash (U+2014) and a space")
        }
        let content = line.dropFirst(NoteSyntax.signaturePrefix.count)
        guard let space = content.firstIndex(of: 0x20) else {
            throw LedgerError(.invalidInput, "the signature line \(quoted(lineText)) has no space between key name and signature")
        }
        let name = String(decoding: content[..<space], as: UTF8.self)
        let encoded = String(decoding: content[(space + 1)...], as: UTF8.self)
        guard let decoded = NoteSyntax.decodeBase64(encoded), decoded.count > 4 else {
            throw LedgerError(.invalidInput,
                "the signature in line \(quoted(lineText)) is not canonical standard base64 of a key ID and a signature")
        }
        return try NoteSignature(keyName: name, keyID: NoteSyntax.bigEndianUInt32(decoded.prefix(4)),
                                 signature: Array(decoded.dropFirst(4)))
    }
}

/// The rule for the text of a signed note.
enum NoteText {
    /// Throws unless `text` is non-empty note text that ends in a newline.
    static func check(_ text: String) throws {
        guard text.utf8.last == 0x0A else {
            throw LedgerError(.invalidInput, "the note text \(quoted(text)) does not end in a newline: note text must end in one")
        }
        try NoteSyntax.checkCharacters(text, valueName: "note text")
    }
}
