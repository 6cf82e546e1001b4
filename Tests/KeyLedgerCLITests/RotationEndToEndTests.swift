import Foundation
import TestSupport
import XCTest

/// The JWT signing-key rotation run command by command with the built
/// binary, as a deploy pipeline would, against a JWKS endpoint on 127.0.0.1.
final class RotationEndToEndTests: CLITestCase {
    private var server: LocalHTTPServer!
    private var environment: [String: String] = [:]

    override func setUpWithError() throws {
        try super.setUpWithError()
        let served = directory.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: served.appendingPathComponent("production"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: served.appendingPathComponent("staging"), withIntermediateDirectories: true)
        server = try LocalHTTPServer(self, directory: served)
        environment = ["KEYLEDGER_LEDGER": path("ledger.db"), "KEYLEDGER_SIGNING_KEY": path("ledger-key.pem")]
    }

    @discardableResult
    private func run(_ arguments: [String], expect status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> ProgramRun {
        let result = try keyledger(arguments, environment: environment)
        XCTAssertEqual(result.status, status, result.summary, file: file, line: line)
        return result
    }

    private func openAndStart(_ id: String, criticality: String = "C3") throws {
        var open = ["change", "open", "--id", id, "--summary", "Rotate the JWT signing key", "--technician", "tina",
                    "--reviewer", "rui", "--criticality", criticality, "--rollback-plan", "redeploy the previous credentials",
                    "--actor", "tina"]
        open += ["--window-start", "2020-01-01T00:00:00Z", "--window-end", "2099-01-01T00:00:00Z"]
        try run(open)
        try run(["change", "attest", "--id", id, "--item", "tested_in_staging", "--evidence", "staging run", "--actor", "tina"])
        var approve = ["change", "approve", "--id", id, "--actor", "rui"]
        if criticality == "C1" || criticality == "C2" { approve += ["--manager-approval", "maria"] }
        try run(approve)
        try run(["change", "start", "--id", id, "--actor", "tina"])
    }

    private func generate(_ env: String, change: String, file: String) throws -> String {
        let result = try run(["key", "generate", "--name", "sox_audit_events_jwt_signing_key", "--env", env,
                              "--out", path(file), "--change", change, "--actor", "tina",
                              "--custody", "credentials.yml.enc (\(env))"])
        let kid = result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(kid.count, 43, result.summary)
        return kid
    }

    /// Publishes what `jwks render` prints as the environment's served JWKS.
    private func deploy(_ env: String) throws {
        let rendered = try run(["jwks", "render", "--env", env]).standardOutput
        try server.serve("\(env)/jwks.json", rendered)
    }

    private func check(_ env: String, change: String, expect status: Int32 = 0) throws -> [String: Any] {
        let result = try run(["jwks", "check", "--env", env, "--url", server.url("\(env)/jwks.json"), "--change", change,
                              "--actor", "jwks-monitor", "--json"], expect: status)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any], result.summary)
    }

    private func keys() throws -> [[String: Any]] {
        try run(["key", "list", "--json"]).outputLines.map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    private func state(of kid: String, in env: String) throws -> String? {
        try keys().first { $0["kid"] as? String == kid && $0["env"] as? String == env }?["state"] as? String
    }

    func testRotationFromChangeToVerifiedLedger() throws {
        let anchor = try run(["init", "--generate-signing-key", "RS256", "--key-out", path("ledger-key.pem"), "--actor", "security-team"])
            .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)

        // The key in service before the rotation.
        try openAndStart("CHG-0990")
        let old = try generate("production", change: "CHG-0990", file: "old.pem")
        try run(["key", "publish", "--kid", old, "--env", "production", "--change", "CHG-0990", "--actor", "tina"])
        try deploy("production")
        XCTAssertEqual(try check("production", change: "CHG-0990")["matched"] as? Bool, true)
        try run(["change", "complete", "--id", "CHG-0990", "--actor", "tina"])

        // CHG-1001: new keys for staging and production.
        try openAndStart("CHG-1001", criticality: "C2")
        let staging = try generate("staging", change: "CHG-1001", file: "staging.pem")
        let production = try generate("production", change: "CHG-1001", file: "production.pem")
        for (kid, env) in [(staging, "staging"), (production, "production")] {
            try run(["key", "publish", "--kid", kid, "--env", env, "--change", "CHG-1001", "--actor", "tina"])
            try deploy(env)
            XCTAssertEqual(try check(env, change: "CHG-1001")["matched"] as? Bool, true)
        }
        XCTAssertEqual(try state(of: production, in: "production"), "verified")

        // A token signed with the new key verifies against the served JWKS.
        let token = try run(["token", "issue", "--key", path("production.pem"), "--kid", production,
                             "--claims", #"{"sub":"sox-audit-events-reporter"}"#, "--ttl", "300"])
            .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        try run(["token", "verify", "--jwks-url", server.url("production/jwks.json"), token])
        try run(["change", "attest", "--id", "CHG-1001", "--item", "monitoring", "--evidence", "401 rate 0.02% before and after",
                 "--actor", "tina"])
        try run(["change", "complete", "--id", "CHG-1001", "--actor", "tina"])

        // CHG-1002: the endpoint never serves the new key, so the change is rolled back.
        try openAndStart("CHG-1002", criticality: "C2")
        let extra = try generate("production", change: "CHG-1002", file: "extra.pem")
        try run(["key", "publish", "--kid", extra, "--env", "production", "--change", "CHG-1002", "--actor", "tina"])
        let failed = try check("production", change: "CHG-1002", expect: 1)
        XCTAssertEqual(failed["missing"] as? [String], [extra])
        try run(["change", "rollback", "--id", "CHG-1002", "--reason", "endpoint does not serve the key", "--actor", "tina"])
        XCTAssertEqual(try state(of: extra, in: "production"), "rolled_back")
        // Like every --json output, one key's record is one line.
        let keyShow = try run(["key", "show", "--kid", extra, "--env", "production", "--json"])
        XCTAssertEqual(keyShow.outputLines.count, 1, keyShow.summary)
        let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(keyShow.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(record["kid"] as? String, extra)
        let proven = try check("production", change: "CHG-1002")
        XCTAssertEqual(proven["absent_confirmed"] as? [String], [extra])

        // CHG-1003: retire the old key and prove it gone.
        try openAndStart("CHG-1003")
        try run(["key", "retire", "--kid", old, "--env", "production", "--change", "CHG-1003", "--actor", "tina"])
        try deploy("production")
        let retired = try check("production", change: "CHG-1003")
        XCTAssertEqual(Set(retired["absent_confirmed"] as? [String] ?? []), [old, extra])
        try run(["change", "complete", "--id", "CHG-1003", "--actor", "tina"])

        // The served production JWKS contains the new key and not the retired one.
        let served = try String(contentsOf: directory.appendingPathComponent("www/production/jwks.json"), encoding: .utf8)
        XCTAssertTrue(served.contains(production))
        XCTAssertFalse(served.contains(old))

        let change = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try run(["change", "show", "--id", "CHG-1002", "--json"]).standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(change["state"] as? String, "aborted")
        XCTAssertEqual(change["rolled_back"] as? Bool, true)

        let verify = try run(["verify", "--trust-anchor", anchor, "--json"])
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(verify.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(result["valid"] as? Bool, true, verify.summary)
        XCTAssertEqual(result["trust_anchor_checked"] as? Bool, true)

        try checkQuarterlyReport(anchor: anchor, keys: [old, staging, production, extra], rolledBack: extra)
    }

    /// Generates the report for the current quarter and checks its content.
    private func checkQuarterlyReport(anchor: String, keys: [String], rolledBack: String) throws {
        let today = ISO8601DateFormatter().string(from: Date())
        let month = Int(today.dropFirst(5).prefix(2)) ?? 1
        let period = "\(today.prefix(4))-Q\((month - 1) / 3 + 1)"
        try run(["report", "--period", period, "--format", "json", "--out", path("report"), "--trust-anchor", anchor,
                 "--actor", "auditor"])
        let reportFile = directory.appendingPathComponent("report/report-\(period).json")
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: reportFile)) as? [String: Any])

        let integrity = try XCTUnwrap(report["integrity"] as? [String: Any])
        XCTAssertEqual(integrity["valid"] as? Bool, true)
        XCTAssertEqual(integrity["trust_anchor_checked"] as? Bool, true)

        let population = try XCTUnwrap(report["population"] as? [String: Any])
        let changes = try XCTUnwrap(population["changes"] as? [String: Any])
        XCTAssertEqual(changes["total"] as? Int, 4)
        let keyRows = try XCTUnwrap(report["keys"] as? [[String: Any]])
        XCTAssertEqual(Set(keyRows.compactMap { $0["kid"] as? String }), Set(keys))
        for row in keyRows {
            let environment = try XCTUnwrap(row["env"] as? String)
            XCTAssertEqual(row["custody"] as? String, "credentials.yml.enc (\(environment))")
            XCTAssertNotNil(row["origin_change"] as? String)
        }

        let changeRows = try XCTUnwrap(report["changes"] as? [[String: Any]])
        let failed = try XCTUnwrap(changeRows.first { $0["id"] as? String == "CHG-1002" })
        XCTAssertEqual(failed["outcome"] as? String, "rolled_back")
        let rolledBackKeys = try XCTUnwrap(failed["rolled_back_keys"] as? [[String: Any]])
        XCTAssertEqual(rolledBackKeys.first?["kid"] as? String, rolledBack)
        XCTAssertNotNil(rolledBackKeys.first?["absence_confirmed"] as? [String: Any], "the rollback is proven by a JWKS check")

        XCTAssertEqual((report["exceptions"] as? [Any])?.count, 0, "\(report["exceptions"] ?? "")")
        XCTAssertEqual(try run(["log", "--kind", "report_generated"]).outputLines.count, 1)
    }

    func testRollbackOfRetirementRestoresKey() throws {
        let anchor = try run(["init", "--generate-signing-key", "ES256", "--key-out", path("ledger-key.pem"), "--actor", "security-team"])
            .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        try openAndStart("CHG-1")
        let old = try generate("production", change: "CHG-1", file: "old.pem")
        try run(["key", "publish", "--kid", old, "--env", "production", "--change", "CHG-1", "--actor", "tina"])
        try deploy("production")
        XCTAssertEqual(try check("production", change: "CHG-1")["matched"] as? Bool, true)
        try run(["change", "complete", "--id", "CHG-1", "--actor", "tina"])

        // CHG-2 swaps the old key for a new one, then is rolled back.
        try openAndStart("CHG-2")
        let new = try generate("production", change: "CHG-2", file: "new.pem")
        try run(["key", "publish", "--kid", new, "--env", "production", "--change", "CHG-2", "--actor", "tina"])
        try deploy("production")
        XCTAssertEqual(try check("production", change: "CHG-2")["matched"] as? Bool, true)
        try run(["key", "retire", "--kid", old, "--env", "production", "--change", "CHG-2", "--actor", "tina"])
        let rollback = try run(["change", "rollback", "--id", "CHG-2", "--reason", "clients rejected the new key", "--actor", "tina"])
        XCTAssertTrue(rollback.standardError.contains("restored CHG-2 key \(old) (back to verified)"), rollback.summary)
        XCTAssertEqual(try state(of: old, in: "production"), "verified")
        XCTAssertEqual(try state(of: new, in: "production"), "rolled_back")

        let rendered = try run(["jwks", "render", "--env", "production", "--trust-anchor", anchor])
        XCTAssertTrue(rendered.standardOutput.contains(old), rendered.summary)
        XCTAssertFalse(rendered.standardOutput.contains(new), rendered.summary)
        XCTAssertFalse(rendered.standardError.contains("warning"), rendered.summary)
        try deploy("production")
        let proven = try check("production", change: "CHG-2")
        XCTAssertEqual(proven["matched"] as? Bool, true)
        XCTAssertEqual(proven["absent_confirmed"] as? [String], [new])

        let log = try run(["log", "--kind", "change_rolled_back", "--json"]).outputLines
        let entry = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(log.first).utf8)) as? [String: Any])
        let body = try XCTUnwrap(entry["body"] as? [String: Any])
        let restored = try XCTUnwrap(body["restored"] as? [[String: Any]])
        XCTAssertEqual(restored.first?["kid"] as? String, old)
        XCTAssertEqual(restored.first?["state"] as? String, "verified")
        XCTAssertEqual(try run(["log", "--kind", "restored"]).outputLines.count, 1)
    }

    func testRollbackOutOfOrderRejected() throws {
        try run(["init", "--generate-signing-key", "ES256", "--key-out", path("ledger-key.pem"), "--actor", "security-team"])
        try openAndStart("CHG-1")
        let old = try generate("production", change: "CHG-1", file: "old.pem")
        try run(["key", "publish", "--kid", old, "--env", "production", "--change", "CHG-1", "--actor", "tina"])
        try deploy("production")
        XCTAssertEqual(try check("production", change: "CHG-1")["matched"] as? Bool, true)
        try run(["change", "complete", "--id", "CHG-1", "--actor", "tina"])
        try openAndStart("CHG-2")
        try run(["key", "retire", "--kid", old, "--env", "production", "--change", "CHG-2", "--actor", "tina"])

        let before = try logSnapshot(path("ledger.db"))
        let rejected = try run(["change", "rollback", "--id", "CHG-1", "--actor", "tina"], expect: 2)
        XCTAssertTrue(rejected.standardError.contains("was since retired by change CHG-2: roll back change CHG-2 first"), rejected.summary)
        XCTAssertEqual(try logSnapshot(path("ledger.db")), before, "a rejected rollback appended an entry")

        try run(["change", "rollback", "--id", "CHG-2", "--actor", "tina"])
        try run(["change", "rollback", "--id", "CHG-1", "--actor", "tina"])
        XCTAssertEqual(try state(of: old, in: "production"), "rolled_back")
    }

    func testRejectedStepsAppendNothing() throws {
        try run(["init", "--generate-signing-key", "ES256", "--key-out", path("ledger-key.pem"), "--actor", "security-team"])
        try run(["change", "open", "--id", "CHG-1", "--summary", "Rotate", "--technician", "tina", "--reviewer", "rui", "--actor", "tina"])
        let before = try logSnapshot(path("ledger.db"))
        let rejected: [([String], String)] = [
            (["change", "approve", "--id", "CHG-1", "--actor", "tina"], "technician"),
            (["key", "generate", "--name", "k", "--env", "production", "--out", path("k.pem"), "--change", "CHG-1", "--actor", "tina"], "approve"),
            (["change", "start", "--id", "CHG-1", "--actor", "tina"], "approve"),
            (["change", "complete", "--id", "CHG-1", "--actor", "tina"], "in_progress"),
            (["key", "publish", "--kid", "not-a-key", "--env", "production", "--change", "CHG-1", "--actor", "tina"], "not recorded"),
        ]
        for (arguments, fragment) in rejected {
            let result = try run(arguments, expect: 2)
            XCTAssertTrue(result.standardError.contains(fragment), result.summary)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("k.pem")), "a rejected generate left a key file")

        let privateJWK = #"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cLiNyYqArHkoVkMqL4ZM4A"}"#
        let jwkFile = try write("private.jwk", privateJWK)
        let imported = try run(["key", "import", "--name", "idp", "--env", "production", "--jwk", jwkFile, "--change", "CHG-1",
                                "--actor", "tina"], expect: 2)
        XCTAssertTrue(imported.standardError.contains("\"d\""), imported.summary)
        XCTAssertFalse(imported.standardError.contains("jpsQnnGQ"), "the error repeats the private value")

        let existing = try write("exists.pem", "keep")
        try run(["change", "approve", "--id", "CHG-1", "--actor", "rui"])
        try run(["change", "start", "--id", "CHG-1", "--actor", "tina"])
        let afterStart = try logSnapshot(path("ledger.db"))
        let overwrite = try run(["key", "generate", "--name", "k", "--env", "production", "--out", existing, "--change", "CHG-1",
                                 "--actor", "tina"], expect: 2)
        XCTAssertTrue(overwrite.standardError.contains("already exists"), overwrite.summary)
        XCTAssertEqual(try String(contentsOfFile: existing, encoding: .utf8), "keep")
        XCTAssertEqual(try logSnapshot(path("ledger.db")), afterStart)
        XCTAssertNotEqual(before, afterStart)
    }

    /// Creates the ledger and publishes one key in production under CHG-1, and returns its kid.
    private func publishOneKey() throws -> String {
        try run(["init", "--generate-signing-key", "EdDSA", "--key-out", path("ledger-key.pem"), "--actor", "security-team"])
        try openAndStart("CHG-1")
        let kid = try generate("production", change: "CHG-1", file: "production.pem")
        try run(["key", "publish", "--kid", kid, "--env", "production", "--change", "CHG-1", "--actor", "tina"])
        return kid
    }

    func testUnreadableEndpointRecordsFailedCheck() throws {
        _ = try publishOneKey()
        try server.serve("production/broken.json", "{\"keys\": [")
        let closedPortURL = "http://127.0.0.1:\(closedLocalPort())/jwks.json"
        let cases: [(url: String, cause: String)] = [
            (closedPortURL, "FAILED: could not read the JWKS from \(closedPortURL): "),
            (server.url("production/absent.json"), "FAILED: could not read the JWKS from \(server.url("production/absent.json")): "),
            (server.url("production/broken.json"), "FAILED: could not read the JWKS from \(server.url("production/broken.json")): the response is not a valid JWKS"),
        ]
        for (number, (url, cause)) in cases.enumerated() {
            let result = try run(["jwks", "check", "--env", "production", "--url", url, "--actor", "jwks-monitor", "--timeout", "3"],
                                 expect: 1)
            XCTAssertTrue(result.standardOutput.contains(cause), result.summary)
            XCTAssertFalse(result.standardOutput.contains("MISMATCH"), "nothing was served, so nothing differs\n\(result.summary)")
            XCTAssertFalse(result.standardOutput.contains("missing:"), "the unreadable endpoint is the error, not missing keys\n\(result.summary)")
            let entries = try run(["log", "--kind", "verification_failed", "--json"]).outputLines
            XCTAssertEqual(entries.count, number + 1)
            let recordedError = try recordedCheckError(entries.last)

            // The FAILED line on standard output carries the cause, so standard error does not repeat it.
            XCTAssertEqual(result.standardError, "", result.summary)
            let printed = result.standardOutput + result.standardError
            XCTAssertEqual(printed.components(separatedBy: recordedError).count - 1, 1,
                           "the cause \(recordedError) is not printed exactly once\n\(result.summary)")
        }

        // With --json the cause is the result's "error" member, and nothing goes to standard error.
        let json = try run(["jwks", "check", "--env", "production", "--url", closedPortURL, "--actor", "jwks-monitor",
                            "--timeout", "3", "--json"], expect: 1)
        XCTAssertEqual(json.standardError, "", json.summary)
        XCTAssertEqual(json.outputLines.count, 1, json.summary)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any], json.summary)
        XCTAssertEqual(object["matched"] as? Bool, false)
        let entries = try run(["log", "--kind", "verification_failed", "--json"]).outputLines
        XCTAssertEqual(entries.count, cases.count + 1)
        XCTAssertEqual(object["error"] as? String, try recordedCheckError(entries.last))
    }

    /// Returns the `error` member of a `verification_failed` entry printed by `log --json`.
    private func recordedCheckError(_ line: String?, file: StaticString = #filePath, lineNumber: UInt = #line) throws -> String {
        let text = try XCTUnwrap(line, "no verification_failed entry", file: file, line: lineNumber)
        let entry = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text, file: file, line: lineNumber)
        let body = try XCTUnwrap(entry["body"] as? [String: Any], text, file: file, line: lineNumber)
        let error = try XCTUnwrap(body["error"] as? String, "the entry records no error: \(text)", file: file, line: lineNumber)
        XCTAssertFalse(error.isEmpty, text, file: file, line: lineNumber)
        return error
    }

    func testCheckOfOneKeyMatches() throws {
        _ = try publishOneKey()
        try deploy("production")
        let result = try run(["jwks", "check", "--env", "production", "--url", server.url("production/jwks.json"), "--actor", "jwks-monitor"])
        XCTAssertTrue(result.standardOutput.contains("match: 1 expected key served (recorded as entry "), result.summary)
    }

    func testCheckRejectsUnknownEnvironment() throws {
        _ = try publishOneKey()
        try deploy("production")
        let before = try logSnapshot(path("ledger.db"))
        let result = try run(["jwks", "check", "--env", "prodution", "--url", server.url("production/jwks.json"), "--actor", "jwks-monitor"],
                             expect: 2)
        XCTAssertTrue(result.standardError.contains("no key was ever recorded in environment \"prodution\""), result.summary)
        XCTAssertTrue(result.standardError.contains("the environments with keys are production"), result.summary)
        XCTAssertEqual(result.standardOutput, "", result.summary)
        XCTAssertEqual(try logSnapshot(path("ledger.db")), before, "a rejected check appended an entry")

        // The environment is checked before the JWKS is read, so a missing file is not the error reported.
        let unread = try run(["jwks", "check", "--env", "prodution", "--file", path("no-such-jwks.json"), "--actor", "jwks-monitor"],
                             expect: 2)
        XCTAssertTrue(unread.standardError.contains("no key was ever recorded in environment \"prodution\""), unread.summary)
        XCTAssertFalse(unread.standardError.contains("no-such-jwks.json"), unread.summary)
    }
}
