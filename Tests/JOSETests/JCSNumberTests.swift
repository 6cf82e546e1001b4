import Foundation
import JOSE
import XCTest

final class JCSNumberTests: XCTestCase {
    /// Reads rows of an IEEE 754 hex bit pattern and an expected text,
    /// skipping a header row.
    private func bitPatternRows(_ path: String, separator: Character) throws -> [(line: Int, bits: UInt64, expected: String)] {
        var rows: [(line: Int, bits: UInt64, expected: String)] = []
        for (index, line) in try JCSFixture.text(path).split(separator: "\n").enumerated() {
            let fields = line.split(separator: separator, omittingEmptySubsequences: false)
            guard let bits = UInt64(fields[0], radix: 16) else {
                XCTAssertEqual(index, 0, "\(path) line \(index + 1): only the header may lack a hex bit pattern")
                continue
            }
            rows.append((index + 1, bits, String(fields[1])))
        }
        return rows
    }

    func testRFC8785AppendixB() throws {
        let rows = try bitPatternRows("numbers_rfc8785_appendix_b.tsv", separator: "\t")
        XCTAssertEqual(rows.count, 26)
        for (line, bits, expected) in rows {
            let number = Double(bitPattern: bits)
            if expected == "ERROR" {
                XCTAssertThrowsError(try JCS.serialize(number: number), "line \(line): \(number)") { error in
                    XCTAssertEqual((error as? JSONError)?.code, .nonFiniteNumber, "line \(line)")
                }
            } else {
                XCTAssertEqual(try JCS.serialize(number: number), expected, "line \(line): bits \(String(bits, radix: 16))")
            }
        }
    }

    func testCyberphoneSample() throws {
        let rows = try bitPatternRows("numbers_cyberphone_sample.csv", separator: ",")
        XCTAssertEqual(rows.count, 7)
        for (line, bits, expected) in rows {
            XCTAssertEqual(try JCS.serialize(number: Double(bitPattern: bits)), expected, "line \(line): bits \(String(bits, radix: 16))")
        }
    }

    func testLiteralsParsedAndCanonicalized() throws {
        let lines = try JCSFixture.text("numbers_extra_v8_derived.tsv").split(separator: "\n").dropFirst()
        XCTAssertEqual(lines.count, 25)
        for line in lines {
            let fields = line.split(separator: "\t")
            let literal = String(fields[0])
            let value = try JSONValue(parsing: literal)
            XCTAssertEqual(try JCS.canonicalString(value), String(fields[1]), "literal \(literal)")
        }
    }

    /// The boundaries between the layouts of ECMAScript Number::toString:
    /// integers below 10^21, fractions down to 10^-6, exponents elsewhere.
    func testLayoutBoundaries() throws {
        let cases: [(number: Double, expected: String)] = [
            (1, "1"),
            (-1, "-1"),
            (10, "10"),
            (1.5, "1.5"),
            (123.456, "123.456"),
            (0.5, "0.5"),
            (0.000001, "0.000001"),
            (0.0000015, "0.0000015"),
            (0.00000123, "0.00000123"),
            (0.0000001, "1e-7"),
            (0.00000015, "1.5e-7"),
            (-0.00000015, "-1.5e-7"),
            (1e20, "100000000000000000000"),
            (1.5e20, "150000000000000000000"),
            (123456789012345.67, "123456789012345.67"),
            (1e21, "1e+21"),
            (1.5e21, "1.5e+21"),
            (-1e21, "-1e+21"),
            (9007199254740994, "9007199254740994"),
            (18014398509481988, "18014398509481988"),
            (.leastNormalMagnitude, "2.2250738585072014e-308"),
            (Double.leastNormalMagnitude.nextDown, "2.225073858507201e-308"),
            (.leastNonzeroMagnitude, "5e-324"),
            (Double.ulpOfOne, "2.220446049250313e-16"),
        ]
        for (number, expected) in cases {
            XCTAssertEqual(try JCS.serialize(number: number), expected, "\(number)")
        }
    }

    func testNegativeZeroIsZero() throws {
        XCTAssertEqual(try JCS.serialize(number: -0.0), "0")
    }

    func testNonFiniteNumbersThrow() {
        for number in [Double.nan, -Double.nan, Double.signalingNaN, Double.infinity, -Double.infinity] {
            XCTAssertThrowsError(try JCS.serialize(number: number), "\(number)") { error in
                XCTAssertEqual((error as? JSONError)?.code, .nonFiniteNumber, "\(number)")
            }
        }
    }

    func testSerializedNumbersParseAsJSON() throws {
        for number in [.leastNonzeroMagnitude, 1e-7, 0.000001, 1e21, -1.7976931348623157e308, 333333333.3333333] {
            let text = try JCS.serialize(number: number)
            XCTAssertEqual(try JSONValue(parsing: text), .number(number), text)
        }
    }
}
