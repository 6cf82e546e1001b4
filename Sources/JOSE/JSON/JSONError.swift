/// An error raised while parsing JSON text or writing a ``JSONValue`` as JSON.
///
/// Errors compare equal by ``code`` alone, so a caller can match on the kind
/// of failure without depending on the wording of ``reason``. New codes may
/// be added in later versions; switch over them with a `default` case.
public struct JSONError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A stable identifier for one kind of JSON failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        public var description: String { name }

        /// The input ended inside a value, or contained no value at all.
        public static let unexpectedEndOfInput = Code("unexpectedEndOfInput")
        /// A byte that cannot start or continue the value at that position.
        public static let unexpectedCharacter = Code("unexpectedCharacter")
        /// Bytes other than whitespace follow the top-level value.
        public static let trailingData = Code("trailingData")
        /// The input starts with a UTF-8 byte-order mark, which RFC 8259
        /// section 8.1 forbids in JSON text sent between systems.
        public static let byteOrderMark = Code("byteOrderMark")
        /// A string contains bytes that are not well-formed UTF-8: a stray
        /// continuation byte, a truncated sequence, an overlong form, an
        /// encoded surrogate or a value above U+10FFFF.
        public static let invalidUTF8 = Code("invalidUTF8")
        /// A string contains an unescaped control character (U+0000 to U+001F).
        public static let controlCharacterInString = Code("controlCharacterInString")
        /// A backslash is followed by something other than one of the nine
        /// escapes of RFC 8259 section 7.
        public static let invalidEscape = Code("invalidEscape")
        /// A `\u` escape names a surrogate that is not part of a
        /// high-then-low pair.
        public static let loneSurrogate = Code("loneSurrogate")
        /// A string contains a Unicode noncharacter (U+FDD0 to U+FDEF, or a
        /// code point ending in FFFE or FFFF), which RFC 7493 section 2.1
        /// forbids in I-JSON.
        public static let noncharacter = Code("noncharacter")
        /// An object contains the same member name twice, which RFC 7493
        /// section 2.3 forbids in I-JSON.
        public static let duplicateMemberName = Code("duplicateMemberName")
        /// An object contains two member names that differ in their code
        /// points but are canonically equivalent Unicode, such as U+00E9 and
        /// U+0065 U+0301. Swift's `String` treats them as one dictionary key,
        /// so ``JSONValue/object(_:)`` cannot hold both.
        public static let equivalentMemberNames = Code("equivalentMemberNames")
        /// A number has a leading zero, such as `01` or `-00.5`.
        public static let leadingZero = Code("leadingZero")
        /// A number does not match the grammar of RFC 8259 section 6, such as
        /// `1.`, `.5`, `-` or `1e`.
        public static let invalidNumber = Code("invalidNumber")
        /// A number is too large in magnitude for an IEEE 754 double.
        public static let numberOutOfRange = Code("numberOutOfRange")
        /// An integer literal (no fraction, no exponent) lies outside
        /// ±(2^53 − 1), the range in which RFC 7493 section 2.2 expects I-JSON
        /// integers to be exact. Raised only when parsing with `rejectingUnsafeIntegers`.
        public static let unsafeInteger = Code("unsafeInteger")
        /// Arrays and objects are nested deeper than
        /// ``JSONValue/maximumNestingDepth``.
        public static let nestingTooDeep = Code("nestingTooDeep")
        /// A value to be written contains NaN or an infinity, which JSON
        /// cannot represent.
        public static let nonFiniteNumber = Code("nonFiniteNumber")
    }

    /// The kind of failure.
    public let code: Code
    /// The zero-based byte offset in the input where the failure was found,
    /// or `nil` for errors raised while writing a value.
    public let offset: Int?
    /// A sentence saying what was found and what was expected.
    public let reason: String

    public init(code: Code, offset: Int?, reason: String) {
        self.code = code
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        if let offset {
            return "invalid JSON at byte \(offset): \(reason)"
        }
        return "invalid JSON: \(reason)"
    }

    public static func == (lhs: JSONError, rhs: JSONError) -> Bool {
        lhs.code == rhs.code
    }
}
