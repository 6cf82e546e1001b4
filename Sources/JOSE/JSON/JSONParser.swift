/// A recursive-descent parser for one RFC 8259 JSON text with the I-JSON
/// restrictions of RFC 7493. ``JSONValue/init(parsing:)-([UInt8])`` lists
/// what it rejects.
struct JSONParser {
    let bytes: [UInt8]
    var position = 0
    private var depth = 0
    /// Whether an integer literal outside ±(2^53 − 1) is an error; see ``JSONValue/init(parsing:rejectingUnsafeIntegers:)``.
    private let rejectsUnsafeIntegers: Bool
    /// The member names and array indexes leading to the value being parsed,
    /// kept only while `rejectsUnsafeIntegers` is set, for the error message.
    private var path: [PathComponent] = []

    private enum PathComponent {
        case member(String)
        case index(Int)
    }

    init(bytes: [UInt8], rejectsUnsafeIntegers: Bool = false) {
        self.bytes = bytes
        self.rejectsUnsafeIntegers = rejectsUnsafeIntegers
    }

    /// Parses the whole input as one value surrounded by optional whitespace.
    mutating func parseText() throws -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw JSONError(
                code: .byteOrderMark,
                offset: 0,
                reason: "found a UTF-8 byte-order mark (EF BB BF), expected JSON text without one"
            )
        }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if position < bytes.count {
            throw JSONError(
                code: .trailingData,
                offset: position,
                reason: "found \(describeByte(at: position)) after the end of the value, expected end of input"
            )
        }
        return value
    }

    // MARK: - Values

    private mutating func parseValue() throws -> JSONValue {
        guard position < bytes.count else {
            throw endOfInput(expected: "a value")
        }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            return try parseObject()
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try parseLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try parseLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try parseLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw unexpectedByte(
                expected: "a value (object, array, string, number, true, false or null)"
            )
        }
    }

    private mutating func parseLiteral(_ literal: String) throws {
        for expectedByte in literal.utf8 {
            guard position < bytes.count else {
                throw endOfInput(expected: "'\(literal)'")
            }
            guard bytes[position] == expectedByte else {
                throw unexpectedByte(expected: "'\(literal)'")
            }
            position += 1
        }
    }

    private mutating func parseArray() throws -> JSONValue {
        try enterNesting()
        position += 1
        var elements: [JSONValue] = []

        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(elements)
        }

        while true {
            skipWhitespace()
            if rejectsUnsafeIntegers {
                path.append(.index(elements.count))
                elements.append(try parseValue())
                path.removeLast()
            } else {
                elements.append(try parseValue())
            }
            skipWhitespace()
            guard position < bytes.count else {
                throw endOfInput(expected: "',' or ']'")
            }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return .array(elements)
            default:
                throw unexpectedByte(expected: "',' or ']'")
            }
        }
    }

    private mutating func parseObject() throws -> JSONValue {
        try enterNesting()
        position += 1
        var members: [String: JSONValue] = [:]

        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(members)
        }

        while true {
            skipWhitespace()
            guard position < bytes.count else {
                throw endOfInput(expected: "a member name")
            }
            guard bytes[position] == UInt8(ascii: "\"") else {
                throw unexpectedByte(expected: "a member name in double quotes")
            }
            let nameOffset = position
            let name = try parseString()

            skipWhitespace()
            guard position < bytes.count else {
                throw endOfInput(expected: "':'")
            }
            guard bytes[position] == UInt8(ascii: ":") else {
                throw unexpectedByte(expected: "':' after the member name")
            }
            position += 1
            skipWhitespace()
            if rejectsUnsafeIntegers { path.append(.member(name)) }
            let value = try parseValue()
            if rejectsUnsafeIntegers { path.removeLast() }

            try checkUnique(name, in: members, offset: nameOffset)
            members[name] = value

            skipWhitespace()
            guard position < bytes.count else {
                throw endOfInput(expected: "',' or '}'")
            }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                return .object(members)
            default:
                throw unexpectedByte(expected: "',' or '}'")
            }
        }
    }

    /// Throws if `members` already has `name`, or a name that Swift's
    /// `Dictionary` treats as the same key because it is canonically equivalent.
    private func checkUnique(_ name: String, in members: [String: JSONValue], offset: Int) throws {
        guard let index = members.index(forKey: name) else { return }
        let existingName = members[index].key
        if existingName.utf8.elementsEqual(name.utf8) {
            throw JSONError(
                code: .duplicateMemberName,
                offset: offset,
                reason: "found member name \(quoted(name)) a second time in the same object, expected unique names"
            )
        }
        throw JSONError(
            code: .equivalentMemberNames,
            offset: offset,
            reason: "found member name \(quoted(name)), which is canonically equivalent to the earlier name "
                + "\(quoted(existingName)) in the same object, expected names that differ after Unicode normalization"
        )
    }

    private mutating func enterNesting() throws {
        depth += 1
        if depth > JSONValue.maximumNestingDepth {
            throw JSONError(
                code: .nestingTooDeep,
                offset: position,
                reason: "found an array or object at nesting depth \(depth), expected at most \(JSONValue.maximumNestingDepth)"
            )
        }
    }

    // MARK: - Numbers

    /// Parses a number with the grammar of RFC 8259 section 6 and rounds it
    /// to the nearest `Double`.
    private mutating func parseNumber() throws -> Double {
        let start = position
        if bytes[position] == UInt8(ascii: "-") {
            position += 1
        }

        guard position < bytes.count, isDigit(bytes[position]) else {
            throw invalidNumber(expected: "a digit after '-'")
        }
        let digitsStart = position
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) {
                throw JSONError(
                    code: .leadingZero,
                    offset: position - 1,
                    reason: "found a number with a leading zero, expected no digits after an initial '0' before '.' or 'e'"
                )
            }
        } else {
            skipDigits()
        }
        let digitsEnd = position

        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw invalidNumber(expected: "a digit after the decimal point")
            }
            skipDigits()
        }

        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw invalidNumber(expected: "a digit in the exponent")
            }
            skipDigits()
        }

        // The grammar above admits only ASCII, and Swift's Double(String)
        // rounds decimal text correctly to the nearest double.
        let literal = String(decoding: bytes[start..<position], as: UTF8.self)
        if rejectsUnsafeIntegers, digitsEnd == position, !Self.isSafeInteger(digits: bytes[digitsStart..<digitsEnd]) {
            throw JSONError(
                code: .unsafeInteger,
                offset: start,
                reason: "found the integer \(literal) at \(pathDescription), outside ±9007199254740991 (2^53 − 1), "
                    + "the integers that an I-JSON number holds exactly (RFC 7493 section 2.2): "
                    + "send it as a string, such as \"\(literal)\""
            )
        }
        guard let number = Double(literal) else {
            throw JSONError(code: .invalidNumber, offset: start, reason: "found number \(literal), which could not be converted to a double")
        }
        guard number.isFinite else {
            throw JSONError(
                code: .numberOutOfRange,
                offset: start,
                reason: "found number \(literal), expected a magnitude of at most 1.7976931348623157e+308 (the largest IEEE 754 double)"
            )
        }
        return number
    }

    /// Returns whether the decimal digits of an integer literal, without its sign and
    /// with no leading zero, name a magnitude of at most 2^53 − 1 = 9007199254740991.
    private static func isSafeInteger(digits: ArraySlice<UInt8>) -> Bool {
        let maximum = Array("9007199254740991".utf8)
        return digits.count < maximum.count || (digits.count == maximum.count && !maximum.lexicographicallyPrecedes(digits))
    }

    /// The path of the value being parsed, such as `$.amounts[2]` or `$["two words"]`.
    private var pathDescription: String {
        var text = "$"
        for component in path {
            switch component {
            case .index(let index):
                text += "[\(index)]"
            case .member(let name):
                let isIdentifier = name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
                    && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
                text += isIdentifier ? ".\(name)" : "[\(quoted(name))]"
            }
        }
        return text
    }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) {
            position += 1
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    // MARK: - Whitespace and errors

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                position += 1
            default:
                return
            }
        }
    }

    func endOfInput(expected: String) -> JSONError {
        JSONError(code: .unexpectedEndOfInput, offset: position, reason: "found end of input, expected \(expected)")
    }

    func unexpectedByte(expected: String) -> JSONError {
        JSONError(code: .unexpectedCharacter, offset: position, reason: "found \(describeByte(at: position)), expected \(expected)")
    }

    private func invalidNumber(expected: String) -> JSONError {
        let found = position < bytes.count ? describeByte(at: position) : "end of input"
        return JSONError(code: .invalidNumber, offset: position, reason: "found \(found) in a number, expected \(expected)")
    }

    /// Names the byte at `offset` for an error message: printable ASCII as
    /// itself in quotes, anything else in hexadecimal.
    func describeByte(at offset: Int) -> String {
        let byte = bytes[offset]
        if byte > 0x20, byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        return "byte 0x\(Self.hexDigits(byte))"
    }

    /// Quotes a member name for an error message, escaping control characters
    /// so that the message stays on one line.
    func quoted(_ name: String) -> String {
        var result = "\""
        for scalar in name.unicodeScalars {
            if scalar.value < 0x20 || scalar == "\"" || scalar == "\\" {
                result += scalar.escaped(asASCII: false)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// Formats a byte as two uppercase hexadecimal digits.
    static func hexDigits(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0" + digits : digits
    }
}
