import Foundation
@testable import KeyLedger
import XCTest

/// `Timestamp.description` against the printf layout it replaced, and its
/// round trip through `Timestamp(rfc3339:)`.
final class TimestampTests: XCTestCase {
    /// Formats `timestamp` through `String(format:)`, the way `description`
    /// did before it wrote the digits itself, as the reference.
    private func printfLayout(_ timestamp: Timestamp) -> String {
        let millisecondsPerDay: Int64 = 86_400_000
        let days = timestamp.millisecondsSinceEpoch.floorDivided(by: millisecondsPerDay)
        let rest = timestamp.millisecondsSinceEpoch - days * millisecondsPerDay
        let (year, month, day) = CivilDate.fromDaysSinceEpoch(days)
        return String(format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                      year, month, day, rest / 3_600_000, rest / 60_000 % 60, rest / 1000 % 60, rest % 1000)
    }

    func testDescriptionKnownValues() {
        let cases: [(milliseconds: Int64, expected: String)] = [
            (0, "1970-01-01T00:00:00.000Z"),
            (1, "1970-01-01T00:00:00.001Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (1_796_413_943_123, "2026-12-04T19:52:23.123Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
            (-62_167_219_200_000, "0000-01-01T00:00:00.000Z"),
        ]
        for (milliseconds, expected) in cases {
            XCTAssertEqual(Timestamp(millisecondsSinceEpoch: milliseconds).description, expected, "\(milliseconds)")
        }
    }

    func testDescriptionOutsideFourDigitYears() {
        let afterYear9999 = Timestamp(millisecondsSinceEpoch: 253_402_300_800_000)
        let beforeYear0 = Timestamp(millisecondsSinceEpoch: -62_167_219_200_001)
        XCTAssertEqual(afterYear9999.description, "10000-01-01T00:00:00.000Z")
        XCTAssertEqual(beforeYear0.description, printfLayout(beforeYear0))
        XCTAssertTrue(beforeYear0.description.hasPrefix("-001-12-31T23:59:59.999Z"), beforeYear0.description)
    }

    func testDescriptionMatchesPrintfLayout() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let timestamp = Timestamp(millisecondsSinceEpoch: Int64.random(in: -70_000_000_000_000...300_000_000_000_000, using: &generator))
            XCTAssertEqual(timestamp.description, printfLayout(timestamp), "\(timestamp.millisecondsSinceEpoch)")
        }
    }

    func testDescriptionRoundTrips() {
        for milliseconds: Int64 in [0, 1_796_413_943_123, 253_402_300_799_999, -62_167_219_200_000] {
            let timestamp = Timestamp(millisecondsSinceEpoch: milliseconds)
            XCTAssertEqual(Timestamp(rfc3339: timestamp.description), timestamp, "\(milliseconds)")
        }
    }
}
