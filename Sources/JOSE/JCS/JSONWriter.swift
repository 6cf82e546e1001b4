/// Writes a ``JSONValue`` as UTF-8 JSON text, either in RFC 8785 canonical
/// form or indented for people to read.
///
/// Both layouts order members and write strings and numbers the same way, so
/// the pretty form differs from the canonical one only in whitespace.
struct JSONWriter {
    enum Layout {
        /// No whitespace at all, as RFC 8785 section 3.2.1 requires.
        case compact
        /// One member or element per line, indented by two spaces per level,
        /// with a space after each colon.
        case pretty
    }

    let layout: Layout
    private(set) var output: [UInt8] = []
    private var depth = 0

    init(layout: Layout) {
        self.layout = layout
    }

    mutating func write(_ value: JSONValue) throws {
        switch value {
        case .null:
            append("null")
        case .bool(let bool):
            append(bool ? "true" : "false")
        case .number(let number):
            append(try JCS.serialize(number: number))
        case .string(let string):
            try writeString(string)
        case .array(let elements):
            try writeArray(elements)
        case .object(let members):
            try writeObject(members)
        }
    }

    // MARK: - Arrays and objects

    private mutating func writeArray(_ elements: [JSONValue]) throws {
        try enterNesting()
        append("[")
        for (index, element) in elements.enumerated() {
            if index > 0 {
                append(",")
            }
            writeLineBreak()
            try write(element)
        }
        depth -= 1
        if !elements.isEmpty {
            writeLineBreak()
        }
        append("]")
    }

    /// Writes the members ordered by the UTF-16 code units of their names,
    /// as RFC 8785 section 3.2.3 requires. Comparing code units, not code
    /// points, puts U+1F600 (D83D DE00) before U+FB33.
    private mutating func writeObject(_ members: [String: JSONValue]) throws {
        try enterNesting()
        append("{")
        let sortedMembers = members.sorted { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) }
        for (index, member) in sortedMembers.enumerated() {
            if index > 0 {
                append(",")
            }
            writeLineBreak()
            try writeString(member.key)
            append(layout == .pretty ? ": " : ":")
            try write(member.value)
        }
        depth -= 1
        if !members.isEmpty {
            writeLineBreak()
        }
        append("}")
    }

    /// Rejects nesting that ``JSONValue/init(parsing:)-([UInt8])`` would
    /// reject, so that every text written here parses back.
    private mutating func enterNesting() throws {
        depth += 1
        if depth > JSONValue.maximumNestingDepth {
            throw JSONError(
                code: .nestingTooDeep,
                offset: nil,
                reason: "found an array or object at nesting depth \(depth), expected at most \(JSONValue.maximumNestingDepth)"
            )
        }
    }

    private mutating func writeLineBreak() {
        guard layout == .pretty else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    // MARK: - Strings

    /// Writes a string with the escapes of RFC 8785 section 3.2.2.2.
    ///
    /// `"`, `\`, U+0008, U+0009, U+000A, U+000C and U+000D get their
    /// two-character escapes, and the other control characters below U+0020
    /// get `\u00xx` in lowercase hexadecimal. Every other scalar is written as
    /// raw UTF-8.
    private mutating func writeString(_ string: String) throws {
        output.append(UInt8(ascii: "\""))
        // Printable ASCII other than `"` and `\` is written unchanged, so a
        // string of only such bytes is copied at once, skipping the scalar loop.
        let copied = string.utf8.withContiguousStorageIfAvailable { bytes in
            guard bytes.allSatisfy({ (0x20..<0x80).contains($0) && $0 != 0x22 && $0 != 0x5C }) else { return false }
            output.append(contentsOf: bytes)
            return true
        }
        if copied == true {
            output.append(UInt8(ascii: "\""))
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar.value {
            case 0x22: append("\\\"")
            case 0x5C: append("\\\\")
            case 0x08: append("\\b")
            case 0x09: append("\\t")
            case 0x0A: append("\\n")
            case 0x0C: append("\\f")
            case 0x0D: append("\\r")
            case 0x00..<0x20:
                append("\\u00")
                output.append(Self.lowercaseHexDigit(UInt8(scalar.value >> 4)))
                output.append(Self.lowercaseHexDigit(UInt8(scalar.value & 0xF)))
            case 0x20..<0x80:
                output.append(UInt8(scalar.value))
            default:
                try checkNotNoncharacter(scalar, in: string)
                UTF8.encode(scalar) { output.append($0) }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Rejects the noncharacters that the parser rejects, so that every text
    /// written here parses back.
    private func checkNotNoncharacter(_ scalar: Unicode.Scalar, in string: String) throws {
        guard scalar.properties.isNoncharacterCodePoint else { return }
        throw JSONError(
            code: .noncharacter,
            offset: nil,
            reason: "found noncharacter U+\(String(scalar.value, radix: 16, uppercase: true)) in a string, "
                + "expected none because I-JSON (RFC 7493 section 2.1) forbids them"
        )
    }

    private static func lowercaseHexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    private mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }
}
