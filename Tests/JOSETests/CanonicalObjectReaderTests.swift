import JOSE
import XCTest

/// `CanonicalObjectReader` must accept only texts that are exactly their RFC
/// 8785 form, and report the values `JSONValue(parsing:)` reads from them.
final class CanonicalObjectReaderTests: XCTestCase {
    private func members(_ text: String) -> [CanonicalObjectReader.Member]? {
        var members: [CanonicalObjectReader.Member] = []
        let accepted = Array(text.utf8).withUnsafeBytes { CanonicalObjectReader.readMembers(of: $0, into: &members) }
        return accepted ? members : nil
    }

    /// Returns the text at `range` of `text`.
    private func slice(_ text: String, _ range: Range<Int>) -> String {
        String(decoding: Array(text.utf8)[range], as: UTF8.self)
    }

    func testReadsMembersInOrder() throws {
        let text = #"{"a":"x y","b":-12,"c":{"d":[1,true,null]},"e":false,"f":[]}"#
        let read = try XCTUnwrap(members(text))
        XCTAssertEqual(read.map { slice(text, $0.name) }, ["a", "b", "c", "e", "f"])
        guard case .string(let string) = read[0].value else { return XCTFail("a is not a string: \(read[0].value)") }
        XCTAssertEqual(slice(text, string), "x y")
        XCTAssertEqual(read[1].value, .integer(-12))
        guard case .object(let object) = read[2].value else { return XCTFail("c is not an object: \(read[2].value)") }
        XCTAssertEqual(slice(text, object), #"{"d":[1,true,null]}"#)
        XCTAssertEqual(read[3].value, .bool(false))
        guard case .array(let array) = read[4].value else { return XCTFail("f is not an array: \(read[4].value)") }
        XCTAssertEqual(slice(text, array), "[]")
    }

    func testAcceptsCanonicalTexts() {
        let texts = [
            "{}",
            #"{"":0}"#,
            #"{"a":0,"b":1,"ba":-1}"#,
            #"{"m":-999999999999999,"n":999999999999999}"#,
            #"{"a":{"b":{"c":{}}}}"#,
            #"{"a":"~ !#$%&'()*+,-./:;<=>?@[]^_`{|}"}"#,
        ]
        for text in texts {
            XCTAssertNotNil(members(text), text)
            XCTAssertEqual(try JCS.canonicalize(JSONValue(parsing: Array(text.utf8))), Array(text.utf8), text)
        }
    }

    func testRejectsNonCanonicalAndUnsupportedTexts() {
        let texts: [(String, String)] = [
            ("space after a colon", #"{"a": 1}"#),
            ("space before the object", #" {"a":1}"#),
            ("newline after the object", "{\"a\":1}\n"),
            ("members out of order", #"{"b":1,"a":2}"#),
            ("repeated member", #"{"a":1,"a":1}"#),
            ("escaped letter", #"{"a":"\u0061"}"#),
            ("escaped solidus", #"{"a":"\/"}"#),
            ("escaped quote", #"{"a":"\""}"#),
            ("raw control character", "{\"a\":\"\u{01}\"}"),
            ("non-ASCII string", #"{"a":"é"}"#),
            ("non-ASCII name", #"{"é":1}"#),
            ("fraction", #"{"a":1.5}"#),
            ("integer written with a fraction", #"{"a":1.0}"#),
            ("exponent", #"{"a":1e2}"#),
            ("zero with a fraction", #"{"a":0.0}"#),
            ("negative zero", #"{"a":-0}"#),
            ("leading zero", #"{"a":01}"#),
            ("plus sign", #"{"a":+1}"#),
            ("16 digits", #"{"a":1000000000000000}"#),
            ("trailing comma", #"{"a":1,}"#),
            ("missing value", #"{"a":}"#),
            ("unterminated string", #"{"a":"x}"#),
            ("unterminated object", #"{"a":1"#),
            ("array at the top", "[1]"),
            ("string at the top", #""a""#),
            ("trailing data", #"{"a":1}x"#),
            ("capitalized literal", #"{"a":True}"#),
            ("nested too deep", String(repeating: #"{"a":"#, count: 17) + "1" + String(repeating: "}", count: 17)),
            ("empty text", ""),
        ]
        for (name, text) in texts {
            XCTAssertNil(members(text), name)
        }
    }

    func testDepthLimitCountsTheOuterObject() {
        let deepest = String(repeating: #"{"a":"#, count: 16) + "1" + String(repeating: "}", count: 16)
        XCTAssertNotNil(members(deepest))
        let deepestArray = String(repeating: #"{"a":"#, count: 15) + "[1]" + String(repeating: "}", count: 15)
        XCTAssertNotNil(members(deepestArray))
    }

    /// A text the reader accepts must parse and canonicalize back to itself,
    /// also after any single-byte edit of a canonical text.
    func testEveryAcceptedEditIsCanonical() throws {
        let original = Array(#"{"actor":"alice","body":{"kid":"k-1","list":[1,-2,true,false,null,{"x":"y"}]},"seq":10,"v":1}"#.utf8)
        let replacements = Array(#" "\019aAz{}[],:-.eE"#.utf8) + [0x5C, 0x7F, 0xC3, 0x00]
        var variants: [[UInt8]] = []
        for index in original.indices {
            for replacement in replacements where replacement != original[index] {
                var edited = original
                edited[index] = replacement
                variants.append(edited)
            }
            var shortened = original
            shortened.remove(at: index)
            variants.append(shortened)
        }
        var acceptedCount = 0
        for variant in variants {
            var members: [CanonicalObjectReader.Member] = []
            guard variant.withUnsafeBytes({ CanonicalObjectReader.readMembers(of: $0, into: &members) }) else { continue }
            acceptedCount += 1
            let text = String(decoding: variant, as: UTF8.self)
            let parsed = try JSONValue(parsing: variant)
            XCTAssertEqual(try JCS.canonicalize(parsed), variant, text)
            let object = try XCTUnwrap(parsed.objectValue, text)
            XCTAssertEqual(members.count, object.count, text)
            for member in members {
                let name = String(decoding: variant[member.name], as: UTF8.self)
                let value = try XCTUnwrap(parsed[name], "\(text): \(name)")
                switch member.value {
                case .string(let range): XCTAssertEqual(value, .string(String(decoding: variant[range], as: UTF8.self)), text)
                case .integer(let number): XCTAssertEqual(value, .number(Double(number)), text)
                case .bool(let bool): XCTAssertEqual(value, .bool(bool), text)
                case .null: XCTAssertEqual(value, .null, text)
                case .object(let range), .array(let range):
                    XCTAssertEqual(try JSONValue(parsing: Array(variant[range])), value, text)
                }
            }
        }
        XCTAssertGreaterThan(acceptedCount, 50, "edits inside strings and numbers stay canonical")
    }

    func testReadsANestedObjectByRange() throws {
        let text = #"{"body":{"change":"c","kid":"k"},"v":1}"#
        let outer = try XCTUnwrap(members(text))
        guard case .object(let range) = outer[0].value else { return XCTFail("body is not an object") }
        var inner: [CanonicalObjectReader.Member] = []
        let accepted = Array(text.utf8).withUnsafeBytes {
            CanonicalObjectReader.readMembers(of: $0, in: range, depth: 2, into: &inner)
        }
        XCTAssertTrue(accepted)
        XCTAssertEqual(inner.map { slice(text, $0.name) }, ["change", "kid"])
    }
}

/// The buffer forms of base64url must accept and produce exactly what the String forms do.
final class Base64URLBufferTests: XCTestCase {
    private func decodeIntoBuffer(_ text: String) -> [UInt8]? {
        var output: [UInt8] = [0xAA]
        let accepted = Array(text.utf8).withUnsafeBytes { Base64URL.decode($0, appendingTo: &output) }
        guard accepted else { return nil }
        XCTAssertEqual(output.first, 0xAA, "\(text): the bytes already in the buffer are kept")
        return Array(output.dropFirst())
    }

    func testDecodeAgreesWithStringDecoder() {
        let texts = ["", "AA", "AAA", "AAAA", "AQ", "AR", "AQI", "AQJ", "_-_-", "Zm9vYmFy", "Zm9vYmE", "Zm9vYg",
                     "A", "AAAAA", "AA==", "AA=", "+/+/", "AA A", "AA\n", "é", "AAA.", ".AAA", "AB", "ABC"]
        for text in texts {
            XCTAssertEqual(decodeIntoBuffer(text), try? Base64URL.decode(text), text)
        }
        var generator = SystemRandomNumberGenerator()
        for count in 0..<70 {
            let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let text = Base64URL.encode(bytes)
            XCTAssertEqual(decodeIntoBuffer(text), bytes, text)
            // Every single-character edit decodes, or fails, exactly as the String decoder does.
            var edited = Array(text.utf8)
            guard !edited.isEmpty else { continue }
            let index = Int.random(in: edited.indices, using: &generator)
            edited[index] = UInt8.random(in: 0...0x7F, using: &generator)
            let editedText = String(decoding: edited, as: UTF8.self)
            XCTAssertEqual(decodeIntoBuffer(editedText), try? Base64URL.decode(editedText), editedText)
        }
    }

    func testEncodeAgreesWithStringEncoder() {
        var generator = SystemRandomNumberGenerator()
        for count in 0..<70 {
            let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            var output = Array("prefix.".utf8)
            bytes.withUnsafeBytes { Base64URL.encode($0, appendingTo: &output) }
            XCTAssertEqual(String(decoding: output, as: UTF8.self), "prefix." + Base64URL.encode(bytes))
        }
    }
}
