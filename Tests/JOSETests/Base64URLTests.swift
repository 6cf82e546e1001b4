import JOSE
import XCTest

final class Base64URLTests: XCTestCase {
    /// RFC 4648 section 10 test vectors with the padding removed, plus byte
    /// values that use the two characters where base64url differs from base64.
    private let vectors: [(bytes: [UInt8], text: String)] = [
        (Array("".utf8), ""),
        (Array("f".utf8), "Zg"),
        (Array("fo".utf8), "Zm8"),
        (Array("foo".utf8), "Zm9v"),
        (Array("foob".utf8), "Zm9vYg"),
        (Array("fooba".utf8), "Zm9vYmE"),
        (Array("foobar".utf8), "Zm9vYmFy"),
        ([0xFB, 0xFF], "-_8"),
        ([0xFB, 0xEF, 0xBE], "----"),
        ([0xFF, 0xFF, 0xFF], "____"),
        ([0x00], "AA"),
        ([0x00, 0x00, 0x00], "AAAA"),
    ]

    func testEncodeVectors() {
        for (bytes, text) in vectors {
            XCTAssertEqual(Base64URL.encode(bytes), text, "\(bytes)")
        }
    }

    func testDecodeVectors() throws {
        for (bytes, text) in vectors {
            XCTAssertEqual(try Base64URL.decode(text), bytes, text)
        }
    }

    func testDecodeSubstring() throws {
        let compact = "eyJhbGciOiJFUzI1NiJ9.Zm9vYmFy.sig"
        let parts = compact.split(separator: ".")
        XCTAssertEqual(try Base64URL.decode(parts[1]), Array("foobar".utf8))
    }

    func testRoundTripEveryLengthAndByte() throws {
        var generator = SplitMix64(seed: 4648)
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            XCTAssertEqual(try Base64URL.decode(Base64URL.encode(bytes)), bytes, "length \(length)")
        }
        let allBytes = (0...255).map { UInt8($0) }
        XCTAssertEqual(try Base64URL.decode(Base64URL.encode(allBytes)), allBytes)
    }

    func testRejectsInvalidText() {
        let cases: [(name: String, text: String, code: Base64URLError.Code, position: Int?)] = [
            ("padding", "Zg==", .padding, 2),
            ("padding on full group", "Zm9v=", .padding, 4),
            ("standard alphabet '+'", "+_8", .invalidCharacter, 0),
            ("standard alphabet '/'", "-/8", .invalidCharacter, 1),
            ("space", "Zm9v YmFy", .invalidCharacter, 4),
            ("line feed", "Zm9v\nYmFy", .invalidCharacter, 4),
            ("trailing carriage return", "Zm9v\r", .invalidCharacter, 4),
            ("period", "Zm9v.", .invalidCharacter, 4),
            ("non-ASCII letter", "Zm\u{E9}v", .invalidCharacter, 2),
            ("NUL", "Zm9v\u{0}", .invalidCharacter, 4),
            ("one character", "Z", .invalidLength, nil),
            ("five characters", "Zm9vY", .invalidLength, nil),
            ("non-zero bits after one byte", "Zh", .nonZeroTrailingBits, 1),
            ("non-zero bits after two bytes", "Zm9", .nonZeroTrailingBits, 2),
            ("non-zero bits in last group", "Zm9vYmF", .nonZeroTrailingBits, 6),
        ]
        for (name, text, code, position) in cases {
            XCTAssertThrowsError(try Base64URL.decode(text), name) { error in
                let decodingError = error as? Base64URLError
                XCTAssertEqual(decodingError?.code, code, "\(name): \(error)")
                XCTAssertEqual(decodingError?.position, position, "\(name): \(error)")
            }
        }
    }

    func testErrorDescriptionNamesCharacterAndPosition() {
        let cases: [(text: String, description: String)] = [
            ("ab+c", "Base64URLError.invalidCharacter at position 2: found '+' from the standard base64 alphabet, expected '-', its base64url counterpart"),
            ("Zm\u{E9}v", "Base64URLError.invalidCharacter at position 2: found '\u{E9}' (U+00E9), expected only base64url characters (A-Z, a-z, 0-9, '-', '_')"),
            ("Zm9v\t", "Base64URLError.invalidCharacter at position 4: found whitespace U+0009, expected only base64url characters (A-Z, a-z, 0-9, '-', '_')"),
            ("Zg==", "Base64URLError.padding at position 2: found padding character '=', expected unpadded base64url"),
            ("Zh", "Base64URLError.nonZeroTrailingBits at position 1: found 'h' as the last character, whose unused low bits are not zero, expected 'g', which has those bits cleared"),
        ]
        for (text, description) in cases {
            XCTAssertThrowsError(try Base64URL.decode(text), text) { error in
                XCTAssertEqual("\(error)", description)
            }
        }
    }
}
