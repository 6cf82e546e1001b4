import Foundation
import JOSE
import XCTest

/// Reads the files under Fixtures/jcs; Fixtures/jcs/README.md names the source of each.
enum JCSFixture {
    static var directory: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("jcs")
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(path)))
    }

    static func text(_ path: String) throws -> String {
        String(decoding: try bytes(path), as: UTF8.self)
    }

    /// Decodes a file of space-separated hexadecimal byte values.
    static func hexBytes(_ path: String) throws -> [UInt8] {
        try text(path).split(whereSeparator: { $0 == " " || $0 == "\n" }).map { pair in
            guard let byte = UInt8(pair, radix: 16) else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(path): '\(pair)' is not a hexadecimal byte"])
            }
            return byte
        }
    }
}

final class JCSVectorTests: XCTestCase {
    /// The canonical form of cyberphone's `input/arrays.json`, for which the
    /// repository publishes no output file. Derived by hand from RFC 8785:
    /// members sorted "1" < "10" < "d" by UTF-16 code units, no whitespace.
    private static let arraysExpected = #"[56,{"1":[],"10":null,"d":true}]"#

    func testCyberphoneInputsMatchPublishedOutputs() throws {
        let inputDirectory = JCSFixture.directory.appendingPathComponent("cyberphone/input")
        let names = try FileManager.default.contentsOfDirectory(atPath: inputDirectory.path).sorted()
        XCTAssertEqual(names.count, 7, "expected the seven cyberphone input files")

        for name in names {
            let expected: [UInt8]
            if name == "arrays.json" {
                expected = Array(Self.arraysExpected.utf8)
            } else {
                expected = try JCSFixture.bytes("cyberphone/output/\(name)")
            }
            let value = try JSONValue(parsing: JCSFixture.bytes("cyberphone/input/\(name)"))
            let canonical = try JCS.canonicalize(value)
            XCTAssertEqual(
                canonical, expected,
                "\(name): got \(String(decoding: canonical, as: UTF8.self)), expected \(String(decoding: expected, as: UTF8.self))"
            )
        }
    }

    func testCyberphoneOutputsAreFixedPoints() throws {
        let outputDirectory = JCSFixture.directory.appendingPathComponent("cyberphone/output")
        for name in try FileManager.default.contentsOfDirectory(atPath: outputDirectory.path).sorted() {
            let expected = try JCSFixture.bytes("cyberphone/output/\(name)")
            let canonical = try JCS.canonicalize(JSONValue(parsing: expected))
            XCTAssertEqual(canonical, expected, "\(name): canonicalizing canonical output changed it")
        }
    }

    func testCyberphoneSimpleStringHex() throws {
        let value = try JSONValue(parsing: JCSFixture.bytes("cyberphone/input/simpleString.json"))
        let expected = try JCSFixture.hexBytes("cyberphone/outhex/simpleString.txt")
        XCTAssertEqual(try JCS.canonicalize(value), expected)
    }

    func testCyberphoneUnicodeIsNotNormalized() throws {
        let value = try JSONValue(parsing: JCSFixture.bytes("cyberphone/input/unicode.json"))
        let string = try XCTUnwrap(value["Unnormalized Unicode"]?.stringValue)
        XCTAssertEqual(string.unicodeScalars.map(\.value), [0x1E0D, 0x0307])
    }

