import Foundation
import KeyLedger
import XCTest

/// Input that `keyledger` must reject with exit status 2, a message that
/// names the bad value and the fix, and no change to the ledger.
final class BadInputTests: CLITestCase {
    /// One rejected command: its arguments and the parts its message must contain.
    struct RejectedCommand {
        let name: String
        let arguments: [String]
        var environment: [String: String] = [:]
        let messageParts: [String]
    }

    func testAppendRejectionsLeaveLedgerUnchanged() throws {
        let created = try createLedger()
        let ledger = created.ledger
        let key = created.signingKey
        try append(created, body: #"{"ticket":"CHG-1"}"#)

        let otherES256 = try createLedger("other-es256.db", algorithm: "ES256").signingKey
        let otherEdDSA = try createLedger("other-eddsa.db", algorithm: "EdDSA").signingKey
        let readableKey = path("readable.pem")
        try FileManager.default.copyItem(atPath: key, toPath: readableKey)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: readableKey)

        // 65,529 characters in "p" make the canonical body {"p":"..."} 65,537 bytes, one over the limit.
        let oversized = try write("oversized.json", #"{"p":""# + String(repeating: "x", count: 65_529) + #""}"#)
        let invalidUTF8 = try write("invalid-utf8.json", Data(#"{"note":"caf"#.utf8) + Data([0xFF]) + Data(#""}"#.utf8))
        let badThirdLine = try write("bad-third-line.ndjson", """
            {"kind":"note","actor":"batch","body":{"line":1}}
            {"kind":"note","actor":"batch","body":{"line":2}}
            {"kind":"rotation","actor":"batch","body":{"line":3}}
            {"kind":"note","actor":"batch","body":{"line":4}}

            """)
        let brokenThirdLine = try write("broken-third-line.ndjson", """
            {"kind":"note","actor":"batch","body":{"line":1}}
            {"kind":"note","actor":"batch","body":{"line":2}}
            {"kind":"note","actor":"batch","body":{"line":
            """)
        let bigIntegerOnLine2 = try write("big-integer-line-2.ndjson", """
            {"kind":"note","actor":"batch","body":{"line":1}}
            {"kind":"note","actor":"batch","body":{"amounts":[1,-9007199254740993]}}

            """)
        let emptyBatch = try write("empty.ndjson", "\n\n")
        let longSecondLine = try write("long-line-2.ndjson", "\n" + String(repeating: " ", count: NDJSONEvents.maximumLineBytes + 1) + "\n")
        let single = ["append", "--ledger", ledger, "--signing-key", key, "--kind", "note", "--actor", "alice@example.com"]

        let cases: [RejectedCommand] = [
            RejectedCommand(name: "invalid JSON body", arguments: single + ["--body", #"{"ticket":"#],
                            messageParts: ["the event body is not valid JSON", "at byte", "give a JSON object"]),
            RejectedCommand(name: "body that is an array", arguments: single + ["--body", #"["CHG-1"]"#],
                            messageParts: ["must be a JSON object", "not an array"]),
            RejectedCommand(name: "body that is a string", arguments: single + ["--body", #""CHG-1""#],
                            messageParts: ["must be a JSON object", "not a string"]),
            RejectedCommand(name: "unknown kind",
                            arguments: ["append", "--ledger", ledger, "--signing-key", key, "--kind", "key_rotated",
                                        "--actor", "alice@example.com"],
                            messageParts: [#"unknown event kind "key_rotated""#, "takes \"note\" or a custom kind", "x-deploy", "have their own commands"]),
            RejectedCommand(name: "kind reserved for the ledger",
                            arguments: ["append", "--ledger", ledger, "--signing-key", key, "--kind", "signing_key_rotated",
                                        "--actor", "alice@example.com"],
                            messageParts: [#""signing_key_rotated" is appended only by `keyledger signing-key rotate`"#]),
            RejectedCommand(name: "empty actor",
                            arguments: ["append", "--ledger", ledger, "--signing-key", key, "--kind", "note", "--actor", ""],
                            messageParts: ["the actor is empty", "--actor alice@example.com"]),
            RejectedCommand(name: "blank actor",
                            arguments: ["append", "--ledger", ledger, "--signing-key", key, "--kind", "note", "--actor", "   "],
                            messageParts: ["the actor is empty"]),
            RejectedCommand(name: "body over the size limit", arguments: single + ["--body-file", oversized],
                            messageParts: ["65537 bytes as canonical JSON", "over the limit of 65536 bytes", "record its digest"]),
            RejectedCommand(name: "invalid UTF-8 in the body file", arguments: single + ["--body-file", invalidUTF8],
                            messageParts: ["not valid JSON", "0xFF", "UTF-8"]),
            RejectedCommand(name: "body file that does not exist", arguments: single + ["--body-file", path("missing.json")],
                            messageParts: [path("missing.json"), "check that the file exists"]),
            RejectedCommand(name: "both --body and --body-file",
                            arguments: single + ["--body", "{}", "--body-file", oversized],
                            messageParts: ["give either --body or --body-file, not both"]),
            RejectedCommand(name: "key file readable by others",
                            arguments: ["append", "--ledger", ledger, "--signing-key", readableKey, "--kind", "note",
                                        "--actor", "alice@example.com"],
                            messageParts: [readableKey, "mode 644", "chmod 600 \(readableKey)"]),
            RejectedCommand(name: "key file that does not exist",
                            arguments: ["append", "--ledger", ledger, "--signing-key", path("missing.pem"), "--kind", "note",
                                        "--actor", "alice@example.com"],
                            messageParts: [path("missing.pem"), "does not exist"]),
            RejectedCommand(name: "key path that is a directory",
                            arguments: ["append", "--ledger", ledger, "--signing-key", directory.path, "--kind", "note",
                                        "--actor", "alice@example.com"],
                            messageParts: [directory.path, "is not a regular file", "give the path of a PEM private key file"]),
            RejectedCommand(name: "another key of the signer's type",
                            arguments: ["append", "--ledger", ledger, "--signing-key", otherES256, "--kind", "note",
                                        "--actor", "alice@example.com"],
                            messageParts: [otherES256, "is not the ledger's current signing key (kid \(created.trustAnchor))",
                                           "keyledger signing-key show"]),
            RejectedCommand(name: "a key of another type",
                            arguments: ["append", "--ledger", ledger, "--signing-key", otherEdDSA, "--kind", "note",
                                        "--actor", "alice@example.com"],
                            messageParts: [otherEdDSA, "is not the ledger's current signing key (kid \(created.trustAnchor))",
                                           "keyledger signing-key show"]),
            RejectedCommand(name: "NDJSON batch with an unknown kind on line 3",
                            arguments: ["append", "--ledger", ledger, "--signing-key", key, "--ndjson", badThirdLine],
                            messageParts: ["line 3:", #"unknown event kind "rotation""#]),
            RejectedCommand(name: "NDJSON batch with invalid JSON on line 3",
                            arguments: ["append", "--ledger", ledger, "--signing-key", key, "--ndjson", brokenThirdLine],
                            messageParts: ["line 3:", "not valid JSON"]),
            RejectedCommand(name: "integer above 2^53 - 1", arguments: single + ["--body", #"{"ledger_ref":9007199254740993}"#],
                            messageParts: ["the integer 9007199254740993 at $.ledger_ref", "±9007199254740991",
                                           "RFC 7493", #"send it as a string, such as "9007199254740993""#]),
            RejectedCommand(name: "nested integer below -(2^53 - 1)",
                            arguments: single + ["--body", #"{"a b":{"list":[0,-12345678901234567890]}}"#],
                            messageParts: [#"the integer -12345678901234567890 at $["a b"].list[1]"#, "send it as a string"]),
            RejectedCommand(name: "NDJSON batch with a big integer on line 2",
                            arguments: ["append", "--ledger", ledger, "--signing-key", key, "--ndjson", bigIntegerOnLine2],
                            messageParts: ["line 2:", "the integer -9007199254740993 at $.body.amounts[1]", "send it as a string"]),
            RejectedCommand(name: "NDJSON batch without events",
                            arguments: ["append", "--ledger", ledger, "--signing-key", key, "--ndjson", emptyBatch],
                            messageParts: [emptyBatch, "contains no events"]),
            RejectedCommand(name: "NDJSON batch with a line over the limit",
                            arguments: ["append", "--ledger", ledger, "--signing-key", key, "--ndjson", longSecondLine],
                            messageParts: ["line 2 is longer than \(NDJSONEvents.maximumLineBytes) bytes", "one event on each line"]),
            RejectedCommand(name: "NDJSON batch that is a directory",
                            arguments: ["append", "--ledger", ledger, "--signing-key", key, "--ndjson", directory.path],
                            messageParts: ["\"\(directory.path)\" is a directory", "give an NDJSON file"]),
            RejectedCommand(name: "NDJSON batch with --kind",
                            arguments: ["append", "--ledger", ledger, "--signing-key", key, "--ndjson", badThirdLine,
                                        "--kind", "note"],
                            messageParts: ["--ndjson takes kinds and bodies from its lines", "remove --kind"]),
            RejectedCommand(name: "unknown option", arguments: single + ["--colour", "always"],
                            messageParts: ["unknown option --colour", "`keyledger append --help`"]),
            RejectedCommand(name: "option without its value", arguments: single + ["--body"],
                            messageParts: ["--body needs a value (JSON)", "`keyledger append --help`"]),
            RejectedCommand(name: "missing --kind",
                            arguments: ["append", "--ledger", ledger, "--signing-key", key, "--actor", "alice@example.com"],
                            messageParts: ["missing --kind KIND", "`keyledger append --help`"]),
            RejectedCommand(name: "missing --signing-key",
                            arguments: ["append", "--ledger", ledger, "--kind", "note", "--actor", "alice@example.com"],
                            messageParts: ["missing --signing-key PEM or set KEYLEDGER_SIGNING_KEY"]),
            RejectedCommand(name: "option given twice", arguments: single + ["--kind", "retired"],
                            messageParts: ["--kind was given more than once"]),
            RejectedCommand(name: "unknown durability", arguments: single + ["--durability", "fast"],
                            messageParts: [#"--durability "fast" is not valid"#, "use full or normal"]),
            RejectedCommand(name: "stray argument", arguments: single + ["extra"],
                            messageParts: [#"unexpected argument "extra""#]),
        ]

        for rejected in cases {
            let before = try logSnapshot(ledger)
            let run = try keyledger(rejected.arguments, environment: rejected.environment)

            XCTAssertEqual(run.status, 2, "\(rejected.name)\n\(run.summary)")
            XCTAssertEqual(run.standardOutput, "", "\(rejected.name)\n\(run.summary)")
            XCTAssertEqual(run.errorLines.count, 1, "\(rejected.name): one error line expected\n\(run.summary)")
            XCTAssertTrue(run.standardError.hasPrefix("error: "), "\(rejected.name)\n\(run.summary)")
            for part in rejected.messageParts {
                XCTAssertTrue(run.standardError.contains(part), "\(rejected.name): message lacks \"\(part)\"\n\(run.summary)")
            }
            XCTAssertEqual(try logSnapshot(ledger), before, "\(rejected.name) changed the ledger")
        }
        XCTAssertEqual(try logEntries(ledger).count, 2)
    }

    func testBodySizeLimitIsMeasuredOnCanonicalJSON() throws {
        let created = try createLedger()
        let filler = String(repeating: "x", count: 65_528)
        // Both bodies are {"p":"x…x"} (65,536 bytes) once canonical; the second has whitespace that canonical JSON drops.
        let atLimit = try write("at-limit.json", #"{"p":""# + filler + #""}"#)
        let atLimitSpaced = try write("at-limit-spaced.json", "{ \"p\" :\n \"" + filler + "\" }\n")
        let overLimit = try write("over-limit.json", #"{"p":""# + filler + #"x"}"#)
        let command = ["append", "--ledger", created.ledger, "--signing-key", created.signingKey,
                       "--kind", "note", "--actor", "alice@example.com", "--body-file"]

        let accepted = try keyledger(command + [atLimit])
        XCTAssertEqual(accepted.status, 0, accepted.summary)
        XCTAssertTrue(accepted.standardOutput.hasPrefix("2:"), accepted.summary)

        let acceptedSpaced = try keyledger(command + [atLimitSpaced])
        XCTAssertEqual(acceptedSpaced.status, 0, acceptedSpaced.summary)
        XCTAssertTrue(acceptedSpaced.standardOutput.hasPrefix("3:"), acceptedSpaced.summary)

        let before = try logSnapshot(created.ledger)
        let rejected = try keyledger(command + [overLimit])
        XCTAssertEqual(rejected.status, 2, rejected.summary)
        XCTAssertTrue(rejected.standardError.contains("65537 bytes"), rejected.summary)
        XCTAssertEqual(try logSnapshot(created.ledger), before)

        let entries = try logEntries(created.ledger)
        XCTAssertEqual(entries.count, 3)
        XCTAssertEqual((entries.last?["body"] as? [String: Any])?["p"] as? String, filler)
    }

    func testIntegersWithinSafeRangeAreKeptExactly() throws {
        let created = try createLedger()
        let body = #"{"max":9007199254740991,"min":-9007199254740991,"large_double":1e300,"fraction":9007199254740993.5}"#
        let run = try keyledger(["append", "--ledger", created.ledger, "--signing-key", created.signingKey, "--kind", "note",
                                 "--actor", "alice@example.com", "--body", body])
        XCTAssertEqual(run.status, 0, run.summary)
        let stored = try XCTUnwrap(try logEntries(created.ledger).last?["body"] as? [String: Any])
        XCTAssertEqual((stored["max"] as? NSNumber)?.int64Value, 9_007_199_254_740_991)
        XCTAssertEqual((stored["min"] as? NSNumber)?.int64Value, -9_007_199_254_740_991)
        XCTAssertNotNil(stored["large_double"], "a number with an exponent is not an integer literal")
        XCTAssertNotNil(stored["fraction"], "a number with a fraction is not an integer literal")
    }

    func testBadThirdLineAppendsNothingFromTheBatch() throws {
        let created = try createLedger()
        let batch = try write("batch.ndjson", """
            {"kind":"note","actor":"batch","body":{"line":1}}
            {"kind":"note","body":{"line":2}}
            {"kind":"note","actor":"","body":{"line":3}}

            """)
        let run = try keyledger(["append", "--ledger", created.ledger, "--signing-key", created.signingKey,
                                 "--ndjson", batch, "--actor", "default-actor"])

        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardError, "error: line 3: the actor is empty: name the person or tool responsible, for example --actor alice@example.com\n")
        let kinds = try logEntries(created.ledger).map { $0["kind"] as? String }
        XCTAssertEqual(kinds, ["genesis"])
    }

    func testEncryptedKeyNeedsTheRightPassphrase() throws {
        let openssl = try Program.require("openssl", for: "encrypt a PKCS#8 key")
        let created = try createLedger()
        let encrypted = path("encrypted.pem")
        let passphrase = "correct horse battery staple"
        let conversion = try Program.run(openssl, ["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", created.signingKey,
                                                   "-out", encrypted, "-passout", "pass:\(passphrase)"])
        XCTAssertEqual(conversion.status, 0, conversion.summary)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: encrypted)
        let command = ["append", "--ledger", created.ledger, "--signing-key", encrypted,
                       "--kind", "note", "--actor", "alice@example.com"]
        let before = try logSnapshot(created.ledger)

        let withoutPassphrase = try keyledger(command)
        XCTAssertEqual(withoutPassphrase.status, 2, withoutPassphrase.summary)
        XCTAssertEqual(withoutPassphrase.standardError,
                       "error: the key file \"\(encrypted)\" is encrypted: set KEYLEDGER_KEY_PASSPHRASE to its passphrase\n")

        let wrongSecret = "tr0ub4dor&3"
        let withWrongPassphrase = try keyledger(command, environment: ["KEYLEDGER_KEY_PASSPHRASE": wrongSecret])
        XCTAssertEqual(withWrongPassphrase.status, 2, withWrongPassphrase.summary)
        XCTAssertEqual(withWrongPassphrase.standardError,
                       "error: cannot decrypt the key file \"\(encrypted)\": the passphrase in KEYLEDGER_KEY_PASSPHRASE is wrong\n")
        XCTAssertFalse(withWrongPassphrase.standardError.contains(wrongSecret), "the message shows the passphrase")
        XCTAssertEqual(try logSnapshot(created.ledger), before)

        let withEmptyPassphrase = try keyledger(command, environment: ["KEYLEDGER_KEY_PASSPHRASE": ""])
        XCTAssertEqual(withEmptyPassphrase.status, 2, withEmptyPassphrase.summary)
        XCTAssertEqual(withEmptyPassphrase.standardError,
                       "error: cannot decrypt the key file \"\(encrypted)\": KEYLEDGER_KEY_PASSPHRASE is set but empty, so set it to the key file's passphrase\n")
        XCTAssertEqual(try logSnapshot(created.ledger), before)

        let withPassphrase = try keyledger(command, environment: ["KEYLEDGER_KEY_PASSPHRASE": passphrase])
        XCTAssertEqual(withPassphrase.status, 0, withPassphrase.summary)
        XCTAssertTrue(withPassphrase.standardOutput.hasPrefix("2:"), withPassphrase.summary)
    }

    func testFileThatIsNotADatabaseIsRejectedUnchanged() throws {
        let created = try createLedger()
        let notADatabase = try write("notes.txt", "these are not the droids you are looking for\n")
        let before = try Data(contentsOf: URL(fileURLWithPath: notADatabase))
        let commands: [[String]] = [
            ["append", "--ledger", notADatabase, "--signing-key", created.signingKey, "--kind", "note", "--actor", "alice"],
            ["log", "--ledger", notADatabase],
            ["verify", "--ledger", notADatabase],
            ["signing-key", "show", "--ledger", notADatabase],
        ]
        for command in commands {
            let run = try keyledger(command)
            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertEqual(run.standardOutput, "", run.summary)
            XCTAssertEqual(run.standardError, "error: \"\(notADatabase)\" is not a SQLite database: check the path to the ledger file\n")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: notADatabase)), before)
    }

    func testOtherSQLiteDatabaseIsRejectedUnchanged() throws {
        let created = try createLedger()
        let other = path("other-app.sqlite")
        try sqlite3(other, "CREATE TABLE settings (name TEXT, value TEXT); INSERT INTO settings VALUES ('theme', 'dark');")
        let before = try Data(contentsOf: URL(fileURLWithPath: other))

        let run = try keyledger(["append", "--ledger", other, "--signing-key", created.signingKey,
                                 "--kind", "note", "--actor", "alice"])

        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardError, "error: \"\(other)\" is a SQLite database but not a keyledger ledger: check the path\n")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: other)), before, "rejecting the file changed it")
        XCTAssertEqual(try sqlite3(other, "PRAGMA journal_mode;"), "delete\n")
    }

    func testSigningKeyRotateRejectsEarlierKey() throws {
        let created = try createLedger()
        try keyledgerSucceeds(["signing-key", "rotate", "--ledger", created.ledger, "--signing-key", created.signingKey,
                               "--generate", "EdDSA", "--key-out", path("second.pem")])
        let before = try logSnapshot(created.ledger)

        let run = try keyledger(["signing-key", "rotate", "--ledger", created.ledger, "--signing-key", path("second.pem"),
                                 "--new-key", created.signingKey])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.contains("is an earlier signing key of this ledger, handed over at entry 2"), run.summary)
        XCTAssertTrue(run.standardError.contains("generate or give a new one"), run.summary)
        XCTAssertEqual(try logSnapshot(created.ledger), before, "a rejected handover appended an entry")
    }

    func testLedgerKeysAndJWTKeysStaySeparate() throws {
        let created = try createLedger()
        let common = ["--ledger", created.ledger, "--signing-key", created.signingKey]
        try keyledgerSucceeds(["change", "open", "--id", "CHG-1", "--summary", "Rotate", "--technician", "tina",
                               "--reviewer", "rui", "--actor", "tina"] + common)
        let jwtKey = path("production.pem")
        // The ledger signing key's public JWK, as anyone who can read the ledger finds it.
        let shown = try keyledgerSucceeds(["signing-key", "show", "--ledger", created.ledger, "--json"])
        let signer = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        let ledgerJWK = try write("ledger-key.jwk", JSONSerialization.data(withJSONObject: try XCTUnwrap(signer["jwk"])))
        let imported = try keyledger(["key", "import", "--name", "api", "--env", "production", "--jwk", ledgerJWK,
                                      "--change", "CHG-1", "--actor", "tina"] + common)
        XCTAssertEqual(imported.status, 2, imported.summary)
        XCTAssertEqual(imported.standardError, "error: cannot import a key under change CHG-1, which is open: keys may change only under an approved change that is in_progress, so have the reviewer approve it, then start it with `keyledger change start`, or give --emergency REASON\n")

        try keyledgerSucceeds(["change", "approve", "--id", "CHG-1", "--actor", "rui"] + common)
        try keyledgerSucceeds(["change", "start", "--id", "CHG-1", "--actor", "tina"] + common)
        let generated = try keyledgerSucceeds(["key", "generate", "--name", "api", "--env", "production", "--out", jwtKey,
                                               "--change", "CHG-1", "--actor", "tina"] + common)
        let jwtKeyID = generated.standardOutput.trimmingCharacters(in: .newlines)
        let before = try logSnapshot(created.ledger)

        let rotate = try keyledger(["signing-key", "rotate", "--new-key", jwtKey, "--actor", "tina"] + common)
        XCTAssertEqual(rotate.status, 2, rotate.summary)
        XCTAssertEqual(rotate.standardError, "error: the new signing key (kid \(jwtKeyID)) is a JWT signing key of this ledger, generated at entry 5: whoever holds a key that signs API tokens must not also be able to sign for the ledger, so generate or give a key used for nothing else\n")

        let ledgerKeyAsJWTKey = try keyledger(["key", "import", "--name", "api", "--env", "staging", "--jwk", ledgerJWK,
                                               "--change", "CHG-1", "--actor", "tina"] + common)
        XCTAssertEqual(ledgerKeyAsJWTKey.status, 2, ledgerKeyAsJWTKey.summary)
        XCTAssertEqual(ledgerKeyAsJWTKey.standardError, "error: key \(created.trustAnchor) is a signing key of this ledger: a key that signs ledger entries must not also sign API tokens, so import a different key\n")
        XCTAssertEqual(try logSnapshot(created.ledger), before, "a rejected step appended an entry")
    }

    func testNewerSchemaIsRejectedUnchanged() throws {
        let created = try createLedger()
        try append(created)
        let newer = path("newer.db")
        try FileManager.default.copyItem(atPath: created.ledger, toPath: newer)
        try sqlite3(newer, "PRAGMA user_version = 999;")
        let before = try Data(contentsOf: URL(fileURLWithPath: newer))
        let commands: [[String]] = [
            ["append", "--ledger", newer, "--signing-key", created.signingKey, "--kind", "note", "--actor", "alice"],
            ["log", "--ledger", newer],
            ["verify", "--ledger", newer, "--trust-anchor", created.trustAnchor],
            ["signing-key", "rotate", "--ledger", newer, "--signing-key", created.signingKey,
             "--generate", "ES256", "--key-out", path("unused.pem")],
        ]
        for command in commands {
            let run = try keyledger(command)
            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertEqual(run.standardOutput, "", run.summary)
            XCTAssertTrue(run.standardError.hasPrefix("error: the ledger \"\(newer)\" has schema version 999, but this keyledger supports up to "),
                          run.summary)
            XCTAssertTrue(run.standardError.hasSuffix(": upgrade keyledger to open it\n"), run.summary)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: newer)), before, "rejecting the file changed it")
        XCTAssertEqual(try sqlite3(newer, "SELECT count(*) FROM entries;"), "2\n")
    }

    func testNegativeSchemaVersionIsRejectedUnchanged() throws {
        let created = try createLedger()
        try append(created)
        let tampered = path("tampered.db")
        try FileManager.default.copyItem(atPath: created.ledger, toPath: tampered)
        try sqlite3(tampered, "PRAGMA user_version = -1;")
        let before = try Data(contentsOf: URL(fileURLWithPath: tampered))
        let commands: [[String]] = [
            ["append", "--ledger", tampered, "--signing-key", created.signingKey, "--kind", "note", "--actor", "alice"],
            ["verify", "--ledger", tampered, "--trust-anchor", created.trustAnchor],
        ]
        for command in commands {
            let run = try keyledger(command)
            XCTAssertEqual(run.status, 2, run.summary)
            // The ledger's tables are still there, so the error names the version to restore.
            XCTAssertTrue(run.standardError.hasPrefix("error: the ledger \"\(tampered)\" has schema version -1 (PRAGMA user_version)"), run.summary)
            XCTAssertTrue(run.standardError.contains("'PRAGMA user_version=3'"), run.summary)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: tampered)), before, "rejecting the file changed it")
    }

    func testMissingLedgerIsNamed() throws {
        let missing = path("missing.db")
        let run = try keyledger(["log", "--ledger", missing])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardError, "error: no ledger at \"\(missing)\": check the path, or create one with `keyledger init`\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing), "log created the ledger file")
    }

    func testInvalidTimeFilterIsNamed() throws {
        let created = try createLedger()
        let run = try keyledger(["log", "--ledger", created.ledger, "--since", "yesterday"])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardError,
                       "error: --since \"yesterday\" is not a time: use RFC 3339 such as 2026-10-01T00:00:00Z, or a date such as 2026-10-01\n")
    }

    func testFailedInitLeavesNoKeyFile() throws {
        let created = try createLedger()
        let keyOut = path("fresh.pem")

        let existingLedger = try keyledger(["init", "--ledger", created.ledger, "--generate-signing-key", "ES256",
                                            "--key-out", keyOut, "--actor", "alice"])
        XCTAssertEqual(existingLedger.status, 2, existingLedger.summary)
        XCTAssertEqual(existingLedger.standardError,
                       "error: \"\(created.ledger)\" already exists: choose a new path; init never overwrites a file\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: keyOut), "a key was left for a ledger that was never created")

        let emptyActor = try keyledger(["init", "--ledger", path("new.db"), "--generate-signing-key", "ES256",
                                        "--key-out", keyOut, "--actor", ""])
        XCTAssertEqual(emptyActor.status, 2, emptyActor.summary)
        XCTAssertTrue(emptyActor.standardError.contains("the actor is empty"), emptyActor.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: keyOut), "a key was left for a ledger that was never created")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("new.db")))

        let corrected = try keyledger(["init", "--ledger", path("new.db"), "--generate-signing-key", "ES256",
                                       "--key-out", keyOut, "--actor", "alice"])
        XCTAssertEqual(corrected.status, 0, corrected.summary)
        XCTAssertEqual(try mode(of: keyOut), 0o600)
    }

    func testInitRejectsOneFileForTwoOutputs() throws {
        let keyOut = path("keys.pem")
        let ledger = path("new.db")
        let cases: [(arguments: [String], message: String)] = [
            (["--key-out", keyOut, "--generate-checkpoint-key", "--checkpoint-key-out", keyOut],
             "--key-out and --checkpoint-key-out both name \(keyOut)"),
            (["--key-out", keyOut, "--generate-checkpoint-key", "--checkpoint-key-out", path("./sub/../keys.pem")],
             "--key-out and --checkpoint-key-out both name \(path("./sub/../keys.pem"))"),
            (["--key-out", ledger], "--ledger and --key-out both name \(ledger)"),
        ]
        for (arguments, message) in cases {
            let run = try keyledger(["init", "--ledger", ledger, "--generate-signing-key", "EdDSA", "--actor", "alice"] + arguments)
            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertEqual(run.standardError, "error: \(message): give each file init creates its own path\n")
            XCTAssertFalse(FileManager.default.fileExists(atPath: keyOut), run.summary)
            XCTAssertFalse(FileManager.default.fileExists(atPath: ledger), run.summary)
        }
    }

    func testLongKeyPathIsShownWhole() throws {
        let created = try createLedger()
        let nested = directory.appendingPathComponent(String(repeating: "deeply-nested-directory/", count: 6))
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        let key = nested.appendingPathComponent("ledger-signing-key.pem").path
        try FileManager.default.copyItem(atPath: created.signingKey, toPath: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: key)
        XCTAssertGreaterThan(key.count, 150)

        let run = try keyledger(["append", "--ledger", created.ledger, "--signing-key", key, "--kind", "note", "--actor", "alice"])

        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardError,
                       "error: the key file \"\(key)\" has mode 640, which lets group or others read it: run `chmod 600 \(key)`\n")
    }

    func testMalformedTrustAnchorIsUsageError() throws {
        let created = try createLedger()
        let before = try logSnapshot(created.ledger)
        let malformed = ["", "wrong", String(created.trustAnchor.dropLast()), created.trustAnchor + "=",
                         String(created.trustAnchor.dropLast()) + "+"]
        for anchor in malformed {
            let commands: [[String]] = [
                ["verify", "--ledger", created.ledger, "--trust-anchor", anchor],
                ["report", "--ledger", created.ledger, "--period", "2026-Q4", "--format", "json", "--out", path("report"),
                 "--no-record", "--trust-anchor", anchor],
            ]
            for command in commands {
                let run = try keyledger(command)
                XCTAssertEqual(run.status, 2, run.summary)
                XCTAssertEqual(run.standardOutput, "", run.summary)
                XCTAssertEqual(run.standardError,
                               "error: --trust-anchor \"\(anchor)\" is not a key id: give the 43-character thumbprint that `keyledger init` printed as the trust anchor\n")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("report")), "a rejected report wrote files")
        XCTAssertEqual(try logSnapshot(created.ledger), before)
    }

    func testKeyFileModeMessageNamesAccess() throws {
        let created = try createLedger()
        let before = try logSnapshot(created.ledger)
        let cases: [(mode: Int, access: String)] = [
            (0o602, "change it"),
            (0o620, "change it"),
            (0o660, "read and change it"),
            (0o604, "read it"),
            (0o610, "execute it"),
        ]
        for (mode, access) in cases {
            let key = path("mode-\(String(mode, radix: 8)).pem")
            try FileManager.default.copyItem(atPath: created.signingKey, toPath: key)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: key)

            let run = try keyledger(["append", "--ledger", created.ledger, "--signing-key", key, "--kind", "note", "--actor", "alice"])

            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertEqual(run.standardError,
                           "error: the key file \"\(key)\" has mode \(String(mode, radix: 8)), which lets group or others \(access): run `chmod 600 \(key)`\n")
        }
        XCTAssertEqual(try logSnapshot(created.ledger), before, "a rejected key appended an entry")
    }

    func testSymbolicLinkToKeyFileIsFollowed() throws {
        let created = try createLedger()
        // Kubernetes secret volumes present key files as symbolic links, whose own mode is 777.
        let link = path("linked-key.pem")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: created.signingKey)
        let command = ["append", "--ledger", created.ledger, "--kind", "note", "--actor", "alice", "--signing-key"]

        let linked = try keyledger(command + [link])
        XCTAssertEqual(linked.status, 0, linked.summary)

        let readable = path("readable.pem")
        try FileManager.default.copyItem(atPath: created.signingKey, toPath: readable)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: readable)
        let linkToReadable = path("linked-readable.pem")
        try FileManager.default.createSymbolicLink(atPath: linkToReadable, withDestinationPath: readable)
        let insecure = try keyledger(command + [linkToReadable])
        XCTAssertEqual(insecure.status, 2, insecure.summary)
        XCTAssertEqual(insecure.standardError,
                       "error: the key file \"\(linkToReadable)\" has mode 644, which lets group or others read it: run `chmod 600 \(linkToReadable)`\n")

        let dangling = path("dangling.pem")
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: path("missing.pem"))
        let missing = try keyledger(command + [dangling])
        XCTAssertEqual(missing.status, 2, missing.summary)
        XCTAssertEqual(missing.standardError,
                       "error: cannot read the key file \"\(dangling)\": it is a symbolic link to a file that does not exist\n")
    }

    func testUnsupportedAlgorithmIsNamed() throws {
        let run = try keyledger(["init", "--ledger", path("new.db"), "--generate-signing-key", "HS256",
                                 "--key-out", path("new.pem"), "--actor", "alice"])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.hasPrefix(#"error: --generate-signing-key "HS256" is not a supported algorithm: use one of "#),
                      run.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("new.db")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("new.pem")))
    }
}
