import Foundation
import OpenSSLBridge

/// The lexical rules of C2SP signed notes, shared by notes, keys and checkpoints.
enum NoteSyntax {
    /// The start of every signature line: an em dash (U+2014) and a space.
    static let signaturePrefix: [UInt8] = Array("\u{2014} ".utf8)

    /// The maximum number of signature lines in a note. The C2SP signed-note
    /// specification asks verifiers to accept at least 16, and 100 is the
    /// limit of Go's golang.org/x/mod/sumdb/note.
    static let maximumSignatureCount = 100

    /// Decodes `bytes` as note text: valid UTF-8 without ASCII control
    /// characters other than newline (C2SP signed-note, "Format").
    /// - Throws: `LedgerError.Code.invalidInput` naming the first bad byte's offset.
    static func decodeText(_ bytes: some Collection<UInt8>, valueName: String) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw LedgerError(.invalidInput, "the \(valueName) is not valid UTF-8")
        }
        try checkCharacters(text, valueName: valueName)
        return text
    }

    /// Throws unless `text` has no ASCII control characters other than newline.
    static func checkCharacters(_ text: String, valueName: String) throws {
        if let offset = text.utf8.firstIndex(where: { $0 < 0x20 && $0 != 0x0A }) {
            let position = text.utf8.distance(from: text.utf8.startIndex, to: offset)
            throw LedgerError(.invalidInput,
                "the \(valueName) contains the control character 0x\(String(text.utf8[offset], radix: 16)) at byte \(position): notes allow no control characters other than newline")
        }
    }

    /// Throws unless `name` is a valid key name: not empty, with no Unicode
    /// white space, no plus sign and no control character.
    static func checkKeyName(_ name: String) throws {
        guard !name.isEmpty else {
            throw LedgerError(.invalidInput, "the key name is empty: a note key needs a name such as example.com/log")
        }
        let forbidden = name.unicodeScalars.first { scalar in
            scalar == "+" || scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F
        }
        if let forbidden {
            throw LedgerError(.invalidInput,
                "the key name \(quoted(name)) contains U+\(String(forbidden.value, radix: 16, uppercase: true)): key names allow no white space, plus sign or control character")
        }
    }

    /// Computes a key ID: the first four bytes, big-endian, of
    /// SHA-256(name || 0x0A || signature type || public key) (C2SP signed-note, "Signatures").
    static func keyID(name: String, signatureType: NoteSignatureType, publicKey: [UInt8]) -> UInt32 {
        let digest = Digest.sha256(Array(name.utf8) + [0x0A, signatureType.rawValue] + publicKey)
        return bigEndianUInt32(digest.prefix(4))
    }

    static func bigEndianUInt32(_ bytes: some Collection<UInt8>) -> UInt32 {
        bytes.reduce(0) { ($0 << 8) | UInt32($1) }
    }

    static func bigEndianBytes(_ value: UInt32) -> [UInt8] {
        (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    static func bigEndianBytes(_ value: UInt64) -> [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    /// Formats a key ID as eight lowercase hex digits, as in verifier keys.
    static func hexKeyID(_ keyID: UInt32) -> String {
        let digits = String(keyID, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Encodes standard base64 with padding (RFC 4648 section 4).
    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Decodes standard base64 with padding (RFC 4648 section 4), accepting
    /// only the one canonical encoding of each byte string.
    ///
    /// Requiring the canonical form (no white space, zero padding bits) keeps
    /// signature lines from having several spellings of the same bytes.
    static func decodeBase64(_ text: some StringProtocol) -> [UInt8]? {
        let string = String(text)
        guard let data = Data(base64Encoded: string) else { return nil }
        let bytes = [UInt8](data)
        guard base64(bytes) == string else { return nil }
        return bytes
    }

    /// Returns `text` without leading and trailing Unicode white space, such
    /// as the newline at the end of a key file.
    static func trimmingWhiteSpace(_ text: some StringProtocol) -> String {
        let scalars = String(text).unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else {
            return ""
        }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
