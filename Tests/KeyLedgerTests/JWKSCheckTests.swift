import Foundation
import JOSE
import KeyLedger
import TestSupport
import XCTest

/// JWKS checks against a real HTTP server on 127.0.0.1.
final class JWKSCheckTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var server: LocalHTTPServer!
    private var signingKey: SigningKey!
    private var ledger: Ledger!
    private let tom = StepContext(actor: "tom")

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        let served = directory.url.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        server = try LocalHTTPServer(self, directory: served)
        signingKey = try SigningKey.generate(.edDSA)
        ledger = try Ledger.create(at: directory.path("ledger.db"), signingKey: signingKey, actor: "init")
        try ledger.openChange(ChangeRequest(id: "CHG-1", summary: "Rotate", technician: "tom", reviewer: "rita"), context: tom, signingKey: signingKey)
        try ledger.approveChange(id: "CHG-1", context: StepContext(actor: "rita"), signingKey: signingKey)
        try ledger.startChange(id: "CHG-1", context: tom, signingKey: signingKey)
    }

    private func publishNewKey(_ algorithm: JWSAlgorithm = .rs256) throws -> String {
        let request = KeyGenerationRequest(name: "api", environment: "production", algorithm: algorithm,
                                           outputPath: directory.path("\(UUID().uuidString).pem"), change: "CHG-1")
        let kid = try ledger.generateKey(request, context: tom, signingKey: signingKey).keyID!
        try ledger.publishKey(id: kid, environment: "production", change: "CHG-1", context: tom, signingKey: signingKey)
        return kid
    }

    private func check(_ name: String = "jwks.json") throws -> JWKSCheckResult {
        try ledger.checkJWKS(environment: "production", observation: JWKSObservation.fetch(server.url(name), with: try programFetcher(timeout: 5)),
                             change: "CHG-1", context: StepContext(actor: "monitor"), signingKey: signingKey)
    }

    private func serve(_ keys: [JWK]) throws {
        try server.serve("jwks.json", JWKS(keys: keys).jsonValue.serialized(pretty: true))
    }

    func testMatchingJWKSVerifiesKeys() throws {
        let kid = try publishNewKey()
        try server.serve("jwks.json", ledger.expectedJWKS(environment: "production").jsonValue.serialized(pretty: true))
        let result = try check()
        XCTAssertTrue(result.matched)
        XCTAssertEqual(result.expected, [kid])
        XCTAssertEqual(result.entries.map(\.kind), [.verified, .jwksChecked])
        XCTAssertEqual(result.entries.last?.body["url"]?.stringValue, server.url("jwks.json"))
        XCTAssertEqual(result.entries.last?.body["final_url"]?.stringValue, server.url("jwks.json"))
        XCTAssertEqual(result.entries.last?.body["jwks_sha256"]?.stringValue?.count, 64)
        XCTAssertEqual(try ledger.key(id: kid, environment: "production")?.state, .verified)
    }

    func testComparisonUsesThumbprintNotKid() throws {
        let kid = try publishNewKey(.es256)
        var jwk = try XCTUnwrap(ledger.expectedJWKS(environment: "production").keys.first)
        jwk.keyID = "a-provider-chosen-kid"
        try serve([jwk])
        let result = try check()
        XCTAssertTrue(result.matched)
        XCTAssertEqual(result.served, [kid])
    }

    func testMissingKeyFailsCheck() throws {
        let kid = try publishNewKey()
        try serve([])
        let result = try check()
        XCTAssertFalse(result.matched)
        XCTAssertEqual(result.missing, [kid])
        XCTAssertEqual(result.entries.map(\.kind), [.verificationFailed])
        XCTAssertEqual(try ledger.key(id: kid, environment: "production")?.state, .published)
    }

    func testUnexpectedKeyFailsCheck() throws {
        _ = try publishNewKey()
        let stranger = try SigningKey.generate(.es256).publicJWK
        var served = try ledger.expectedJWKS(environment: "production").keys
        served.append(stranger)
        try serve(served)
        let result = try check()
        XCTAssertFalse(result.matched)
        XCTAssertEqual(result.unexpected, [try stranger.thumbprint()])
        XCTAssertEqual(result.entries.map(\.kind), [.verified, .verificationFailed])
    }

    func testRolledBackKeyStillServedFailsCheck() throws {
        let kid = try publishNewKey()
        let stale = try ledger.expectedJWKS(environment: "production")
        try ledger.rollbackChange(id: "CHG-1", context: tom, signingKey: signingKey)
        try serve(stale.keys)
        let stillServed = try check()
        XCTAssertFalse(stillServed.matched)
        XCTAssertEqual(stillServed.unexpected, [kid])
        XCTAssertEqual(stillServed.absentConfirmed, [])

        try serve([])
        let gone = try check()
        XCTAssertTrue(gone.matched)
        XCTAssertEqual(gone.absentConfirmed, [kid])
        XCTAssertEqual(gone.entries.last?.body["absent_confirmed"], .array([.string(kid)]))
    }

    func testUnreachableEndpointRecordsFailure() throws {
        _ = try publishNewKey()
        let observation = try JWKSObservation.fetch("http://127.0.0.1:\(closedLocalPort())/jwks.json", with: try programFetcher(timeout: 3))
        XCTAssertNil(observation.body)
        let result = try ledger.checkJWKS(environment: "production", observation: observation, context: tom, signingKey: signingKey)
        XCTAssertFalse(result.matched)
        XCTAssertNotNil(result.error)
        XCTAssertEqual(result.entries.map(\.kind), [.verificationFailed])
        XCTAssertNotNil(result.entries.last?.body["error"]?.stringValue)
    }

    /// An HTTPS endpoint whose self-signed certificate no trust store
    /// contains: the failure names TLS and how to make the CA trusted.
    func testUntrustedCertificateNamesTLSAndFix() throws {
        _ = try publishNewKey()
        let served = directory.url.appendingPathComponent("tls-www")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        let httpsServer = try LocalHTTPServer(self, directory: served, selfSignedTLSIn: directory.url)
        try httpsServer.serve("jwks.json", JWKS(keys: []).jsonValue.serialized(pretty: true))

        let observation = try JWKSObservation.fetch(httpsServer.url("jwks.json"), with: try programFetcher(timeout: 5))
        XCTAssertNil(observation.body)
        let result = try ledger.checkJWKS(environment: "production", observation: observation, context: tom, signingKey: signingKey)
        XCTAssertFalse(result.matched)
        let error = try XCTUnwrap(result.error)
        XCTAssertTrue(error.contains("the TLS connection to \"\(httpsServer.url("jwks.json"))\" failed"), error)
        XCTAssertTrue(error.contains("update-ca-certificates"), error)
        XCTAssertEqual(result.entries.map(\.kind), [.verificationFailed])
    }

    func testNotFoundResponseRecordsFailure() throws {
        _ = try publishNewKey()
        let result = try check("missing.json")
        XCTAssertFalse(result.matched)
        XCTAssertTrue(result.error?.contains("404") ?? false, "\(String(describing: result.error))")
    }

    func testResponseThatIsNotJWKSRecordsFailure() throws {
        _ = try publishNewKey()
        try server.serve("jwks.json", "<html>maintenance</html>")
        let result = try check()
        XCTAssertFalse(result.matched)
        XCTAssertTrue(result.error?.contains("not a valid JWKS") ?? false, "\(String(describing: result.error))")
    }

    func testCheckRejectsEnvironmentWithoutKeys() throws {
        let before = try ledger.head()?.sequence
        let observation = JWKSObservation(source: .file("jwks.json"), body: Array(#"{"keys":[]}"#.utf8))
        XCTAssertThrowsError(try ledger.checkJWKS(environment: "production", observation: observation, context: tom, signingKey: signingKey)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .notFound)
            XCTAssertTrue("\(error)".contains("nor in any other: generate or import a key first"), "\(error)")
        }

        _ = try publishNewKey()
        let afterPublish = try ledger.head()?.sequence
        XCTAssertThrowsError(try ledger.checkJWKS(environment: "prodution", observation: observation, context: tom, signingKey: signingKey)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .notFound)
            XCTAssertTrue("\(error)".contains("environment \"prodution\": check --env, the environments with keys are production"), "\(error)")
        }
        XCTAssertNoThrow(try ledger.checkEnvironmentHasKeys("production"))
        XCTAssertThrowsError(try ledger.checkEnvironmentHasKeys("prodution")) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .notFound)
        }
        XCTAssertNotEqual(before, afterPublish)
        XCTAssertEqual(try ledger.head()?.sequence, afterPublish, "a rejected check appended an entry")
    }

    func testProviderJWKSImportsAndChecksCleanly() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/jwks")
        for name in ["jwks_google.json", "jwks_gitlab.json", "jwks_github_actions.json", "jwks_microsoft_azure_ad_v2.json"] {
            let document = try Data(contentsOf: fixtures.appendingPathComponent(name))
            let environment = name.replacingOccurrences(of: ".json", with: "").replacingOccurrences(of: "jwks_", with: "")
            let keys = try KeyImportFormat.jwks.keys(from: Array(document), source: name)
            try ledger.importKeys(keys, name: "idp", environment: environment, change: "CHG-1", source: name,
                                  context: tom, signingKey: signingKey)
            // Imported keys are recorded, not yet published: an endpoint serving them is unexpected until they are.
            for key in keys {
                try ledger.publishKey(id: key.thumbprint(), environment: environment, change: "CHG-1", context: tom, signingKey: signingKey)
            }
            try server.serve("provider.json", String(decoding: document, as: UTF8.self))
            let result = try ledger.checkJWKS(environment: environment, observation: JWKSObservation.fetch(server.url("provider.json"), with: try programFetcher()),
                                              context: tom, signingKey: signingKey)
            XCTAssertTrue(result.matched, "\(name): missing \(result.missing), unexpected \(result.unexpected)")
            XCTAssertEqual(result.expected.count, keys.count, name)
        }
        XCTAssertNil(try ledger.verify(VerifyOptions(trustAnchor: signingKey.keyID)).failure)
    }

    /// Returns a fetcher that runs the `keyledger-fetch` program, as the CLI does.
    private func programFetcher(timeout: TimeInterval = 10) throws -> JWKSFetcher {
        let program = try BuiltProgram.url(named: FetchHelperTransport.programName)
        return JWKSFetcher(timeout: timeout, transport: FetchHelperTransport(executablePath: program.path))
    }
}

