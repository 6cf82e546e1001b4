import KeyLedger
import XCTest

final class LedgerErrorTests: XCTestCase {
    func testEqualityByCodeAndDescription() {
        let error = LedgerError(.notFound, "no key k1; list keys with key list")

        XCTAssertEqual(error, LedgerError(.notFound, "another message"))
        XCTAssertNotEqual(error, LedgerError(.notAllowed, "no key k1; list keys with key list"))
        XCTAssertEqual(error.description, "no key k1; list keys with key list")
        XCTAssertEqual("\(error)", "no key k1; list keys with key list")
    }
}
