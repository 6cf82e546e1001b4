import Foundation
import XCTest

/// What `keyledger verify` prints and returns for valid, tampered and truncated ledgers.
final class VerifyOutputTests: CLITestCase {
    /// One way to tamper with a copy of the ledger, and the failure verify must report.
    struct Tampering {
        let name: String
        let sql: String
        let sequence: Int
        let reason: String
        /// The entries verified before the failure.
        let entriesChecked: Int
    }

    /// Creates a ledger of five entries: the genesis entry and four notes whose bodies are {"n":1} to {"n":4}.
    private func fiveEntryLedger() throws -> CreatedLedger {
        let created = try createLedger()
        let batch = (1...4).map { #"{"kind":"note","actor":"alice","body":{"n":\#($0)}}"# }.joined(separator: "\n")
        try keyledgerSucceeds(["append", "--ledger", created.ledger, "--signing-key", created.signingKey,
                               "--ndjson", "-"], input: Data(batch.utf8))
        return created
    }

    func testValidLedgerOutput() throws {
        let created = try fiveEntryLedger()
        let run = try keyledger(["verify", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor])

        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.outputLines.count, 3, run.summary)
        XCTAssertEqual(run.outputLines.first, "valid: 5 entries, 5 signatures verified")
        XCTAssertEqual(run.outputLines.dropFirst().first,
                       "signer \(created.trustAnchor) (ES256), introduced at entry 1, signed entries 1 to 5")
        let head = try XCTUnwrap(run.outputLines.last)
        XCTAssertTrue(head.hasPrefix("head 5:"), run.summary)
        XCTAssertEqual(head.count, "head 5:".count + 64, run.summary)
    }

