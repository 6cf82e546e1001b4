import Foundation
import XCTest

/// `keyledger key list`: an --env that names no environment with keys is an error, not an empty list.
final class KeyListTests: CLITestCase {
    func testUnknownEnvironmentIsNamed() throws {
        let created = try createLedger()
        let empty = try keyledger(["key", "list", "--ledger", created.ledger, "--env", "production"])
        XCTAssertEqual(empty.status, 2, empty.summary)
        XCTAssertEqual(empty.standardError,
                       "error: no key was ever recorded in environment \"production\", nor in any other: generate or import a key first\n")
        XCTAssertEqual(try keyledger(["key", "list", "--ledger", created.ledger]).standardOutput, "", "a ledger without keys lists none")

        let keyID = try generateKeyUnderChange(created)
        let listed = try keyledger(["key", "list", "--ledger", created.ledger, "--env", "production"])
        XCTAssertEqual(listed.status, 0, listed.summary)
        XCTAssertEqual(listed.outputLines, ["\(keyID)\tproduction\tgenerated\tEdDSA\tapi"])

        let typo = try keyledger(["key", "list", "--ledger", created.ledger, "--env", "prodution"])
        XCTAssertEqual(typo.status, 2, typo.summary)
        XCTAssertEqual(typo.standardOutput, "")
        XCTAssertEqual(typo.standardError,
                       "error: no key was ever recorded in environment \"prodution\": check --env, the environments with keys are production\n")
    }
}
