extension JSONParser {
    /// Parses a string whose opening quote is at `position`, validating its
    /// UTF-8 and decoding its escapes.
    ///
    /// The result contains exactly the scalars written in the input, with no
    /// Unicode normalization.
    mutating func parseString() throws -> String {
        let openingQuote = position
        position += 1
        var utf8: [UInt8] = []
        var unescapedStart = position

        while true {
            guard position < bytes.count else {
                throw JSONError(
                    code: .unexpectedEndOfInput,
                    offset: position,
                    reason: "found end of input inside the string that starts at byte \(openingQuote), expected '\"'"
                )
            }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                utf8.append(contentsOf: bytes[unescapedStart..<position])
                position += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                utf8.append(contentsOf: bytes[unescapedStart..<position])
                try parseEscape(into: &utf8)
                unescapedStart = position
            case 0x00..<0x20:
                throw JSONError(
                    code: .controlCharacterInString,
                    offset: position,
                    reason: "found control character U+00\(Self.hexDigits(byte)) in a string, expected it escaped as \(Self.escapeSequence(for: byte))"
                )
            case 0x20..<0x80:
                position += 1
            default:
                try skipMultibyteSequence()
            }
        }
    }

    /// Returns the escape that RFC 8785 writes for a control character. Error
    /// messages show it as the fix for an unescaped one.
    private static func escapeSequence(for byte: UInt8) -> String {
        switch byte {
        case 0x08: return "\\b"
        case 0x09: return "\\t"
        case 0x0A: return "\\n"
        case 0x0C: return "\\f"
        case 0x0D: return "\\r"
        default: return "\\u00" + hexDigits(byte).lowercased()
        }
    }

    // MARK: - UTF-8

    /// Checks the multi-byte UTF-8 sequence at `position` against the
    /// well-formed byte sequences of the Unicode Standard (chapter 3,
    /// table 3-7, which RFC 3629 section 4 repeats), then moves past it.
    ///
    /// The narrowed ranges for the second byte are what rule out overlong
    /// forms (after E0 and F0), encoded surrogates (after ED) and values above
    /// U+10FFFF (after F4).
    private mutating func skipMultibyteSequence() throws {
        let start = position
        let lead = bytes[start]
        let length: Int
        var secondByteRange: ClosedRange<UInt8> = 0x80...0xBF

        switch lead {
        case 0x80...0xBF:
            throw invalidUTF8(at: start, "found continuation byte 0x\(Self.hexDigits(lead)) without a lead byte")
        case 0xC0, 0xC1:
            throw invalidUTF8(at: start, "found byte 0x\(Self.hexDigits(lead)), which starts only overlong encodings of ASCII")
        case 0xC2...0xDF:
            length = 2
        case 0xE0:
            length = 3
            secondByteRange = 0xA0...0xBF
        case 0xED:
            length = 3
            secondByteRange = 0x80...0x9F
        case 0xE1...0xEF:
            length = 3
        case 0xF0:
            length = 4
            secondByteRange = 0x90...0xBF
        case 0xF4:
            length = 4
            secondByteRange = 0x80...0x8F
        case 0xF1...0xF3:
            length = 4
        default:
            throw invalidUTF8(at: start, "found byte 0x\(Self.hexDigits(lead)), which never occurs in UTF-8")
        }

        var scalarValue = UInt32(lead) & (0x7F >> length)
        for index in 1..<length {
            guard start + index < bytes.count else {
                throw invalidUTF8(at: start, "found end of input inside the \(length)-byte sequence that starts with 0x\(Self.hexDigits(lead))")
            }
            let byte = bytes[start + index]
            let allowed = index == 1 ? secondByteRange : 0x80...0xBF
            guard allowed.contains(byte) else {
                throw invalidUTF8(at: start, Self.describeIllFormed(lead: lead, byte: byte, index: index, length: length))
            }
            scalarValue = scalarValue << 6 | UInt32(byte & 0x3F)
        }

        try checkNotNoncharacter(scalarValue, offset: start)
        position = start + length
    }

    private static func describeIllFormed(lead: UInt8, byte: UInt8, index: Int, length: Int) -> String {
        let pair = "0x\(hexDigits(lead)) 0x\(hexDigits(byte))"
        let isContinuation = (0x80...0xBF).contains(byte)
        switch (lead, isContinuation) {
        case (0xE0, true):
            return "found bytes \(pair), an overlong encoding of a code point below U+0800"
        case (0xF0, true):
            return "found bytes \(pair), an overlong encoding of a code point below U+10000"
        case (0xED, true):
            return "found bytes \(pair), an encoded surrogate (U+D800 to U+DFFF)"
        case (0xF4, true):
            return "found bytes \(pair), which encode a code point above U+10FFFF"
        default:
            return "found byte 0x\(hexDigits(byte)) at position \(index + 1) of the \(length)-byte sequence that starts with 0x\(hexDigits(lead)), expected a continuation byte (0x80 to 0xBF)"
        }
    }

    private func invalidUTF8(at offset: Int, _ reason: String) -> JSONError {
        JSONError(code: .invalidUTF8, offset: offset, reason: reason + ", expected well-formed UTF-8")
    }

    // MARK: - Escapes

    /// Decodes the escape whose backslash is at `position` and appends its
    /// UTF-8 encoding to `utf8`.
    private mutating func parseEscape(into utf8: inout [UInt8]) throws {
        let backslash = position
        position += 1
        guard position < bytes.count else {
            throw endOfInput(expected: "an escape character after '\\'")
        }

        let decoded: UInt8
        switch bytes[position] {
        case UInt8(ascii: "\""): decoded = 0x22
        case UInt8(ascii: "\\"): decoded = 0x5C
        case UInt8(ascii: "/"): decoded = 0x2F
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"):
            position += 1
            let scalar = try parseUnicodeEscape(backslash: backslash)
            UTF8.encode(scalar) { utf8.append($0) }
            return
        default:
            throw JSONError(
                code: .invalidEscape,
                offset: backslash,
                reason: "found \(describeByte(at: position)) after '\\', expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"
            )
        }
        utf8.append(decoded)
        position += 1
    }

    /// Decodes the four hexadecimal digits after `\u`, and a second `\u`
    /// escape when the first is a high surrogate.
    private mutating func parseUnicodeEscape(backslash: Int) throws -> Unicode.Scalar {
        let unit = try parseHexQuad()
        switch unit {
        case 0xD800...0xDBFF:
            guard position + 1 < bytes.count,
                  bytes[position] == UInt8(ascii: "\\"),
                  bytes[position + 1] == UInt8(ascii: "u")
            else {
                throw loneSurrogate(at: backslash, "found high surrogate \(Self.escapeText(unit)) not followed by a \\u escape, expected a low surrogate (\\uDC00 to \\uDFFF) after it")
            }
            position += 2
            let low = try parseHexQuad()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw loneSurrogate(at: backslash, "found high surrogate \(Self.escapeText(unit)) followed by \(Self.escapeText(low)), expected a low surrogate (\\uDC00 to \\uDFFF)")
            }
            let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            try checkNotNoncharacter(value, offset: backslash)
            return Unicode.Scalar(value)!
        case 0xDC00...0xDFFF:
            throw loneSurrogate(at: backslash, "found low surrogate \(Self.escapeText(unit)) without a high surrogate before it")
        default:
            try checkNotNoncharacter(unit, offset: backslash)
            return Unicode.Scalar(unit)!
        }
    }

    private mutating func parseHexQuad() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < bytes.count else {
                throw endOfInput(expected: "four hexadecimal digits after '\\u'")
            }
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw JSONError(
                    code: .invalidEscape,
                    offset: position,
                    reason: "found \(describeByte(at: position)) in a \\u escape, expected a hexadecimal digit"
                )
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private static func escapeText(_ unit: UInt32) -> String {
        let digits = String(unit, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
    }

    private func loneSurrogate(at offset: Int, _ reason: String) -> JSONError {
        JSONError(code: .loneSurrogate, offset: offset, reason: reason)
    }

    // MARK: - Noncharacters

    private func checkNotNoncharacter(_ value: UInt32, offset: Int) throws {
        guard let scalar = Unicode.Scalar(value), scalar.properties.isNoncharacterCodePoint else { return }
        throw JSONError(
            code: .noncharacter,
            offset: offset,
            reason: "found noncharacter U+\(String(value, radix: 16, uppercase: true)) in a string, expected none because I-JSON (RFC 7493 section 2.1) forbids them"
        )
    }
}
