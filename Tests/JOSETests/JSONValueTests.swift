import JOSE
import XCTest

final class JSONValueTests: XCTestCase {
    // MARK: - Accessors

    func testAccessorsReturnOnlyTheirOwnCase() {
        let values: [JSONValue] = [nil, true, 1.5, "s", [1], ["k": 1]]
        for value in values {
            XCTAssertEqual(value.isNull, value == .null, "\(value)")
            XCTAssertEqual(value.boolValue != nil, value == true, "\(value)")
            XCTAssertEqual(value.doubleValue != nil, value == 1.5, "\(value)")
            XCTAssertEqual(value.stringValue != nil, value == "s", "\(value)")
            XCTAssertEqual(value.arrayValue != nil, value == [1], "\(value)")
            XCTAssertEqual(value.objectValue != nil, value == ["k": 1], "\(value)")
        }
    }

    func testAccessorValues() {
        XCTAssertEqual(JSONValue.bool(false).boolValue, false)
        XCTAssertEqual(JSONValue.number(2.5).doubleValue, 2.5)
        XCTAssertEqual(JSONValue.string("kid").stringValue, "kid")
        XCTAssertEqual(JSONValue.array([1, "a"]).arrayValue, [1, "a"])
        XCTAssertEqual(JSONValue.object(["k": nil]).objectValue, ["k": JSONValue.null])
    }

    func testInt64Value() {
        let cases: [(number: Double, expected: Int64?)] = [
            (0, 0),
            (-0.0, 0),
            (1, 1),
            (-42, -42),
            (1.5, nil),
            (1e-300, nil),
            (9_007_199_254_740_992, 9_007_199_254_740_992),
            (-9_223_372_036_854_775_808, .min),
            (9_223_372_036_854_775_808, nil),
            (1e19, nil),
            (.nan, nil),
            (.infinity, nil),
        ]
        for (number, expected) in cases {
            XCTAssertEqual(JSONValue.number(number).int64Value, expected, "\(number)")
        }
        XCTAssertNil(JSONValue.string("1").int64Value)
    }

    func testMemberSubscript() {
        let value: JSONValue = ["kty": "EC", "crv": "P-256"]
        XCTAssertEqual(value["kty"], "EC")
        XCTAssertNil(value["kid"])
        XCTAssertNil(JSONValue.array(["kty"])["kty"])
    }

    func testMemberSubscriptMatchesScalarsExactly() {
        let value: JSONValue = .object(["e\u{301}": 1])
        XCTAssertEqual(value["e\u{301}"], 1)
        XCTAssertNil(value["\u{E9}"])
    }

    // MARK: - Literals

    func testLiterals() {
        XCTAssertEqual(nil as JSONValue, .null)
        XCTAssertEqual(true as JSONValue, .bool(true))
        XCTAssertEqual(7 as JSONValue, .number(7))
        XCTAssertEqual(0.25 as JSONValue, .number(0.25))
        XCTAssertEqual("x" as JSONValue, .string("x"))
        XCTAssertEqual([1, "a", nil] as JSONValue, .array([.number(1), .string("a"), .null]))
        XCTAssertEqual(["a": [true]] as JSONValue, .object(["a": .array([.bool(true)])]))
    }

    // MARK: - Equality and hashing

    func testEqualityComparesScalars() {
        XCTAssertNotEqual(JSONValue.string("\u{E9}"), JSONValue.string("e\u{301}"))
        XCTAssertNotEqual(JSONValue.object(["\u{E9}": 1]), JSONValue.object(["e\u{301}": 1]))
        XCTAssertEqual(JSONValue.object(["e\u{301}": 1, "a": [2]]), JSONValue.object(["a": [2], "e\u{301}": 1]))
    }

    func testHashingComparesScalars() {
        let set: Set<JSONValue> = [.string("\u{E9}"), .string("e\u{301}"), .object(["\u{E9}": 1]), .object(["e\u{301}": 1])]
        XCTAssertEqual(set.count, 4)
    }

    func testEqualValuesHashEqually() {
        let pairs: [(JSONValue, JSONValue)] = [
            (.number(0), .number(-0.0)),
            (["a": 1, "b": [nil, "x"]], ["b": [nil, "x"], "a": 1]),
        ]
        for (left, right) in pairs {
            XCTAssertEqual(left, right)
            XCTAssertEqual(left.hashValue, right.hashValue, "\(left)")
        }
    }

    func testDifferentCasesAreUnequal() {
        XCTAssertNotEqual(JSONValue.number(1), JSONValue.bool(true))
        XCTAssertNotEqual(JSONValue.string(""), JSONValue.null)
        XCTAssertNotEqual(JSONValue.array([]), JSONValue.object([:]))
        XCTAssertNotEqual(JSONValue.object(["a": 1]), JSONValue.object(["a": 1, "b": 2]))
    }

    // MARK: - Serialization

    func testCompactSerializationIsCanonical() throws {
        let value: JSONValue = ["b": [1, 2.5, "x"], "a": nil, "c": [:]]
        XCTAssertEqual(try value.serialized(pretty: false), try JCS.canonicalString(value))
        XCTAssertEqual(try value.serialized(pretty: false), #"{"a":null,"b":[1,2.5,"x"],"c":{}}"#)
    }

    func testPrettySerialization() throws {
        let value: JSONValue = ["b": [1, ["d": true]], "a": "\n", "c": [:], "e": []]
        let expected = """
            {
              "a": "\\n",
              "b": [
                1,
                {
                  "d": true
                }
              ],
              "c": {},
              "e": []
            }
            """
        XCTAssertEqual(try value.serialized(pretty: true), expected)
    }

    func testPrettySerializationOfScalars() throws {
        XCTAssertEqual(try JSONValue.string("\u{E9}").serialized(pretty: true), "\"\u{E9}\"")
        XCTAssertEqual(try JSONValue.number(1e21).serialized(pretty: true), "1e+21")
    }

    func testPrettySerializationParsesBack() throws {
        var generator = SplitMix64(seed: 7493)
        for index in 0..<200 {
            let value = RandomJSON.value(depth: 4, using: &generator)
            XCTAssertEqual(try JSONValue(parsing: value.serialized(pretty: true)), value, "value \(index)")
        }
    }

    func testSerializationRejectsNaN() {
        XCTAssertThrowsError(try JSONValue.array([.number(.nan)]).serialized(pretty: true)) { error in
            XCTAssertEqual((error as? JSONError)?.code, .nonFiniteNumber)
        }
    }
}
