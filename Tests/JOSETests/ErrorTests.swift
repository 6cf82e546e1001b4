import JOSE
import XCTest

/// The behaviour callers rely on in both JOSE error types: equality by code
/// only, and a description that is the reason and its cause.
final class ErrorTests: XCTestCase {
    private struct Cause: Error, CustomStringConvertible {
        var description: String { "lower layer failed" }
    }

    func testJOSEErrorEqualityAndDescription() {
        let error = JOSEError(code: .invalidJWK, reason: "missing n")

        XCTAssertEqual(error, JOSEError(code: .invalidJWK, reason: "other reason", underlyingError: Cause()))
        XCTAssertNotEqual(error, JOSEError(code: .invalidKey, reason: "missing n"))
        XCTAssertEqual(error.description, "missing n")
        XCTAssertEqual(JOSEError(code: .invalidJWK, reason: "bad n", underlyingError: Cause()).description,
                       "bad n; caused by lower layer failed")
    }

    func testJWTErrorEqualityAndDescription() {
        let error = JWTError(code: .expired, reason: "token expired")

        XCTAssertEqual(error, JWTError(code: .expired, reason: "other reason", underlyingError: Cause()))
        XCTAssertNotEqual(error, JWTError(code: .notYetValid, reason: "token expired"))
        XCTAssertEqual(error.description, "token expired")
        XCTAssertEqual(JWTError(code: .invalidKey, reason: "bad key", underlyingError: Cause()).description,
                       "bad key; caused by lower layer failed")
    }
}
