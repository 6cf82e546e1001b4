import Foundation
import XCTest

/// `keyledger token issue --ledger`: the ledger's own keys never sign tokens, and a kid names one key.
final class TokenIssueLedgerTests: CLITestCase {
    func testIssueChecksKeyAndKidAgainstLedger() throws {
        let ledger = path("ledger.db")
        let ledgerKey = path("ledger-key.pem")
        let checkpointKey = path("checkpoint-key.pem")
        let initialized = try keyledgerSucceeds(["init", "--ledger", ledger, "--generate-signing-key", "ES256", "--key-out", ledgerKey,
                                                 "--generate-checkpoint-key", "--checkpoint-key-out", checkpointKey, "--actor", "alice"])
        let trustAnchor = try XCTUnwrap(initialized.outputLines.first)
        let common = ["--ledger", ledger, "--signing-key", ledgerKey]
        let productionKeyID = try generateKeyUnderChange(CreatedLedger(ledger: ledger, signingKey: ledgerKey, trustAnchor: trustAnchor),
                                                         keyFile: "production.pem")
        let stagingKeyID = try keyledgerSucceeds(["key", "generate", "--name", "api", "--env", "staging", "--alg", "EdDSA",
                                                  "--out", path("staging.pem"), "--change", "CHG-1", "--actor", "tina"] + common)
            .standardOutput.trimmingCharacters(in: .newlines)

        // A provider's key, imported with its own kid.
        let other = try keyledgerSucceeds(["init", "--ledger", path("other.db"), "--generate-signing-key", "EdDSA",
                                           "--key-out", path("other-key.pem"), "--actor", "alice"])
        XCTAssertEqual(other.status, 0, other.summary)
        let otherSigningKey = try keyledgerSucceeds(["signing-key", "show", "--ledger", path("other.db"), "--json"])
        var providerJWK = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(otherSigningKey.standardOutput.utf8)) as? [String: Any])?["jwk"] as? [String: Any])
        providerJWK["kid"] = "provider-1"
        let providerFile = try write("provider.jwk", JSONSerialization.data(withJSONObject: providerJWK))
        try keyledgerSucceeds(["key", "import", "--name", "partner", "--env", "production", "--jwk", providerFile,
                               "--change", "CHG-1", "--actor", "tina"] + common)
        let checkpointKeyID = try XCTUnwrap(
            (JSONSerialization.jsonObject(with: Data(try keyledgerSucceeds(["checkpoint", "key", "show", "--ledger", ledger, "--json",
                                                                            "--trust-anchor", trustAnchor]).standardOutput.utf8))
                as? [String: Any]).flatMap { ($0["current"] as? [String: Any])?["kid"] as? String })

        let ownKey = "a key that signs ledger entries must not also sign API tokens"
        let cases: [(name: String, key: String, kid: String, rejection: String?)] = [
            ("ledger signing key", ledgerKey, trustAnchor, ownKey),
            ("ledger signing key, custom kid", ledgerKey, "custom", ownKey),
            ("checkpoint key", checkpointKey, "custom", "a key that signs checkpoints must not also sign API tokens"),
            ("another managed key's kid", path("production.pem"), stagingKeyID, "is recorded in this ledger for another public key (\(stagingKeyID) in \"staging\")"),
            ("a provider's kid", path("production.pem"), "provider-1", "is recorded in this ledger for another public key"),
            ("the signing key's kid", path("production.pem"), trustAnchor, "is a key id of this ledger's own signing or checkpoint key"),
            ("the checkpoint key's kid", path("production.pem"), checkpointKeyID, "is a key id of this ledger's own signing or checkpoint key"),
            ("own thumbprint", path("production.pem"), productionKeyID, nil),
            ("custom kid", path("production.pem"), "api-2026", nil),
        ]
        for (name, key, kid, rejection) in cases {
            let run = try keyledger(["token", "issue", "--ledger", ledger, "--key", key, "--kid", kid])
            if let rejection {
                XCTAssertEqual(run.status, 2, "\(name): \(run.summary)")
                XCTAssertEqual(run.standardOutput, "", "\(name): \(run.summary)")
                XCTAssertTrue(run.standardError.contains(rejection), "\(name): \(run.summary)")
            } else {
                XCTAssertEqual(run.status, 0, "\(name): \(run.summary)")
                XCTAssertEqual(run.outputLines.count, 1, "\(name): \(run.summary)")
            }
        }

        // KEYLEDGER_LEDGER names the ledger as --ledger does; without either, nothing is checked.
        let fromEnvironment = try keyledger(["token", "issue", "--key", ledgerKey, "--kid", trustAnchor],
                                            environment: ["KEYLEDGER_LEDGER": ledger])
        XCTAssertEqual(fromEnvironment.status, 2, fromEnvironment.summary)
        XCTAssertTrue(fromEnvironment.standardError.contains(ownKey), fromEnvironment.summary)
        let unchecked = try keyledger(["token", "issue", "--key", ledgerKey, "--kid", trustAnchor])
        XCTAssertEqual(unchecked.status, 0, unchecked.summary)
    }

    /// A ledger with a checkpoint key and a published EdDSA key in production.
    private struct TokenLedger {
        let created: CreatedLedger
        let checkpointKey: String
        let productionKeyID: String
    }

    private func createTokenLedger() throws -> TokenLedger {
        let ledger = path("ledger.db")
        let ledgerKey = path("ledger-key.pem")
        let checkpointKey = path("checkpoint-key.pem")
        let initialized = try keyledgerSucceeds(["init", "--ledger", ledger, "--generate-signing-key", "ES256", "--key-out", ledgerKey,
                                                 "--generate-checkpoint-key", "--checkpoint-key-out", checkpointKey, "--actor", "alice"])
        let created = CreatedLedger(ledger: ledger, signingKey: ledgerKey, trustAnchor: try XCTUnwrap(initialized.outputLines.first))
        let productionKeyID = try generateKeyUnderChange(created, keyFile: "production.pem")
        try keyledgerSucceeds(["key", "publish", "--kid", productionKeyID, "--env", "production", "--change", "CHG-1",
                               "--actor", "tina", "--ledger", ledger, "--signing-key", ledgerKey])
        return TokenLedger(created: created, checkpointKey: checkpointKey, productionKeyID: productionKeyID)
    }

    /// Returns the JSON object of the checkpoint key's public JWK as the genesis entry stores it.
    private func genesisCheckpointJWK(_ ledger: String) throws -> [String: Any] {
        let checkpointKeyShow = try keyledgerSucceeds(["checkpoint", "key", "show", "--ledger", ledger, "--json"])
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(checkpointKeyShow.standardOutput.utf8)) as? [String: Any],
                                   checkpointKeyShow.summary)
        return try XCTUnwrap((result["current"] as? [String: Any])?["jwk"] as? [String: Any], checkpointKeyShow.summary)
    }

    func testIssueRejectsTamperedLedger() throws {
        let setup = try createTokenLedger()
        let ledger = setup.created.ledger

        // Another key's x and kid replace the checkpoint key's in the genesis entry, so that the
        // records no longer name the checkpoint key, which could then sign tokens.
        let victimJWK = try genesisCheckpointJWK(ledger)
        let otherLedger = try keyledgerSucceeds(["init", "--ledger", path("other.db"), "--generate-signing-key", "ES256",
                                                 "--key-out", path("other-key.pem"), "--generate-checkpoint-key",
                                                 "--checkpoint-key-out", path("other-checkpoint.pem"), "--actor", "mallory"])
        XCTAssertEqual(otherLedger.status, 0, otherLedger.summary)
        let otherJWK = try genesisCheckpointJWK(path("other.db"))
        var sql = "DROP TRIGGER entries_no_update;\n"
        for member in ["x", "kid"] {
            let old = try XCTUnwrap(victimJWK[member] as? String)
            let new = try XCTUnwrap(otherJWK[member] as? String)
            sql += "UPDATE entries SET canonical = CAST(replace(CAST(canonical AS TEXT), '\(old)', '\(new)') AS BLOB) WHERE seq = 1;\n"
        }
        try sqlite3(ledger, sql)

        let issue = ["token", "issue", "--ledger", ledger, "--key", setup.checkpointKey, "--kid", "api-1"]
        for arguments in [issue + ["--trust-anchor", setup.created.trustAnchor], issue] {
            let run = try keyledger(arguments)
            XCTAssertEqual(run.status, 1, run.summary)
            XCTAssertEqual(run.standardOutput, "", run.summary)
            XCTAssertTrue(run.standardError.hasPrefix("error: the ledger failed verification at entry 1 (hash_mismatch): "), run.summary)
            XCTAssertTrue(run.standardError.contains("Its records cannot be trusted to check the token signing key"), run.summary)
        }

        // A managed key is rejected too: no token is issued from a ledger that failed verification.
        let managed = try keyledger(["token", "issue", "--ledger", ledger, "--key", path("production.pem"),
                                     "--kid", setup.productionKeyID, "--trust-anchor", setup.created.trustAnchor])
        XCTAssertEqual(managed.status, 1, managed.summary)
        XCTAssertEqual(managed.standardOutput, "", managed.summary)
    }

    func testIssueRejectsWrongTrustAnchor() throws {
        let setup = try createTokenLedger()
        let other = try createLedger("other.db")
        let issue = ["token", "issue", "--ledger", setup.created.ledger, "--key", path("production.pem"), "--kid", setup.productionKeyID]

        let wrong = try keyledger(issue + ["--trust-anchor", other.trustAnchor])
        XCTAssertEqual(wrong.status, 1, wrong.summary)
        XCTAssertEqual(wrong.standardOutput, "", wrong.summary)
        XCTAssertTrue(wrong.standardError.hasPrefix("error: the ledger failed verification at entry 1 (unknown_signer): "), wrong.summary)

        let malformed = try keyledger(issue + ["--trust-anchor", "not-a-key-id"])
        XCTAssertEqual(malformed.status, 2, malformed.summary)
        XCTAssertEqual(malformed.standardOutput, "", malformed.summary)
        XCTAssertTrue(malformed.standardError.contains("--trust-anchor \"not-a-key-id\" is not a key id"), malformed.summary)

        let withoutLedger = try keyledger(["token", "issue", "--key", path("production.pem"), "--kid", setup.productionKeyID,
                                           "--trust-anchor", setup.created.trustAnchor])
        XCTAssertEqual(withoutLedger.status, 2, withoutLedger.summary)
        XCTAssertEqual(withoutLedger.standardOutput, "", withoutLedger.summary)
        XCTAssertEqual(withoutLedger.standardError,
                       "error: --trust-anchor needs a ledger to verify: give --ledger PATH or set KEYLEDGER_LEDGER\n")
    }

    func testIssueFromVerifiedLedger() throws {
        let setup = try createTokenLedger()
        let ledger = setup.created.ledger
        let rendered = try keyledgerSucceeds(["jwks", "render", "--ledger", ledger, "--env", "production",
                                              "--trust-anchor", setup.created.trustAnchor])
        let jwks = try write("jwks.json", rendered.standardOutput)
        let issue = ["token", "issue", "--ledger", ledger, "--key", path("production.pem"), "--kid", setup.productionKeyID]

        let anchored = try keyledgerSucceeds(issue + ["--trust-anchor", setup.created.trustAnchor])
        XCTAssertEqual(anchored.outputLines.count, 1, anchored.summary)
        XCTAssertEqual(anchored.standardError, "", anchored.summary)
        let verified = try keyledger(["token", "verify", "--jwks", jwks, try XCTUnwrap(anchored.outputLines.first)])
        XCTAssertEqual(verified.status, 0, verified.summary)
        XCTAssertTrue(verified.standardOutput.hasPrefix("valid: EdDSA signature by kid \"\(setup.productionKeyID)\""), verified.summary)

        // Without a trust anchor the ledger is verified against its own genesis key, and the command prints a warning.
        let unanchored = try keyledgerSucceeds(issue)
        XCTAssertEqual(unanchored.outputLines.count, 1, unanchored.summary)
        XCTAssertTrue(unanchored.standardError.hasPrefix("warning: no trust anchor given"), unanchored.summary)
    }
    func testIssueRejectsKeyOutOfService() throws {
        let created = try createLedger()
        let common = ["--ledger", created.ledger, "--signing-key", created.signingKey]
        let keyID = try generateKeyUnderChange(created)
        let issue = ["token", "issue", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor,
                     "--key", path("api.pem"), "--kid", keyID]

        // Generated but not yet served, and then published: both may sign.
        XCTAssertEqual(try keyledger(issue).status, 0)
        try keyledgerSucceeds(["key", "publish", "--kid", keyID, "--env", "production", "--change", "CHG-1", "--actor", "tina"] + common)
        XCTAssertEqual(try keyledger(issue).status, 0)

        let rollback = try keyledgerSucceeds(["change", "rollback", "--id", "CHG-1", "--actor", "tina"] + common)
        // The rollback prints "entry N: rolled_back CHG-1 key KID" for the key.
        let rolledBackLine = try XCTUnwrap(rollback.standardError.split(separator: "\n").first { $0.contains(": rolled_back ") })
        let rolledBackAt = try XCTUnwrap(rolledBackLine.split(separator: ":").first)
        let run = try keyledger(issue)
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardOutput, "", "a token was printed")
        XCTAssertTrue(run.standardError.contains(
            "the token signing key (thumbprint \(keyID)) is out of service (rolled_back in \"production\" at \(rolledBackAt)): "), run.summary)
        XCTAssertTrue(run.standardError.contains("sign with a published key, see `keyledger key list`"), run.summary)
    }
}
