import KeyLedgerReports
import XCTest

final class ReportErrorTests: XCTestCase {
    func testEqualityByCodeAndDescription() {
        let error = ReportError(.invalidPeriod, "invalid period \"2026-Q5\"; give a quarter such as 2026-Q4")

        XCTAssertEqual(error, ReportError(.invalidPeriod, "another message"))
        XCTAssertNotEqual(error, ReportError(.invalidOption, error.message))
        XCTAssertEqual(error.description, "invalid period \"2026-Q5\"; give a quarter such as 2026-Q4")
        XCTAssertEqual("\(error)", error.message)
    }
}
