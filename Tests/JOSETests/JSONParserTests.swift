import JOSE
import XCTest

final class JSONParserTests: XCTestCase {
    private func bytes(_ text: String) -> [UInt8] {
        Array(text.utf8)
    }

    private func nested(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    // MARK: - Accepted input

    func testAcceptsValidText() throws {
        let cases: [(input: String, expected: JSONValue)] = [
            ("null", nil),
            ("true", true),
            ("false", false),
            ("0", 0),
            ("-0", .number(-0.0)),
            ("42", 42),
            ("-1.25e+2", -125),
            ("1.5E3", 1500),
            ("1e-2", 0.01),
            ("0.5", 0.5),
            ("123456789012345678901234567890", .number(1.2345678901234568e29)),
            ("1e-400", 0),
            ("1.7976931348623157e308", .number(.greatestFiniteMagnitude)),
            ("\"\"", ""),
            (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
            (#""\u0041\u00e9\u20AC""#, "A\u{E9}\u{20AC}"),
            (#""\ud83d\ude00""#, "\u{1F600}"),
            (#""\uD83D\uDE00""#, "\u{1F600}"),
            (#""\u0000""#, "\u{0}"),
            ("\"\u{7F}\u{80}\u{FEFF}\u{10FFFD}\"", "\u{7F}\u{80}\u{FEFF}\u{10FFFD}"),
            (" \t\r\n[ ] \n", []),
            ("{}", [:]),
            (#"[1,"a",null,[],{}]"#, [1, "a", nil, [], [:]]),
            (#"{"a":{"b":[true]},"":0}"#, ["a": ["b": [true]], "": 0]),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(try JSONValue(parsing: bytes(input)), expected, input)
        }
    }

    func testSurrogatePairEscapeIsOneScalar() throws {
        let value = try JSONValue(parsing: #""\ud83d\ude00""#)
        XCTAssertEqual(value.stringValue?.unicodeScalars.map(\.value), [0x1F600])
    }

    func testParsingAppliesNoNormalization() throws {
        let decomposed = try JSONValue(parsing: #"{"e\u0301":"e\u0301"}"#)
        XCTAssertEqual(decomposed.objectValue?.keys.first?.unicodeScalars.map(\.value), [0x65, 0x301])
        XCTAssertEqual(decomposed["e\u{301}"]?.stringValue?.unicodeScalars.map(\.value), [0x65, 0x301])
    }

    func testStringAndByteInputsAgree() throws {
        let text = #"{"k": [1, "\u00e9", null]}"#
        XCTAssertEqual(try JSONValue(parsing: text), try JSONValue(parsing: bytes(text)))
    }

    func testNestingAtLimitIsAccepted() throws {
        XCTAssertNoThrow(try JSONValue(parsing: nested(JSONValue.maximumNestingDepth)))
    }

    // MARK: - Rejected input

    func testRejectsInvalidText() {
        let deepObject = String(repeating: #"{"a":"#, count: 129) + "1" + String(repeating: "}", count: 129)
        let cases: [(name: String, input: [UInt8], code: JSONError.Code, offset: Int)] = [
            // Structure
            ("empty input", [], .unexpectedEndOfInput, 0),
            ("whitespace only", bytes("  "), .unexpectedEndOfInput, 2),
            ("byte-order mark", [0xEF, 0xBB, 0xBF] + bytes("{}"), .byteOrderMark, 0),
            ("byte-order mark after whitespace", [0x20, 0xEF, 0xBB, 0xBF, 0x31], .unexpectedCharacter, 1),
            ("trailing data", bytes("{} x"), .trailingData, 3),
            ("two values", bytes("1 2"), .trailingData, 2),
            ("hexadecimal number", bytes("0x10"), .trailingData, 1),
            ("trailing comma in array", bytes("[1,]"), .unexpectedCharacter, 3),
            ("trailing comma in object", bytes(#"{"a":1,}"#), .unexpectedCharacter, 7),
            ("missing colon", bytes(#"{"a" 1}"#), .unexpectedCharacter, 5),
            ("missing comma", bytes("[1 2]"), .unexpectedCharacter, 3),
            ("unquoted member name", bytes("{a:1}"), .unexpectedCharacter, 1),
            ("single-quoted string", bytes("'a'"), .unexpectedCharacter, 0),
            ("comment", bytes("[1 /* c */]"), .unexpectedCharacter, 3),
            ("vertical tab as whitespace", bytes("\u{0B}1"), .unexpectedCharacter, 0),
            ("no-break space as whitespace", [0xC2, 0xA0, 0x31], .unexpectedCharacter, 0),
            ("unclosed array", bytes("[1"), .unexpectedEndOfInput, 2),
            ("unclosed object", bytes(#"{"a":1"#), .unexpectedEndOfInput, 6),
            ("object ends after name", bytes(#"{"a""#), .unexpectedEndOfInput, 4),
            ("unclosed string", bytes("\"abc"), .unexpectedEndOfInput, 4),
            ("truncated literal", bytes("tru"), .unexpectedEndOfInput, 3),
            ("misspelled literal", bytes("nul1"), .unexpectedCharacter, 3),
            ("capitalized literal", bytes("True"), .unexpectedCharacter, 0),
            ("NaN literal", bytes("NaN"), .unexpectedCharacter, 0),
            // Numbers
            ("-Infinity literal", bytes("-Infinity"), .invalidNumber, 1),
            ("leading zero", bytes("01"), .leadingZero, 0),
            ("negative leading zero", bytes("-012"), .leadingZero, 1),
            ("double zero in array", bytes("[00]"), .leadingZero, 1),
            ("plus sign", bytes("+1"), .unexpectedCharacter, 0),
            ("minus sign alone", bytes("-"), .invalidNumber, 1),
            ("leading decimal point", bytes(".5"), .unexpectedCharacter, 0),
            ("trailing decimal point", bytes("1."), .invalidNumber, 2),
            ("decimal point before exponent", bytes("1.e5"), .invalidNumber, 2),
            ("empty exponent", bytes("1e"), .invalidNumber, 2),
            ("exponent sign only", bytes("1e+"), .invalidNumber, 3),
            ("overflow to infinity", bytes("1e309"), .numberOutOfRange, 0),
            ("negative overflow in array", bytes("[-1.8e308]"), .numberOutOfRange, 1),
            ("overflow from many digits", bytes("1" + String(repeating: "0", count: 400)), .numberOutOfRange, 0),
            // Strings
            ("raw line feed in string", bytes("\"a\nb\""), .controlCharacterInString, 2),
            ("raw tab in string", bytes("\"\t\""), .controlCharacterInString, 1),
            ("raw NUL in string", [0x22, 0x00, 0x22], .controlCharacterInString, 1),
            ("raw unit separator in member name", bytes("{\"\u{1F}\":1}"), .controlCharacterInString, 2),
            ("unknown escape", bytes(#""\x""#), .invalidEscape, 1),
            ("escaped single quote", bytes(#""\'""#), .invalidEscape, 1),
            ("escaped capital U", bytes(#""\U0041""#), .invalidEscape, 1),
            ("short \\u escape", bytes(#""\u12""#), .invalidEscape, 5),
            ("non-hex digit in \\u escape", bytes(#""\u00g0""#), .invalidEscape, 5),
            ("backslash at end of input", bytes(#""\"#), .unexpectedEndOfInput, 2),
            ("lone high surrogate", bytes(#""\ud83d""#), .loneSurrogate, 1),
            ("high surrogate then text", bytes(#""\ud83dx""#), .loneSurrogate, 1),
            ("high surrogate then BMP escape", bytes(#""\ud83d\u0041""#), .loneSurrogate, 1),
            ("two high surrogates", bytes(#""\ud83d\ud83d""#), .loneSurrogate, 1),
            ("lone low surrogate", bytes(#""\ude00""#), .loneSurrogate, 1),
            ("reversed surrogate pair", bytes(#""\ude00\ud83d""#), .loneSurrogate, 1),
            ("escaped noncharacter U+FFFF", bytes(#""\uffff""#), .noncharacter, 1),
            ("escaped noncharacter U+FDD0", bytes(#""a\uFDD0""#), .noncharacter, 2),
            ("noncharacter U+1FFFE as surrogate pair", bytes(#""\ud83f\udffe""#), .noncharacter, 1),
            ("raw noncharacter U+FFFE", [0x22, 0xEF, 0xBF, 0xBE, 0x22], .noncharacter, 1),
            ("raw noncharacter U+10FFFF", [0x22, 0xF4, 0x8F, 0xBF, 0xBF, 0x22], .noncharacter, 1),
            // UTF-8
            ("stray continuation byte", [0x22, 0x80, 0x22], .invalidUTF8, 1),
            ("overlong 2-byte form of '/'", [0x22, 0xC0, 0xAF, 0x22], .invalidUTF8, 1),
            ("overlong 2-byte form with C1", [0x22, 0xC1, 0xBF, 0x22], .invalidUTF8, 1),
            ("overlong 3-byte form", [0x22, 0xE0, 0x80, 0xAF, 0x22], .invalidUTF8, 1),
            ("overlong 3-byte form of U+07FF", [0x22, 0xE0, 0x9F, 0xBF, 0x22], .invalidUTF8, 1),
            ("overlong 4-byte form", [0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], .invalidUTF8, 1),
            ("overlong 4-byte form of U+FFFF", [0x22, 0xF0, 0x8F, 0xBF, 0xBF, 0x22], .invalidUTF8, 1),
            ("encoded high surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22], .invalidUTF8, 1),
            ("encoded low surrogate", [0x22, 0xED, 0xBF, 0xBF, 0x22], .invalidUTF8, 1),
            ("CESU-8 surrogate pair", [0x22, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80, 0x22], .invalidUTF8, 1),
            ("code point above U+10FFFF", [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], .invalidUTF8, 1),
            ("byte F5", [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], .invalidUTF8, 1),
            ("byte FF", [0x22, 0xFF, 0x22], .invalidUTF8, 1),
            ("truncated 3-byte sequence", [0x22, 0xE2, 0x82, 0x22], .invalidUTF8, 1),
            ("truncated 4-byte sequence", [0x22, 0xF0, 0x9F, 0x98, 0x61, 0x22], .invalidUTF8, 1),
            ("sequence cut by end of input", [0x22, 0xE2, 0x82], .invalidUTF8, 1),
            ("Latin-1 byte", [0x22, 0xE9, 0x22], .invalidUTF8, 1),
            ("invalid UTF-8 in member name", [0x7B, 0x22, 0xC0, 0x80, 0x22, 0x3A, 0x31, 0x7D], .invalidUTF8, 2),
            ("non-ASCII outside a string", [0xC3, 0xA9], .unexpectedCharacter, 0),
            // Objects
            ("duplicate member name", bytes(#"{"a":1,"a":2}"#), .duplicateMemberName, 7),
            ("duplicate after unescaping", bytes(#"{"a":1,"\u0061":2}"#), .duplicateMemberName, 7),
            ("duplicate with equal values", bytes(#"[{"x":{"k":1,"k":1}}]"#), .duplicateMemberName, 13),
            ("canonically equivalent names", bytes(#"{"\u00e9":1,"e\u0301":2}"#), .equivalentMemberNames, 12),
            // Nesting
            ("arrays nested too deep", bytes(nested(129)), .nestingTooDeep, 128),
            ("objects nested too deep", bytes(deepObject), .nestingTooDeep, 128 * 5),
        ]
        for (name, input, code, offset) in cases {
            XCTAssertThrowsError(try JSONValue(parsing: input), name) { error in
                let jsonError = error as? JSONError
                XCTAssertEqual(jsonError?.code, code, "\(name): \(error)")
                XCTAssertEqual(jsonError?.offset, offset, "\(name): \(error)")
            }
        }
    }

    // MARK: - Error messages

    func testErrorDescriptionNamesFoundAndExpected() {
        let cases: [(input: String, description: String)] = [
            ("[1,]", "invalid JSON at byte 3: found ']', expected a value (object, array, string, number, true, false or null)"),
            ("{} x", "invalid JSON at byte 3: found 'x' after the end of the value, expected end of input"),
            (#"{"a":1,"a":2}"#, #"invalid JSON at byte 7: found member name "a" a second time in the same object, expected unique names"#),
            (#""\ude00""#, #"invalid JSON at byte 1: found low surrogate \uDE00 without a high surrogate before it"#),
            ("01", "invalid JSON at byte 0: found a number with a leading zero, expected no digits after an initial '0' before '.' or 'e'"),
        ]
        for (input, description) in cases {
            XCTAssertThrowsError(try JSONValue(parsing: input), input) { error in
                XCTAssertEqual("\(error)", description)
            }
        }
    }

    func testInvalidUTF8ReasonNamesTheBytes() {
        XCTAssertThrowsError(try JSONValue(parsing: [0x22, 0xED, 0xA0, 0x80, 0x22])) { error in
            XCTAssertEqual(
                (error as? JSONError)?.reason,
                "found bytes 0xED 0xA0, an encoded surrogate (U+D800 to U+DFFF), expected well-formed UTF-8"
            )
        }
    }

    func testErrorsAreEqualByCode() {
        let first = JSONError(code: .invalidNumber, offset: 1, reason: "one")
        let second = JSONError(code: .invalidNumber, offset: 9, reason: "two")
        let other = JSONError(code: .leadingZero, offset: 1, reason: "one")
        XCTAssertEqual(first, second)
        XCTAssertNotEqual(first, other)
    }

    func testUnsafeIntegersAreRejectedOnRequest() throws {
        let rejected: [(json: String, reason: String)] = [
            ("9007199254740992", "found the integer 9007199254740992 at $,"),
            ("-9007199254740992", "found the integer -9007199254740992 at $,"),
            (#"{"a":[1,{"b":10000000000000000}]}"#, "found the integer 10000000000000000 at $.a[1].b,"),
            (#"{"a-b":[99999999999999999999999]}"#, #"at $["a-b"][0],"#),
            (#"{"\"q\"":18446744073709551616}"#, #"at $["\"q\""],"#),
        ]
        for (json, reason) in rejected {
            XCTAssertThrowsError(try JSONValue(parsing: Array(json.utf8), rejectingUnsafeIntegers: true), json) { error in
                XCTAssertEqual((error as? JSONError)?.code, .unsafeInteger, json)
                XCTAssertTrue("\(error)".contains(reason), "\(json): \(error)")
                XCTAssertTrue("\(error)".contains("send it as a string"), "\(json): \(error)")
            }
            XCTAssertNoThrow(try JSONValue(parsing: Array(json.utf8)), "without the option \(json) is rounded as before")
        }

        let accepted = ["9007199254740991", "-9007199254740991", "0", "-0", "1e300", "9007199254740993.0", "1.5e16",
                        #"{"a":[9007199254740991,-9007199254740991]}"#, "123456789012345"]
        for json in accepted {
            XCTAssertNoThrow(try JSONValue(parsing: Array(json.utf8), rejectingUnsafeIntegers: true), json)
        }
        XCTAssertEqual(try JSONValue(parsing: Array("9007199254740991".utf8), rejectingUnsafeIntegers: true), .number(9_007_199_254_740_991))
    }
}