    func testTamperedCopiesReportTheFirstBadEntry() throws {
        let created = try fiveEntryLedger()
        let cases: [Tampering] = [
            Tampering(name: "edited body",
                      sql: #"UPDATE entries SET canonical = CAST(replace(CAST(canonical AS TEXT), '"n":2', '"n":7') AS BLOB) WHERE seq = 3;"#,
                      sequence: 3, reason: "hash_mismatch", entriesChecked: 2),
            Tampering(name: "edited kind column",
                      sql: "UPDATE entries SET kind = 'retired' WHERE seq = 4;",
                      sequence: 4, reason: "hash_mismatch", entriesChecked: 3),
            Tampering(name: "deleted middle entry",
                      sql: "DELETE FROM entries WHERE seq = 3;",
                      sequence: 4, reason: "sequence_gap", entriesChecked: 2),
            Tampering(name: "signature copied from the next entry",
                      sql: "UPDATE entries SET signature = (SELECT signature FROM entries WHERE seq = 5) WHERE seq = 4;",
                      sequence: 4, reason: "invalid_signature", entriesChecked: 3),
            Tampering(name: "broken link",
                      sql: "UPDATE entries SET prev_hash = zeroblob(32) WHERE seq = 2;",
                      sequence: 2, reason: "broken_link", entriesChecked: 1),
        ]

        for tampering in cases {
            let copy = path("tampered-\(tampering.sequence)-\(tampering.reason).db")
            try FileManager.default.copyItem(atPath: created.ledger, toPath: copy)
            try sqlite3(copy, "DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete; \(tampering.sql)")

            let text = try keyledger(["verify", "--ledger", copy, "--trust-anchor", created.trustAnchor])
            XCTAssertEqual(text.status, 1, "\(tampering.name)\n\(text.summary)")
            XCTAssertEqual(text.outputLines.first, "INVALID: entry \(tampering.sequence): \(tampering.reason)",
                           "\(tampering.name)\n\(text.summary)")
            XCTAssertTrue(text.outputLines.dropFirst().first?.contains("entry \(tampering.sequence)") ?? false,
                          "\(tampering.name): the detail does not name the entry\n\(text.summary)")

            let json = try keyledger(["verify", "--ledger", copy, "--trust-anchor", created.trustAnchor, "--json"])
            XCTAssertEqual(json.status, 1, "\(tampering.name)\n\(json.summary)")
            XCTAssertEqual(json.outputLines.count, 1, "\(tampering.name)\n\(json.summary)")
            let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any],
                                       "\(tampering.name): verify --json did not print a JSON object")
            let failure = try XCTUnwrap(result["failure"] as? [String: Any], "\(tampering.name)\n\(json.summary)")
            XCTAssertEqual(result["valid"] as? Bool, false, tampering.name)
            XCTAssertEqual(failure["seq"] as? Int, tampering.sequence, tampering.name)
            XCTAssertEqual(failure["reason"] as? String, tampering.reason, tampering.name)
            XCTAssertEqual(result["entries_checked"] as? Int, tampering.entriesChecked, tampering.name)
            XCTAssertNil(result["head"], "\(tampering.name): a failed ledger has no head to keep")
        }
        let original = try keyledger(["verify", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor])
        XCTAssertEqual(original.status, 0, original.summary)
    }

    func testExpectedHeadDetectsTruncation() throws {
        let created = try fiveEntryLedger()
        let first = try keyledger(["verify", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor])
        let headLine = try XCTUnwrap(first.outputLines.last)
        let head = String(headLine.dropFirst("head ".count))

        let truncated = path("truncated.db")
        try FileManager.default.copyItem(atPath: created.ledger, toPath: truncated)
        // A careful truncation also deletes the Merkle tree rows past entry 4 (the tree of 5 leaves has none more).
        try sqlite3(truncated, """
            DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE seq = 5;
            DROP TRIGGER merkle_tree_no_delete; DELETE FROM merkle_tree WHERE position >= 3;
            """)

        let withoutHead = try keyledger(["verify", "--ledger", truncated, "--trust-anchor", created.trustAnchor])
        XCTAssertEqual(withoutHead.status, 0, "a bare chain cannot show truncation\n\(withoutHead.summary)")
        XCTAssertTrue(withoutHead.standardError.contains("warning: a hash chain cannot show entries removed from its end"),
                      withoutHead.summary)

        let text = try keyledger(["verify", "--ledger", truncated, "--trust-anchor", created.trustAnchor, "--expect-head", head])
        XCTAssertEqual(text.status, 1, text.summary)
        XCTAssertEqual(text.outputLines.first, "INVALID: entry 5: head_mismatch")
        XCTAssertEqual(text.outputLines.dropFirst().first,
                       "the ledger ends at entry 4, but the expected head is entry 5: entries were removed from its end")

        let json = try keyledger(["verify", "--ledger", truncated, "--expect-head", head, "--json"])
        XCTAssertEqual(json.status, 1, json.summary)
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let failure = try XCTUnwrap(result["failure"] as? [String: Any], json.summary)
        XCTAssertEqual(failure["reason"] as? String, "head_mismatch")
        XCTAssertEqual(failure["seq"] as? Int, 5)
        XCTAssertEqual(result["expected_head_checked"] as? Bool, true)

        let intact = try keyledger(["verify", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor, "--expect-head", head])
        XCTAssertEqual(intact.status, 0, intact.summary)
        XCTAssertEqual(intact.standardError, "", "a fully anchored verify has nothing to warn about\n\(intact.summary)")
    }

    func testExpectedHeadDetectsRewrittenHistory() throws {
        let created = try fiveEntryLedger()
        let entries = try logEntries(created.ledger)
        let third = try XCTUnwrap(entries[2]["hash"] as? String)
        let otherHash = String(third.reversed())

        let run = try keyledger(["verify", "--ledger", created.ledger, "--expect-head", "3:\(otherHash)"])

        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(run.outputLines.first, "INVALID: entry 3: head_mismatch")
    }

    func testMissingTrustAnchorIsWarnedOnStandardError() throws {
        let created = try fiveEntryLedger()
        let run = try keyledger(["verify", "--ledger", created.ledger])

        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertFalse(run.standardOutput.contains("warning"), run.summary)
        let warning = run.errorLines.first { $0.hasPrefix("warning: no trust anchor given") }
        XCTAssertNotNil(warning, run.summary)
        XCTAssertTrue(warning?.contains("pass --trust-anchor") ?? false, run.summary)

        let json = try keyledger(["verify", "--ledger", created.ledger, "--json"])
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(result["trust_anchor_checked"] as? Bool, false)
        XCTAssertTrue((result["warnings"] as? [String] ?? []).contains { $0.hasPrefix("no trust anchor given") }, json.summary)
    }

    func testWrongTrustAnchorFails() throws {
        let created = try fiveEntryLedger()
        let other = try createLedger("other.db")

        let run = try keyledger(["verify", "--ledger", created.ledger, "--trust-anchor", other.trustAnchor])

        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(run.outputLines.first, "INVALID: entry 1: unknown_signer")
        XCTAssertTrue(run.standardOutput.contains(other.trustAnchor), run.summary)
    }

    func testMalformedExpectedHeadIsUsageError() throws {
        let created = try fiveEntryLedger()
        let run = try keyledger(["verify", "--ledger", created.ledger, "--expect-head", "5"])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardError,
                       "error: --expect-head \"5\" is not SEQ:HASH: give a sequence number, a colon and a 64-digit hex hash, as printed by verify\n")
    }

    func testJWKSRenderRejectsSubstitutedKey() throws {
        let created = try createLedger()
        let common = ["--ledger", created.ledger, "--signing-key", created.signingKey]
        try keyledgerSucceeds(["change", "open", "--id", "CHG-1", "--summary", "Rotate", "--technician", "tina",
                               "--reviewer", "rui", "--actor", "tina"] + common)
        try keyledgerSucceeds(["change", "approve", "--id", "CHG-1", "--actor", "rui"] + common)
        try keyledgerSucceeds(["change", "start", "--id", "CHG-1", "--actor", "tina"] + common)
        let kid = try keyledgerSucceeds(["key", "generate", "--name", "api", "--env", "production", "--alg", "EdDSA",
                                         "--out", path("api.pem"), "--change", "CHG-1", "--actor", "tina"] + common)
            .standardOutput.trimmingCharacters(in: .newlines)
        try keyledgerSucceeds(["key", "publish", "--kid", kid, "--env", "production", "--change", "CHG-1", "--actor", "tina"] + common)
        let render = ["jwks", "render", "--ledger", created.ledger, "--env", "production"]
        let rendered = try keyledgerSucceeds(render + ["--trust-anchor", created.trustAnchor])
        XCTAssertEqual(rendered.standardError, "", rendered.summary)
        let keys = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(rendered.standardOutput.utf8)) as? [String: Any])?["keys"] as? [[String: Any]])
        let servedX = try XCTUnwrap(keys.first?["x"] as? String)

        // Someone who can write the file but has no signing key puts their own public key under the kid.
        let attacker = try createLedger("attacker.db", algorithm: "EdDSA")
        let shown = try keyledgerSucceeds(["signing-key", "show", "--ledger", attacker.ledger, "--json"])
        let attackerJWK = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])?["jwk"] as? [String: Any])
        let attackerX = try XCTUnwrap(attackerJWK["x"] as? String)
        try sqlite3(created.ledger, """
            DROP TRIGGER entries_no_update;
            UPDATE entries SET canonical = CAST(replace(CAST(canonical AS TEXT), '\(servedX)', '\(attackerX)') AS BLOB)
            WHERE kind = 'generated';
            """)

        for arguments in [render + ["--trust-anchor", created.trustAnchor], render] {
            let run = try keyledger(arguments)
            XCTAssertEqual(run.status, 1, run.summary)
            XCTAssertEqual(run.standardOutput, "", run.summary)
            XCTAssertFalse(run.standardOutput.contains(attackerX), run.summary)
            XCTAssertEqual(run.standardError,
                           "error: the ledger failed verification at entry 5 (hash_mismatch), so no JWKS was printed: run `keyledger verify` for the details\n")
        }
    }

    func testJWKSRenderRejectsUnknownEnvironment() throws {
        let created = try createLedger()
        try generateKeyUnderChange(created, environment: "production")
        let render = ["jwks", "render", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor]

        // A misspelled environment is an input error, as in jwks check, not an empty set that rejects every token.
        let misspelled = try keyledger(render + ["--env", "prodution"])
        XCTAssertEqual(misspelled.status, 2, misspelled.summary)
        XCTAssertEqual(misspelled.standardOutput, "", misspelled.summary)
        XCTAssertTrue(misspelled.standardError.contains("no key was ever recorded in environment \"prodution\""), misspelled.summary)
        XCTAssertTrue(misspelled.standardError.contains("the environments with keys are production"), misspelled.summary)

        // An environment whose keys are recorded but none published still renders, with the warning.
        let unpublished = try keyledgerSucceeds(render + ["--env", "production"])
        XCTAssertTrue(unpublished.standardOutput.contains("\"keys\": []"), unpublished.summary)
        XCTAssertTrue(unpublished.standardError.contains("warning: no key is published or verified in \"production\""), unpublished.summary)
    }
}
