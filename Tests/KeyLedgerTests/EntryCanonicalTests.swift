import JOSE
@testable import KeyLedger
import XCTest

/// The content writer that splices in the body's canonical bytes, against
/// `JCS.canonicalize` of the whole content.
final class EntryCanonicalTests: XCTestCase {
    private func content(sequence: Int64 = 42, actor: String = "deploy-bot@example.com",
                         kind: String = "x-published", body: [String: JSONValue]) throws -> EntryContent {
        EntryContent(
            sequence: sequence, recordedAt: Timestamp(millisecondsSinceEpoch: 1_796_413_943_123),
            kind: EntryKind(rawValue: kind), actor: actor, body: body,
            ledgerID: "0d6f3a9e-8c1b-4f55-9a51-3d7f0e2c4b10", signerKeyID: "a-kid_with-thumbprint-characters",
            algorithm: "RS256", canonicalBody: try JCS.canonicalize(.object(body)))
    }

    /// Nests `levels` arrays inside an object member, so the body object has depth `levels + 1`.
    private func nestedBody(levels: Int) -> [String: JSONValue] {
        var value: JSONValue = .string("leaf")
        for _ in 0..<levels { value = .array([value]) }
        return ["nested": value]
    }

    func testSplicedBodyMatchesJCS() throws {
        let cases: [(name: String, content: EntryContent)] = [
            ("typical", try content(body: ["kid": "k1", "change": "CHG-1", "note": "rotated"])),
            ("empty body", try content(body: [:])),
            ("escapes in actor", try content(actor: "a\"b\\c\u{1}d\u{7F}é😀", body: ["x": "y"])),
            ("UTF-16 member order", try content(body: ["\u{FB33}": 1, "😀": 2, "a": 3, "B": 4])),
            ("numbers", try content(body: ["n": .number(1e21), "m": .number(-0.5), "z": .number(0), "i": .number(123_456_789)])),
            ("brackets in strings", try content(body: ["s": "{[\"]}\\", "t": .array([.object(["u": "]"])])])),
            ("nested", try content(body: ["a": .array([.null, .bool(true), .object(["b": .array([])])])])),
            ("large sequence", try content(sequence: 9_007_199_254_740_993, body: ["x": 1])),
            ("one level under the limit", try content(body: nestedBody(levels: JSONValue.maximumNestingDepth - 2))),
        ]
        for (name, content) in cases {
            XCTAssertEqual(try content.canonicalBytes(), try JCS.canonicalize(content.jsonValue), name)
        }
    }

    private func thrownError(_ body: () throws -> [UInt8]) -> Error? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }

    func testBodyAtLimitFailsAsBefore() throws {
        let deep = try content(body: nestedBody(levels: JSONValue.maximumNestingDepth - 1))
        let expected = try XCTUnwrap(thrownError { try JCS.canonicalize(deep.jsonValue) })
        let error = try XCTUnwrap(thrownError { try deep.canonicalBytes() })
        XCTAssertEqual(error as? JSONError, expected as? JSONError)
        XCTAssertEqual("\(error)", "\(expected)")
    }

    func testNoncharacterInActorFailsAsBefore() throws {
        let bad = try content(actor: "bot\u{FFFE}", body: ["x": 1])
        let expected = try XCTUnwrap(thrownError { try JCS.canonicalize(bad.jsonValue) })
        let error = try XCTUnwrap(thrownError { try bad.canonicalBytes() })
        XCTAssertEqual("\(error)", "\(expected)")
    }

    func testNestingDepthOfCanonicalText() {
        let cases: [(text: String, depth: Int)] = [
            ("{}", 1),
            (#"{"a":[1,{"b":[]}]}"#, 4),
            (#"{"a":"[[{{"}"#, 1),
            (#"{"a":"\"[","b":["\\"]}"#, 2),
            (#"{"a":"\\","b":[[]]}"#, 3),
        ]
        for (text, depth) in cases {
            XCTAssertEqual(EntryContent.nestingDepth(ofCanonical: Array(text.utf8)), depth, text)
        }
    }

    func testEventKeepsCanonicalBody() throws {
        let body: [String: JSONValue] = ["kid": "k1", "b": .array([1, 2])]
        let event = try Event(kind: EntryKind(rawValue: "x-test"), actor: "alice", body: body)
        XCTAssertEqual(event.canonicalBody, try JCS.canonicalize(.object(body)))
    }
}
