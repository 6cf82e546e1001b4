/// Reads the members of a JSON object in place, without building
/// ``JSONValue``s, when its bytes are exactly the RFC 8785 canonical form of
/// a value within a simple profile.
///
/// The profile covers objects, arrays, `true`, `false`, `null`, integers of
/// at most 15 digits, and strings of printable ASCII (U+0020 to U+007E)
/// without `"` or `\`, nested at most ``maximumDepth`` deep. For such values
/// RFC 8785 leaves exactly one form: no whitespace, member names in strictly
/// increasing order (UTF-16 order equals byte order in ASCII), strings
/// without escapes, and integers in plain decimal without a sign on zero or
/// leading zeros. Every integer of at most 15 digits is below 2^53, so it is
/// exact as a double and RFC 8785 writes it that way.
///
/// A text that the reader accepts therefore parses with
/// ``JSONValue/init(parsing:)-([UInt8])`` to the values it reports, and
/// canonicalizes back to the same bytes. The reader returns `nil` for
/// non-canonical text (whitespace, reordered or repeated members, escapes,
/// `1.0`, `-0`, `1e2`), for text outside the profile (non-ASCII strings,
/// fractions, long integers) and for invalid JSON. A `nil` means only that
/// the caller must use the general parser, which decides.
public struct CanonicalObjectReader {
    /// The deepest nesting of objects and arrays accepted, counting the
    /// outermost object as 1. It is below ``JSONValue/maximumNestingDepth``.
    public static let maximumDepth = 16

    /// The maximum number of digits in an accepted integer.
    public static let maximumIntegerDigits = 15

    /// One member's value: where it lies in the text and, for scalars, what it is.
    public enum Value: Equatable, Sendable {
        /// A string, by the offsets of its characters without the quotes.
        case string(Range<Int>)
        case integer(Int64)
        /// A nested object, by the offsets from its `{` to its `}`.
        case object(Range<Int>)
        /// A nested array, by the offsets from its `[` to its `]`.
        case array(Range<Int>)
        case bool(Bool)
        case null
    }

    /// One member of an object: the offsets of its name without the quotes, and its value.
    public struct Member: Equatable, Sendable {
        public let name: Range<Int>
        public let value: Value
    }

    private let bytes: UnsafeRawBufferPointer
    private var position: Int

    private init(bytes: UnsafeRawBufferPointer, position: Int) {
        self.bytes = bytes
        self.position = position
    }

    /// Reads the object that spans exactly `range` of `bytes` and replaces
    /// the contents of `members` with its members, in order.
    ///
    /// `members` is passed in so that a caller reading many objects reuses
    /// one array. Offsets in the members count from the start of `bytes`.
    /// - Returns: `true` when the object is canonical and within the
    ///   profile; `false` otherwise, with `members` in an unspecified state.
    public static func readMembers(of bytes: UnsafeRawBufferPointer, in range: Range<Int>, depth: Int = 1,
                                   into members: inout [Member]) -> Bool {
        members.removeAll(keepingCapacity: true)
        guard range.lowerBound >= 0, range.upperBound <= bytes.count, depth >= 1 else { return false }
        var reader = CanonicalObjectReader(bytes: UnsafeRawBufferPointer(rebasing: bytes[..<range.upperBound]),
                                           position: range.lowerBound)
        guard reader.readObject(depth: depth, into: &members) else { return false }
        return reader.position == range.upperBound
    }

    /// Reads the object that makes up all of `bytes`; see ``readMembers(of:in:depth:into:)``.
    public static func readMembers(of bytes: UnsafeRawBufferPointer, into members: inout [Member]) -> Bool {
        readMembers(of: bytes, in: 0..<bytes.count, into: &members)
    }

    // MARK: - Values

    private var current: UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        position += 1
        return true
    }

    /// Reads an object whose `{` is at `position`, appending its members to
    /// `members` when `collect` is set and only checking them otherwise.
    private mutating func readObject(depth: Int, into members: inout [Member], collect: Bool = true) -> Bool {
        guard depth <= Self.maximumDepth, take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        var previousName: Range<Int>?
        repeat {
            guard let name = readString() else { return false }
            if let previousName, !precedes(previousName, name) { return false }
            guard take(UInt8(ascii: ":")), let value = readValue(depth: depth) else { return false }
            if collect { members.append(Member(name: name, value: value)) }
            previousName = name
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    private mutating func readArray(depth: Int) -> Bool {
        guard depth <= Self.maximumDepth, take(UInt8(ascii: "[")) else { return false }
        if take(UInt8(ascii: "]")) { return true }
        repeat {
            guard readValue(depth: depth) != nil else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]"))
    }

    /// Reads the value at `position` inside a container at `depth`.
    private mutating func readValue(depth: Int) -> Value? {
        let start = position
        guard let first = current else { return nil }
        switch first {
        case UInt8(ascii: "\""):
            return readString().map(Value.string)
        case UInt8(ascii: "{"):
            var unused: [Member] = []
            guard readObject(depth: depth + 1, into: &unused, collect: false) else { return nil }
            return .object(start..<position)
        case UInt8(ascii: "["):
            guard readArray(depth: depth + 1) else { return nil }
            return .array(start..<position)
        case UInt8(ascii: "t"):
            return readLiteral("true") ? .bool(true) : nil
        case UInt8(ascii: "f"):
            return readLiteral("false") ? .bool(false) : nil
        case UInt8(ascii: "n"):
            return readLiteral("null") ? .null : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return readInteger().map(Value.integer)
        default:
            return nil
        }
    }

    /// Reads a string of printable ASCII without escapes and returns the
    /// offsets of its characters.
    private mutating func readString() -> Range<Int>? {
        guard take(UInt8(ascii: "\"")), let base = bytes.baseAddress else { return nil }
        let start = position
        let end = bytes.count
        var index = start
        while index < end {
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return start..<index
            }
            guard byte >= 0x20, byte <= 0x7E, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    private mutating func readLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let literalBytes = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for offset in 0..<count where bytes[position + offset] != literalBytes[offset] {
            return false
        }
        position += count
        return true
    }

    /// Reads `0` or an optionally negative integer without leading zeros.
    /// `-0` is not canonical, because RFC 8785 writes negative zero as `0`.
    private mutating func readInteger() -> Int64? {
        let negative = take(UInt8(ascii: "-"))
        if !negative, take(UInt8(ascii: "0")) {
            return isDigit(current) || isFractionOrExponent(current) ? nil : 0
        }
        guard let first = current, first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9") else { return nil }
        var magnitude: Int64 = 0
        var digits = 0
        while let byte = current, isDigit(byte) {
            digits += 1
            guard digits <= Self.maximumIntegerDigits else { return nil }
            magnitude = magnitude * 10 + Int64(byte - UInt8(ascii: "0"))
            position += 1
        }
        return isFractionOrExponent(current) ? nil : (negative ? -magnitude : magnitude)
    }

    /// Returns whether `byte` starts a fraction or an exponent, which makes a
    /// number non-canonical or puts it outside the profile.
    private func isFractionOrExponent(_ byte: UInt8?) -> Bool {
        byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }

    private func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// Returns whether the name at `left` sorts strictly before the name at `right`, byte by byte.
    private func precedes(_ left: Range<Int>, _ right: Range<Int>) -> Bool {
        let leftBytes = UnsafeRawBufferPointer(rebasing: bytes[left])
        let rightBytes = UnsafeRawBufferPointer(rebasing: bytes[right])
        return leftBytes.lexicographicallyPrecedes(rightBytes)
    }
}
