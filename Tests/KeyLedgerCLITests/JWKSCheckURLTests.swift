import Foundation
import XCTest

/// `keyledger jwks check --url` against a Python HTTP server on 127.0.0.1 that redirects.
final class JWKSCheckURLTests: CLITestCase {
    private var created: CreatedLedger!
    private var served: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        // keyledger-fetch gets this environment, and libcurl would send requests for 127.0.0.1 to a proxy named in it.
        let proxies = ProcessInfo.processInfo.environment.keys.filter { $0.lowercased().hasSuffix("_proxy") }
        if !proxies.isEmpty {
            throw XCTSkip("unset \(proxies.sorted().joined(separator: ", ")) to run the JWKS URL tests")
        }
        created = try createLedger()
        let common = ["--ledger", created.ledger, "--signing-key", created.signingKey]
        let kid = try generateKeyUnderChange(created)
        try keyledgerSucceeds(["key", "publish", "--kid", kid, "--env", "production", "--change", "CHG-1", "--actor", "tina"] + common)

        served = directory.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        let jwks = try keyledgerSucceeds(["jwks", "render", "--ledger", created.ledger, "--env", "production",
                                          "--trust-anchor", created.trustAnchor]).standardOutput
        try Data(jwks.utf8).write(to: served.appendingPathComponent("jwks.json"))
    }

    private func check(_ url: URL, json: Bool) throws -> ProgramRun {
        try keyledger(["jwks", "check", "--ledger", created.ledger, "--signing-key", created.signingKey, "--env", "production",
                       "--url", url.absoluteString, "--actor", "deploy-bot", "--timeout", "5"] + (json ? ["--json"] : []))
    }

    private func lastEntryBody() throws -> [String: Any] {
        try XCTUnwrap(try logEntries(created.ledger).last?["body"] as? [String: Any])
    }

    func testCheckRecordsFinalURLAfterRedirect() throws {
        let server = try TokenHTTPServer(serving: served, redirects: ["/moved": "/jwks.json"], for: self)
        let requested = server.url("moved")
        let final = server.url("jwks.json")

        let json = try check(requested, json: true)
        XCTAssertEqual(json.status, 0, json.summary)
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(result["url"] as? String, requested.absoluteString, json.summary)
        XCTAssertEqual(result["final_url"] as? String, final.absoluteString, json.summary)
        let body = try lastEntryBody()
        XCTAssertEqual(body["url"] as? String, requested.absoluteString)
        XCTAssertEqual(body["final_url"] as? String, final.absoluteString)

        let text = try check(requested, json: false)
        XCTAssertEqual(text.status, 0, text.summary)
        XCTAssertEqual(text.outputLines.first, "redirected: \(requested.absoluteString) was served from \(final.absoluteString)")

        // Without a redirect the final URL is recorded too, and no redirect line is printed.
        let direct = try check(final, json: false)
        XCTAssertEqual(direct.status, 0, direct.summary)
        XCTAssertFalse(direct.standardOutput.contains("redirected:"), direct.summary)
        XCTAssertEqual(try lastEntryBody()["final_url"] as? String, final.absoluteString)
    }

    func testCheckRejectsRedirectToOtherHost() throws {
        // "localhost" is a different host name from "127.0.0.1", so the fetch stops before connecting to it.
        let server = try TokenHTTPServer(serving: served, redirects: [:], for: self)
        let elsewhere = "http://localhost:\(server.port)/jwks.json"
        let redirecting = try TokenHTTPServer(serving: served, redirects: ["/elsewhere": elsewhere], for: self)
        let requested = redirecting.url("elsewhere")

        let run = try check(requested, json: false)

        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertTrue(run.standardOutput.hasPrefix("FAILED: could not read the JWKS from \(requested.absoluteString): "), run.summary)
        XCTAssertTrue(run.standardOutput.contains("redirected to \"\(elsewhere)\""), run.summary)
        XCTAssertTrue(run.standardOutput.contains("only to http or https on the same host"), run.summary)
        let entries = try logEntries(created.ledger)
        XCTAssertEqual(entries.last?["kind"] as? String, "verification_failed")
        let body = try lastEntryBody()
        XCTAssertEqual(body["url"] as? String, requested.absoluteString)
        XCTAssertNil(body["final_url"], "no response was read, so there is no final URL")
        XCTAssertTrue((body["error"] as? String)?.contains("redirected to \"\(elsewhere)\"") == true, "\(body)")
    }

    func testCheckRejectsRedirectWithCredentials() throws {
        // The --url option rejects a user name or password; a redirect must not bring one into the ledger either.
        let server = try TokenHTTPServer(serving: served, redirects: [:], for: self)
        let withCredentials = "http://deploy:hunter2@127.0.0.1:\(server.port)/jwks.json"
        let redirecting = try TokenHTTPServer(serving: served, redirects: ["/login": withCredentials], for: self)
        let requested = redirecting.url("login")

        let run = try check(requested, json: true)

        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertFalse(run.standardOutput.contains("hunter2"), run.summary)
        XCTAssertTrue(run.standardOutput.contains("with a user name or password (removed here)"), run.summary)
        let entries = try logEntries(created.ledger)
        XCTAssertEqual(entries.last?["kind"] as? String, "verification_failed")
        let body = try lastEntryBody()
        XCTAssertNil(body["final_url"], "the redirect was not followed, so there is no final URL")
        XCTAssertFalse(try keyledgerSucceeds(["log", "--ledger", created.ledger, "--json"]).standardOutput.contains("hunter2"))
    }
}
