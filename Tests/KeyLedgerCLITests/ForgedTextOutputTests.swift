import Foundation
import XCTest

/// The text output of `log`, `key list` and `key show`, which read the ledger
/// without verifying it. Someone who can write the file but has no signing
/// key has put terminal escape sequences and invisible characters into stored entries.
final class ForgedTextOutputTests: CLITestCase {
    private var created: CreatedLedger!
    private var keyID: String!

    override func setUpWithError() throws {
        try super.setUpWithError()
        created = try createLedger()
        keyID = try generateKeyUnderChange(created)
        let common = ["--ledger", created.ledger, "--signing-key", created.signingKey]
        try keyledgerSucceeds(["key", "publish", "--kid", keyID, "--env", "production", "--change", "CHG-1", "--actor", "tina"] + common)
        try append(created, kind: "note", body: #"{"text":"to be forged"}"#)

        // The stored canonical JSON is edited in place. JSON writes ESC escaped, as \u001b.
        try sqlite3(created.ledger, """
            DROP TRIGGER entries_no_update;
            UPDATE entries SET canonical = CAST(replace(CAST(canonical AS TEXT), '"kind":"note"', '"kind":"\\u001b[2J"') AS BLOB)
                WHERE kind = 'note';
            UPDATE entries SET canonical = CAST(replace(CAST(canonical AS TEXT), '"actor":"rui"', '"actor":"rui\\ufe0f"') AS BLOB)
                WHERE kind = 'change_approved';
            UPDATE entries SET canonical = CAST(replace(CAST(canonical AS TEXT), '"alg":"EdDSA"', '"alg":"\\u001b[31m"') AS BLOB)
                WHERE kind = 'generated';
            UPDATE entries SET canonical = CAST(replace(CAST(canonical AS TEXT), '"change":"CHG-1"', '"change":"\\u001b[3J"') AS BLOB)
                WHERE kind = 'published';
            """)
    }

    private func assertNoEscape(_ arguments: [String], shows expected: String,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try keyledgerSucceeds(arguments + ["--ledger", created.ledger], file: file, line: line)
        XCTAssertFalse(run.standardOutput.contains("\u{1B}"), "\(arguments) printed ESC\n\(run.summary)", file: file, line: line)
        XCTAssertTrue(run.standardOutput.contains(expected), "\(arguments): expected \(expected)\n\(run.summary)", file: file, line: line)
    }

    func testLogReplacesEscapeInKind() throws {
        try assertNoEscape(["log"], shows: "\u{FFFD}[2J")
    }

    func testLogReplacesInvisibleCharacterInActor() throws {
        try assertNoEscape(["log"], shows: "rui\u{FFFD}\t")
    }

    func testKeyListReplacesEscapeInAlgorithm() throws {
        try assertNoEscape(["key", "list"], shows: "\u{FFFD}[31m")
    }

    func testKeyShowReplacesEscapeInStep() throws {
        try assertNoEscape(["key", "show", "--kid", keyID, "--env", "production"], shows: "\u{FFFD}[3J")
        try assertNoEscape(["key", "show", "--kid", keyID, "--env", "production"], shows: "\u{FFFD}[31m")
    }
}
