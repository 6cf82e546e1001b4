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
        let shown = try keyledgerSucceeds(["signing-key", "show", "--ledger", path("other.db"), "--json"])
        var providerJWK = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])?["jwk"] as? [String: Any])
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
}