    func testCyberphoneWeirdKeepsDeleteAndC1Raw() throws {
        let value = try JSONValue(parsing: JCSFixture.bytes("cyberphone/input/weird.json"))
        let canonical = try JCS.canonicalize(value)
        XCTAssertTrue(canonical.contains(0x7F), "U+007F must be written as a raw byte")
        XCTAssertFalse(String(decoding: canonical, as: UTF8.self).contains("\\u007f"))
        XCTAssertTrue(canonical.starts(with: Array(#"{"1":"One","</script>":"Browser Challenge","\#u{80}":"Control\#u{7F}""#.utf8)))
    }

    func testRFC8785Section322Example() throws {
        let value = try JSONValue(parsing: JCSFixture.bytes("rfc8785_3.2.2_input.json"))
        let expected = try JCSFixture.bytes("rfc8785_3.2.2_expected.json")
        XCTAssertEqual(try JCS.canonicalize(value), expected)
    }

    func testRFC8785Section323SortingExample() throws {
        let value = try JSONValue(parsing: JCSFixture.bytes("rfc8785_3.2.3_input.json"))
        let expected = try JCSFixture.bytes("rfc8785_3.2.3_expected.json")
        XCTAssertEqual(try JCS.canonicalize(value), expected)
    }

    func testRFC8785Section323SortingExampleHex() throws {
        let value = try JSONValue(parsing: JCSFixture.bytes("rfc8785_3.2.3_input.json"))
        let expected = try JCSFixture.hexBytes("rfc8785_3.2.3_expected.hex")
        XCTAssertEqual(try JCS.canonicalize(value), expected)
    }

    func testCanonicalStringMatchesBytes() throws {
        let value = try JSONValue(parsing: JCSFixture.bytes("rfc8785_3.2.3_input.json"))
        XCTAssertEqual(Array(try JCS.canonicalString(value).utf8), try JCS.canonicalize(value))
    }

    // MARK: - Member order

    func testMemberOrderUsesUTF16CodeUnits() throws {
        // U+1F600 is D83D DE00 in UTF-16, which sorts before U+FB33, although
        // its code point is larger.
        let value: JSONValue = ["\u{FB33}": 1, "\u{1F600}": 2, "\u{FFFF0}": 3, "\u{E000}": 4]
        let expected = "{\"\u{1F600}\":2,\"\u{FFFF0}\":3,\"\u{E000}\":4,\"\u{FB33}\":1}"
        XCTAssertEqual(try JCS.canonicalize(value), Array(expected.utf8))
    }

    func testMemberOrderIsByCodeUnitNotLocale() throws {
        let value: JSONValue = ["b": 1, "B": 2, "a": 3, "\u{E9}": 4, "e": 5, "": 6, "aa": 7]
        let expected = "{\"\":6,\"B\":2,\"a\":3,\"aa\":7,\"b\":1,\"e\":5,\"\u{E9}\":4}"
        XCTAssertEqual(try JCS.canonicalize(value), Array(expected.utf8))
    }

    func testNestedMembersAreSorted() throws {
        let value: JSONValue = ["z": ["y": [["b": 1, "a": 2]], "x": nil], "a": []]
        XCTAssertEqual(try JCS.canonicalString(value), #"{"a":[],"z":{"x":null,"y":[{"a":2,"b":1}]}}"#)
    }

    // MARK: - String escaping

    func testStringEscapes() throws {
        let cases: [(scalar: UInt32, expected: String)] = [
            (0x00, #""\u0000""#),
            (0x07, #""\u0007""#),
            (0x08, #""\b""#),
            (0x09, #""\t""#),
            (0x0A, #""\n""#),
            (0x0B, #""\u000b""#),
            (0x0C, #""\f""#),
            (0x0D, #""\r""#),
            (0x1F, #""\u001f""#),
            (0x22, #""\"""#),
            (0x2F, #""/""#),
            (0x5C, #""\\""#),
            (0x7F, "\"\u{7F}\""),
            (0x80, "\"\u{80}\""),
            (0x2028, "\"\u{2028}\""),
            (0xFEFF, "\"\u{FEFF}\""),
            (0x1F602, "\"\u{1F602}\""),
        ]
        for (scalar, expected) in cases {
            let value = JSONValue.string(String(Character(Unicode.Scalar(scalar)!)))
            // Compare bytes: String == treats canonically equivalent text as equal.
            XCTAssertEqual(try JCS.canonicalize(value), Array(expected.utf8), "U+\(String(scalar, radix: 16))")
        }
    }

    func testCombiningSequenceKeepsItsScalars() throws {
        let value = JSONValue.string("e\u{301}")
        XCTAssertEqual(try JCS.canonicalize(value), [0x22, 0x65, 0xCC, 0x81, 0x22])
    }

    // MARK: - Values the parser would reject

    func testCanonicalizeRejectsNonFiniteNumbers() {
        let cases: [(name: String, value: JSONValue)] = [
            ("NaN", .number(.nan)),
            ("signaling NaN", .number(.signalingNaN)),
            ("Infinity", .number(.infinity)),
            ("-Infinity", .number(-.infinity)),
            ("NaN in array", [1, .number(.nan)]),
            ("Infinity in object", ["a": ["b": .number(.infinity)]]),
        ]
        for (name, value) in cases {
            XCTAssertThrowsError(try JCS.canonicalize(value), name) { error in
                XCTAssertEqual((error as? JSONError)?.code, .nonFiniteNumber, name)
            }
        }
    }

    func testCanonicalizeRejectsNoncharacters() {
        // Swift rejects some noncharacters in string literals, so build them from scalars.
        func text(_ scalar: UInt32) -> String {
            String(Character(Unicode.Scalar(scalar)!))
        }
        let cases: [(name: String, value: JSONValue)] = [
            ("U+FFFE in value", .string("a" + text(0xFFFE))),
            ("U+FDD0 in member name", .object([text(0xFDD0): 1])),
            ("U+10FFFF in nested value", [[.string(text(0x10FFFF))]]),
        ]
        for (name, value) in cases {
            XCTAssertThrowsError(try JCS.canonicalize(value), name) { error in
                XCTAssertEqual((error as? JSONError)?.code, .noncharacter, name)
            }
        }
    }

    func testCanonicalizeNestingLimit() throws {
        var deepest: JSONValue = 1
        for _ in 0..<JSONValue.maximumNestingDepth {
            deepest = [deepest]
        }
        let atLimit = try JCS.canonicalize(deepest)
        XCTAssertEqual(try JSONValue(parsing: atLimit), deepest)

        XCTAssertThrowsError(try JCS.canonicalize(["a": deepest])) { error in
            XCTAssertEqual((error as? JSONError)?.code, .nestingTooDeep)
        }
    }

    func testCanonicalFormParsesBackToEqualValue() throws {
        var generator = SplitMix64(seed: 0x8785)
        for index in 0..<500 {
            let value = RandomJSON.value(depth: 4, using: &generator)
            let canonical = try JCS.canonicalize(value)
            let parsed = try JSONValue(parsing: canonical)
            XCTAssertEqual(parsed, value, "value \(index): \(String(decoding: canonical, as: UTF8.self))")
            XCTAssertEqual(try JCS.canonicalize(parsed), canonical, "value \(index)")
        }
    }
}

/// Builds random JSON values for round-trip tests.
enum RandomJSON {
    private static let scalarPool: [Unicode.Scalar] = [
        "a", "Z", "0", " ", "\"", "\\", "/", "\u{0}", "\u{8}", "\u{1F}", "\u{7F}", "\u{80}",
        "\u{E9}", "\u{301}", "\u{20AC}", "\u{FB33}", "\u{FEFF}", "\u{1F600}", "\u{10FFFD}",
    ]

    static func value(depth: Int, using generator: inout SplitMix64) -> JSONValue {
        let kind = depth == 0 ? generator.next() % 4 : generator.next() % 6
        switch kind {
        case 0:
            return generator.next() % 2 == 0 ? .null : .bool(generator.next() % 2 == 0)
        case 1:
            return .number(finiteDouble(using: &generator))
        case 2:
            return .number(Double(Int64(bitPattern: generator.next()) >> 20))
        case 3:
            return .string(string(using: &generator))
        case 4:
            let count = Int(generator.next() % 5)
            return .array((0..<count).map { _ in value(depth: depth - 1, using: &generator) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<generator.next() % 5 {
                members[string(using: &generator)] = value(depth: depth - 1, using: &generator)
            }
            return .object(members)
        }
    }

    static func finiteDouble(using generator: inout SplitMix64) -> Double {
        while true {
            let number = Double(bitPattern: generator.next())
            if number.isFinite {
                return number
            }
        }
    }

    private static func string(using generator: inout SplitMix64) -> String {
        var string = ""
        for _ in 0..<generator.next() % 6 {
            string.unicodeScalars.append(scalarPool[Int(generator.next() % UInt64(scalarPool.count))])
        }
        return string
    }
}

/// A small seedable generator (SplitMix64), so that a failing random case
/// can be reproduced from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
