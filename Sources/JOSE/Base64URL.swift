/// The base64url encoding of RFC 4648 section 5 without padding, as JOSE uses
/// it (RFC 7515 section 2).
///
/// The alphabet is `A`-`Z`, `a`-`z`, `0`-`9`, `-` and `_`. Decoding is strict,
/// so that every byte sequence has exactly one accepted text. It rejects `=`
/// padding, whitespace, and the standard alphabet's `+` and `/`. It also
/// rejects a length that leaves a single character in the last group, and a
/// last character whose unused low bits are not zero (RFC 4648 section 3.5).
public enum Base64URL {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The 6-bit value of each ASCII byte, or 0xFF for bytes outside the alphabet.
    private static let sextets: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 128)
        for (value, byte) in alphabet.enumerated() {
            table[Int(byte)] = UInt8(value)
        }
        return table
    }()

    /// Encodes bytes as base64url without padding.
    ///
    /// - Parameter bytes: The bytes to encode.
    /// - Returns: The encoded text, `4 * n / 3` characters long rounded up.
    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        bytes.withUnsafeBytes { encode($0, appendingTo: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes unpadded base64url text.
    ///
    /// - Parameter text: The encoded text. The empty string decodes to no bytes.
    /// - Returns: The decoded bytes.
    /// - Throws: ``Base64URLError`` naming the first offending character and
    ///   its zero-based position, or the length or trailing-bits problem.
    public static func decode(_ text: String) throws -> [UInt8] {
        try decode(utf8: text.utf8)
    }

    /// Decodes unpadded base64url text, such as one part of a JWS compact
    /// serialization, with the same rules as ``decode(_:)-(String)``.
    ///
    /// - Parameter text: The encoded text. Positions in errors count from its start.
    /// - Returns: The decoded bytes.
    /// - Throws: ``Base64URLError``.
    public static func decode(_ text: Substring) throws -> [UInt8] {
        try decode(utf8: text.utf8)
    }

    private static func decode<Text: Collection>(utf8 text: Text) throws -> [UInt8] where Text.Element == UInt8 {
        var values: [UInt8] = []
        values.reserveCapacity(text.count)
        for (position, byte) in text.enumerated() {
            let value = byte < 0x80 ? sextets[Int(byte)] : 0xFF
            guard value != 0xFF else {
                // Every character before this one was ASCII, so `position`
                // counts characters as well as bytes.
                throw Base64URLError.rejecting(byte, at: position, in: text)
            }
            values.append(value)
        }

        if values.count % 4 == 1 {
            throw Base64URLError(
                code: .invalidLength,
                position: nil,
                reason: "found \(values.count) characters, expected a length that does not leave one character "
                    + "over a multiple of 4, because one character carries only 6 of a byte's 8 bits"
            )
        }

        var output: [UInt8] = []
        output.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index + 4 <= values.count {
            let group = UInt32(values[index]) << 18 | UInt32(values[index + 1]) << 12
                | UInt32(values[index + 2]) << 6 | UInt32(values[index + 3])
            output.append(UInt8(group >> 16 & 0xFF))
            output.append(UInt8(group >> 8 & 0xFF))
            output.append(UInt8(group & 0xFF))
            index += 4
        }

        switch values.count - index {
        case 2:
            try checkUnusedBits(values[index + 1], mask: 0x0F, position: index + 1)
            output.append(values[index] << 2 | values[index + 1] >> 4)
        case 3:
            try checkUnusedBits(values[index + 2], mask: 0x03, position: index + 2)
            output.append(values[index] << 2 | values[index + 1] >> 4)
            output.append(values[index + 1] << 4 | values[index + 2] >> 2)
        default:
            break
        }
        return output
    }

    /// Rejects a last character whose low bits, which encode no output byte,
    /// are not zero. Accepting them would give one byte sequence several encodings.
    private static func checkUnusedBits(_ value: UInt8, mask: UInt8, position: Int) throws {
        guard value & mask != 0 else { return }
        let character = Character(Unicode.Scalar(alphabet[Int(value)]))
        let canonical = Character(Unicode.Scalar(alphabet[Int(value & ~mask)]))
        throw Base64URLError(
            code: .nonZeroTrailingBits,
            position: position,
            reason: "found '\(character)' as the last character, whose unused low bits are not zero, "
                + "expected '\(canonical)', which has those bits cleared"
        )
    }
}

/// An error raised when base64url text cannot be decoded.
///
/// Errors compare equal by ``code`` alone. New codes may be added in later
/// versions; switch over them with a `default` case.
public struct Base64URLError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A stable identifier for one kind of base64url failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        public var description: String { name }

        /// A character outside the base64url alphabet, such as `+`, `/`,
        /// whitespace or a non-ASCII character.
        public static let invalidCharacter = Code("invalidCharacter")
        /// An `=` padding character, which JOSE's unpadded form omits.
        public static let padding = Code("padding")
        /// A length of 4n + 1 characters, which no byte sequence encodes to.
        public static let invalidLength = Code("invalidLength")
        /// A last character whose unused low bits are not zero.
        public static let nonZeroTrailingBits = Code("nonZeroTrailingBits")
    }

    /// The kind of failure.
    public let code: Code
    /// The zero-based position of the offending character, or `nil` when
    /// the problem is the length of the whole text.
    public let position: Int?
    /// A sentence saying what was found and what was expected.
    public let reason: String

    public init(code: Code, position: Int?, reason: String) {
        self.code = code
        self.position = position
        self.reason = reason
    }

    public var description: String {
        if let position {
            return "Base64URLError.\(code) at position \(position): \(reason)"
        }
        return "Base64URLError.\(code): \(reason)"
    }

    public static func == (lhs: Base64URLError, rhs: Base64URLError) -> Bool {
        lhs.code == rhs.code
    }

    /// Builds the error for the byte at `position`, the first that is not in
    /// the base64url alphabet, naming the character it starts.
    fileprivate static func rejecting<Text: Collection>(_ byte: UInt8, at position: Int, in text: Text) -> Base64URLError
    where Text.Element == UInt8 {
        let rest = text.dropFirst(position)
        let scalar = String(decoding: rest.prefix(4), as: UTF8.self).unicodeScalars.first ?? "\u{FFFD}"
        let hexValue = String(scalar.value, radix: 16, uppercase: true)
        let codePoint = "U+" + String(repeating: "0", count: max(0, 4 - hexValue.count)) + hexValue
        let shown = scalar.value < 0x20 || scalar.value == 0x7F ? codePoint : "'\(scalar)' (\(codePoint))"

        switch byte {
        case UInt8(ascii: "="):
            return Base64URLError(code: .padding, position: position, reason: "found padding character '=', expected unpadded base64url")
        case UInt8(ascii: "+"):
            return Base64URLError(code: .invalidCharacter, position: position, reason: "found '+' from the standard base64 alphabet, expected '-', its base64url counterpart")
        case UInt8(ascii: "/"):
            return Base64URLError(code: .invalidCharacter, position: position, reason: "found '/' from the standard base64 alphabet, expected '_', its base64url counterpart")
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
            return Base64URLError(code: .invalidCharacter, position: position, reason: "found whitespace \(codePoint), expected only base64url characters (A-Z, a-z, 0-9, '-', '_')")
        default:
            return Base64URLError(code: .invalidCharacter, position: position, reason: "found \(shown), expected only base64url characters (A-Z, a-z, 0-9, '-', '_')")
        }
    }
}