/// A transport that reports a fixed final URL, as a transport that followed a redirect would.
private struct RedirectedTransport: JWKSTransport {
    let finalURL: URL

    func download(_ url: URL, timeout: TimeInterval, maximumBytes: Int) throws -> JWKSDownload {
        JWKSDownload(body: Array(#"{"keys":[]}"#.utf8), statusCode: 200, finalURL: finalURL)
    }
}

final class JWKSFetcherHostTests: XCTestCase {
    func testFetcherChecksFinalHostOfAnyTransport() throws {
        let requested = try XCTUnwrap(URL(string: "http://127.0.0.1:8080/jwks.json"))
        let cases: [(name: String, finalURL: String, allowed: Bool)] = [
            ("same URL", "http://127.0.0.1:8080/jwks.json", true),
            ("other port and path", "https://127.0.0.1:8443/keys/", true),
            ("other host", "http://localhost:8080/jwks.json", false),
        ]
        for (name, finalURL, allowed) in cases {
            let fetcher = JWKSFetcher(transport: RedirectedTransport(finalURL: try XCTUnwrap(URL(string: finalURL))))
            if allowed {
                XCTAssertEqual(try fetcher.fetch(requested).finalURL.absoluteString, finalURL, name)
            } else {
                XCTAssertThrowsError(try fetcher.fetch(requested), name) { error in
                    XCTAssertEqual((error as? LedgerError)?.code, .fetchFailed, name)
                    XCTAssertTrue("\(error)".contains("on the same host"), "\(name): \(error)")
                }
            }
        }
    }
}
