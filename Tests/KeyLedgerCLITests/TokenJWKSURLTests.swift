import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JOSE
import KeyLedger
import OpenSSLBridge
import TestSupport
import XCTest

/// Sockets on 127.0.0.1 for the JWKS URL tests.
enum TokenLoopback {
    /// Binds a TCP socket to 127.0.0.1 on a port the kernel picks.
    ///
    /// - Returns: The open socket and its port.
    static func bindEphemeralPort() throws -> (descriptor: Int32, port: UInt16) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else {
            throw TokenTestError("socket() failed: \(String(cString: strerror(errno)))")
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else {
            let message = String(cString: strerror(errno))
            close(descriptor)
            throw TokenTestError("binding to 127.0.0.1 failed: \(message)")
        }
        return (descriptor, UInt16(bigEndian: address.sin_port))
    }

    /// Returns a port on 127.0.0.1 that nothing listens on: bound once, then closed.
    static func closedPort() throws -> UInt16 {
        let (descriptor, port) = try bindEphemeralPort()
        close(descriptor)
        return port
    }

    /// Returns whether a TCP connection to 127.0.0.1:`port` succeeds.
    static func accepts(port: UInt16) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else {
            return false
        }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                connect(descriptor, socketAddress, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// A Python HTTP server on 127.0.0.1 that serves a directory and responds
/// to chosen paths with a 302 redirect. Three more paths misbehave:
/// `/basic-auth` returns 401 with a Basic challenge, `/trickle` sends a
/// 100-byte body one byte every 0.3 s, and `/stall` never responds. The test
/// that starts it stops it in its teardown.
final class TokenHTTPServer {
    /// `SimpleHTTPRequestHandler` plus a table of redirects. Arguments: the
    /// directory, the port and a JSON object from request path to Location.
    /// The server also exits when its standard input closes, so it stops
    /// even if the test process dies before its teardown runs.
    private static let script = """
        import functools, http.server, json, os, sys, threading, time
        root, port, redirects = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])

        def exit_when_parent_closes_stdin():
            sys.stdin.read()
            os._exit(0)

        threading.Thread(target=exit_when_parent_closes_stdin, daemon=True).start()

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/basic-auth":
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="jwks"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path == "/trickle":
                    self.send_response(200)
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    for _ in range(100):
                        try:
                            self.wfile.write(b" ")
                            self.wfile.flush()
                        except OSError:
                            return
                        time.sleep(0.3)
                    return
                if self.path == "/stall":
                    time.sleep(120)
                    return
                if self.path in redirects:
                    self.send_response(302)
                    self.send_header("Location", redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                super().do_GET()

            def log_message(self, format, *args):
                pass

        handler = functools.partial(Handler, directory=root)
        http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()
        """

    let port: UInt16
    private let process: Process

    /// Starts the server and waits until it accepts connections.
    ///
    /// - Parameters:
    ///   - root: The directory to serve.
    ///   - redirects: Request paths, such as "/old", and the Location each redirects to.
    ///   - testCase: The test whose teardown stops the server, whether the
    ///     test passes, fails or throws.
    init(serving root: URL, redirects: [String: String] = [:], for testCase: XCTestCase) throws {
        // A small race remains between closing this port and the server
        // binding it; another process taking it in between is unlikely.
        port = try TokenLoopback.closedPort()
        let redirectsJSON = try JCS.canonicalString(.object(redirects.mapValues(JSONValue.string)))
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, root.path, String(port), redirectsJSON]
        let lifeline = Pipe()
        process.standardInput = lifeline
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let process = process
        testCase.addTeardownBlock {
            try? lifeline.fileHandleForWriting.close()
            if process.isRunning {
                process.terminate()
            }
            process.waitUntilExit()
        }

        let deadline = Date().addingTimeInterval(10)
        while !TokenLoopback.accepts(port: port) {
            guard process.isRunning, Date() < deadline else {
                throw TokenTestError("the Python HTTP server did not start on 127.0.0.1:\(port)")
            }
            usleep(20_000)
        }
    }

    func url(_ path: String) -> URL {
        URL(string: "http://127.0.0.1:\(port)/\(path)")!
    }
}

final class TokenJWKSURLTests: TokenCLITestCase {
    private var served: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        // The fetcher tests run URLSession in this process, where libcurl
        // would send requests for 127.0.0.1 to a proxy named in the environment.
        let proxies = ProcessInfo.processInfo.environment.keys.filter { $0.lowercased().hasSuffix("_proxy") }
        if !proxies.isEmpty {
            throw XCTSkip("unset \(proxies.sorted().joined(separator: ", ")) to run the JWKS URL tests")
        }
        served = directory.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
    }

    private func serve(_ name: String, _ bytes: [UInt8]) throws {
        let file = served.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
    }

    private func jwksBytes(_ keys: [(kid: String, key: PrivateKey)]) throws -> [UInt8] {
        try JCS.canonicalize(JWKS(keys: try keys.map { try JWK(publicKey: $0.key.publicKey(), keyID: $0.kid) }).jsonValue)
    }

    private func token(kid: String = "k1") throws -> String {
        try JWT.issue(claims: ["sub": "over-http"], key: TokenTestKeys.p256, algorithm: .es256, keyID: kid, timeToLive: 600)
    }

    // MARK: - keyledger token verify --jwks-url

    func testVerifyFetchesJWKSFromURL() throws {
        let body = try jwksBytes([("k1", TokenTestKeys.p256), ("k2", TokenTestKeys.ed25519)])
        try serve("jwks.json", body)
        let server = try TokenHTTPServer(serving: served, for: self)
        let url = server.url("jwks.json").absoluteString

        let json = try keyledger(["token", "verify", "--jwks-url", url, "--json", try token()])
        let text = try keyledger(["token", "verify", "--jwks-url", url, try token()])

        XCTAssertEqual(json.status, 0, json.summary)
        let result = try self.json(json)
        XCTAssertEqual(result["claims"]?["sub"], "over-http", json.summary)
        XCTAssertEqual(result["jwks"]?["url"], .string(url), json.summary)
        XCTAssertEqual(result["jwks"]?["status"], 200, json.summary)
        XCTAssertEqual(result["jwks"]?["sha256"], .string(Self.hex(Digest.sha256(body))), json.summary)
        XCTAssertEqual(text.status, 0, text.summary)
        XCTAssertTrue(text.standardError.contains("fetched the JWK Set from \(url) (HTTP 200, \(body.count) bytes"), text.summary)
        XCTAssertTrue(text.standardOutput.hasPrefix(#"valid: ES256 signature by kid "k1""#), text.summary)
    }

    func testVerifyRejectsTokenWhoseKeyIsNotServed() throws {
        try serve("jwks.json", try jwksBytes([("k2", TokenTestKeys.ed25519)]))
        let server = try TokenHTTPServer(serving: served, for: self)

        let run = try keyledger(["token", "verify", "--jwks-url", server.url("jwks.json").absoluteString, try token()])

        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertTrue(run.standardOutput.hasPrefix("INVALID (keyNotFound): "), run.summary)
    }

    func testVerifyReportsHTTPStatus() throws {
        let server = try TokenHTTPServer(serving: served, for: self)

        let run = try keyledger(["token", "verify", "--jwks-url", server.url("missing.json").absoluteString, try token()])

        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardOutput, "", run.summary)
        XCTAssertTrue(run.standardError.contains("responded with HTTP status 404"), run.summary)
    }

    func testVerifyReportsServedFileThatIsNotJWKS() throws {
        try serve("index.html", Array("<html>keys</html>".utf8))
        let server = try TokenHTTPServer(serving: served, for: self)

        let run = try keyledger(["token", "verify", "--jwks-url", server.url("index.html").absoluteString, try token()])

        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.contains("is not valid JSON"), run.summary)
    }

    func testVerifyReportsUnreachableURL() throws {
        let port = try TokenLoopback.closedPort()
        let started = Date()

        let run = try keyledger(["token", "verify", "--jwks-url", "http://127.0.0.1:\(port)/jwks.json", "--timeout", "5", try token()])

        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardOutput, "", run.summary)
        XCTAssertTrue(run.standardError.contains("error: cannot connect to \"http://127.0.0.1:\(port)/jwks.json\""), run.summary)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "a refused connection should fail at once")
    }

    func testVerifyRejectsURLsOtherThanHTTP() throws {
        let cases: [(url: String, message: String)] = [
            ("file:///nonexistent/jwks.json", "http:// or https:// URL"),
            ("ftp://127.0.0.1/jwks.json", "http:// or https:// URL"),
            ("http://", "http:// or https:// URL"),
            ("not a url", "http:// or https:// URL"),
        ]
        for (url, message) in cases {
            let run = try keyledger(["token", "verify", "--jwks-url", url, try token()])

            XCTAssertEqual(run.status, 2, "\(url)\n\(run.summary)")
            XCTAssertTrue(run.standardError.contains(message), "\(url)\n\(run.summary)")
        }
    }

    // MARK: - JWKSFetcher

    /// Returns a fetcher that runs the `keyledger-fetch` program, as the CLI does.
    private func programFetcher(timeout: TimeInterval = 5) throws -> JWKSFetcher {
        let program = try BuiltProgram.url(named: FetchHelperTransport.programName)
        return JWKSFetcher(timeout: timeout, transport: FetchHelperTransport(executablePath: program.path))
    }

    func testFetcherReturnsBodyStatusAndDigest() throws {
        let body = try jwksBytes([("k1", TokenTestKeys.p256)])
        try serve("jwks.json", body)
        let server = try TokenHTTPServer(serving: served, for: self)

        let fetcher = try programFetcher()
        let response = try fetcher.fetch(server.url("jwks.json"))

        XCTAssertEqual(response.body, body)
        XCTAssertEqual(response.statusCode, 200)
        XCTAssertEqual(response.finalURL, server.url("jwks.json"))
        XCTAssertEqual(response.bodySHA256, Digest.sha256(body))
        XCTAssertEqual(response.bodySHA256Hex, Self.hex(Digest.sha256(body)))
    }

    func testFetcherFollowsRedirects() throws {
        let body = try jwksBytes([("k1", TokenTestKeys.p256)])
        try serve("keys/index.html", body)
        try serve("new.json", body)
        let server = try TokenHTTPServer(
            serving: served,
            redirects: ["/relative": "/new.json", "/chain": "/relative"],
            for: self
        )
        // The absolute redirect needs the port, which is known only now.
        let absoluteServer = try TokenHTTPServer(
            serving: served, redirects: ["/absolute": server.url("new.json").absoluteString], for: self
        )
        let cases: [(name: String, url: URL, finalURL: URL)] = [
            // SimpleHTTPRequestHandler redirects a directory to its path with
            // a slash ("Location: /keys/"), then serves its index.html.
            ("directory slash", server.url("keys"), server.url("keys/")),
            ("relative", server.url("relative"), server.url("new.json")),
            ("two redirects", server.url("chain"), server.url("new.json")),
            ("absolute to another port", absoluteServer.url("absolute"), server.url("new.json")),
        ]
        let fetcher = try programFetcher()
        for (name, url, finalURL) in cases {
            let response = try fetcher.fetch(url)

            XCTAssertEqual(response.finalURL, finalURL, name)
            XCTAssertEqual(response.body, body, name)
            XCTAssertEqual(response.statusCode, 200, name)
        }
    }

    func testFetcherRejectsRedirectToOtherScheme() throws {
        let server = try TokenHTTPServer(
            serving: served,
            redirects: ["/to-file": "file:///nonexistent/jwks.json", "/to-ftp": "ftp://127.0.0.1/jwks.json"],
            for: self
        )
        let fetcher = try programFetcher()
        for path in ["to-file", "to-ftp"] {
            XCTAssertThrowsError(try fetcher.fetch(server.url(path)), path) { error in
                XCTAssertEqual((error as? LedgerError)?.code, .fetchFailed, "\(path): \(error)")
                XCTAssertTrue("\(error)".contains("which is not allowed"), "\(path): \(error)")
            }
        }
    }

    func testFetcherRejectsNon2xxWithStatus() throws {
        let server = try TokenHTTPServer(serving: served, for: self)

        let fetcher = try programFetcher()
        XCTAssertThrowsError(try fetcher.fetch(server.url("missing.json"))) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .httpStatus, "\(error)")
            XCTAssertTrue("\(error)".contains("HTTP status 404"), "\(error)")
        }
    }

    func testFetcherBodySizeLimit() throws {
        try serve("limit.json", [UInt8](repeating: 0x20, count: JWKSFetcher.maximumBodyBytes))
        try serve("over.json", [UInt8](repeating: 0x20, count: JWKSFetcher.maximumBodyBytes + 1))
        let server = try TokenHTTPServer(serving: served, for: self)

        let fetcher = try programFetcher()
        let atLimit = try fetcher.fetch(server.url("limit.json"))

        XCTAssertEqual(atLimit.body.count, JWKSFetcher.maximumBodyBytes)
        XCTAssertThrowsError(try fetcher.fetch(server.url("over.json"))) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .responseTooLarge, "\(error)")
            XCTAssertTrue("\(error)".contains("limit of 1048576 bytes"), "\(error)")
        }
    }

    func testFetcherTimesOut() throws {
        // A listening socket that never accepts: the kernel completes the
        // connection, but no response ever comes.
        let (descriptor, port) = try TokenLoopback.bindEphemeralPort()
        defer { close(descriptor) }
        XCTAssertEqual(listen(descriptor, 4), 0)

        let fetcher = try programFetcher(timeout: 1)
        let started = Date()
        XCTAssertThrowsError(try fetcher.fetch(URL(string: "http://127.0.0.1:\(port)/jwks.json")!)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .fetchTimedOut, "\(error)")
            XCTAssertTrue("\(error)".contains("timed out after 1"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testBasicChallengeReportsItsStatus() throws {
        let server = try TokenHTTPServer(serving: served, for: self)
        let fetcher = try programFetcher(timeout: 10)
        let started = Date()

        XCTAssertThrowsError(try fetcher.fetch(server.url("basic-auth"))) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .httpStatus, "\(error)")
            XCTAssertTrue("\(error)".contains("HTTP status 401"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testTimeoutCoversSlowBody() throws {
        let server = try TokenHTTPServer(serving: served, for: self)
        let fetcher = try programFetcher(timeout: 1)
        let started = Date()

        XCTAssertThrowsError(try fetcher.fetch(server.url("trickle"))) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .fetchTimedOut, "\(error)")
        }
        // The body alone would take 30 s; the old limit was the timeout plus 5 s.
        XCTAssertLessThan(Date().timeIntervalSince(started), 4)
    }

    func testCredentialsInURLAreRejected() throws {
        let fetcher = try programFetcher()

        XCTAssertThrowsError(try fetcher.fetch(URL(string: "http://reader:s3cretpw@127.0.0.1:1/jwks.json")!)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .invalidInput, "\(error)")
            XCTAssertTrue("\(error)".contains("user name or password"), "\(error)")
            XCTAssertFalse("\(error)".contains("s3cretpw"), "\(error)")
        }
    }

    func testFetchProgramEndsWithItsParent() throws {
        let server = try TokenHTTPServer(serving: served, for: self)
        let program = try BuiltProgram.url(named: FetchHelperTransport.programName)
        // A stand-in parent: starts the program on a request that stalls,
        // prints the program's process id, and waits to be killed.
        let parentScript = """
            import json, os, subprocess, sys, time
            child = subprocess.Popen([sys.argv[1]], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
            request = {"url": sys.argv[2], "timeout_seconds": 60, "max_bytes": 1000, "parent_pid": os.getpid()}
            child.stdin.write(json.dumps(request).encode())
            child.stdin.close()
            print(child.pid, flush=True)
            time.sleep(120)
            """
        let python = try Program.require("python3", for: "stand in for keyledger as the parent of keyledger-fetch")
        let parent = try Program.start(python, ["-c", parentScript, program.path, server.url("stall").absoluteString])
        var childPID: Int32?
        let deadline = Date().addingTimeInterval(10)
        while childPID == nil, Date() < deadline {
            childPID = Int32(parent.standardOutputSoFar().trimmingCharacters(in: .whitespacesAndNewlines))
            usleep(50_000)
        }
        guard let childPID else {
            parent.killGroup()
            return XCTFail("the stand-in parent did not start keyledger-fetch")
        }
        // Let the program send its request and wait on the stalled server.
        usleep(500_000)
        XCTAssertTrue(Self.isRunning(childPID), "keyledger-fetch ended before its parent")

        // The parent alone: the program shares its process group.
        kill(parent.processIdentifier, SIGKILL)
        let ended = Date().addingTimeInterval(5)
        while Self.isRunning(childPID), Date() < ended {
            usleep(50_000)
        }
        XCTAssertFalse(Self.isRunning(childPID), "keyledger-fetch kept running after its parent was killed")
        _ = try? parent.wait(timeout: 10)
    }

    /// Returns whether `pid` is a process that has not exited. An exited one
    /// that no process has waited for yet (a zombie) counts as ended.
    private static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = stat.range(of: ") ", options: .backwards) else {
            return false
        }
        return !stat[afterName.upperBound...].hasPrefix("Z")
    }

    func testFetcherReportsClosedPort() throws {
        let port = try TokenLoopback.closedPort()

        let fetcher = try programFetcher()
        XCTAssertThrowsError(try fetcher.fetch(URL(string: "http://127.0.0.1:\(port)/")!)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .fetchFailed, "\(error)")
        }
    }

    func testMissingFetchProgramIsNotRecorded() throws {
        let missing = directory.appendingPathComponent("no-such-dir/keyledger-fetch").path
        let fetcher = JWKSFetcher(timeout: 5, transport: FetchHelperTransport(executablePath: missing))

        XCTAssertThrowsError(try fetcher.fetch(URL(string: "http://127.0.0.1:1/jwks.json")!)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .fetchHelperFailed, "\(error)")
            XCTAssertTrue("\(error)".contains(missing), "\(error)")
        }
        // A check must not record an endpoint failure when the fetch never ran.
        XCTAssertThrowsError(try JWKSObservation.fetch("http://127.0.0.1:1/jwks.json", with: fetcher)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .fetchHelperFailed, "\(error)")
        }
    }

    func testFetchProgramGetsNoPassphrase() throws {
        // A stand-in program that reports the passphrase variable it was given.
        let program = directory.appendingPathComponent("print-environment")
        try Data("""
            #!/bin/sh
            printf '{"error":"fetch_failed","message":"passphrase=%s"}' "${KEYLEDGER_KEY_PASSPHRASE-unset}"

            """.utf8).write(to: program)
        XCTAssertEqual(chmod(program.path, 0o700), 0)
        setenv("KEYLEDGER_KEY_PASSPHRASE", "correct horse battery staple", 1)
        defer { unsetenv("KEYLEDGER_KEY_PASSPHRASE") }

        let fetcher = JWKSFetcher(timeout: 5, transport: FetchHelperTransport(executablePath: program.path))
        XCTAssertThrowsError(try fetcher.fetch(URL(string: "http://127.0.0.1:1/jwks.json")!)) { error in
            XCTAssertEqual("\(error)", "passphrase=unset")
        }
    }

    func testProgramExitingEarlyIsAnError() throws {
        // Writing a request to a pipe that no process reads any more would raise
        // SIGPIPE, which ends the whole process, unless the request is in
        // the pipe before the program starts.
        let program = directory.appendingPathComponent("exit-at-once")
        try Data("#!/bin/sh\nexit 0\n".utf8).write(to: program)
        XCTAssertEqual(chmod(program.path, 0o700), 0)
        let fetcher = JWKSFetcher(timeout: 5, transport: FetchHelperTransport(executablePath: program.path))

        for _ in 0..<20 {
            XCTAssertThrowsError(try fetcher.fetch(URL(string: "http://127.0.0.1:1/jwks.json")!)) { error in
                XCTAssertEqual((error as? LedgerError)?.code, .fetchHelperFailed, "\(error)")
            }
        }
    }

    func testUnexpectedProgramOutputIsRejected() throws {
        let outputs: [String] = [
            "",
            "not json",
            #"{"status":200,"url":"http://127.0.0.1/","body":"!!"}"#,
            #"{"status":404,"url":"http://127.0.0.1/","body":""}"#,
            #"{"error":"integrity","message":"a code a fetch never reports"}"#,
            #"{"error":"fetch_failed"}"#,
        ]
        for output in outputs {
            XCTAssertThrowsError(try FetchHelperMessage.decode(Array(output.utf8), program: "keyledger-fetch")) { error in
                XCTAssertEqual((error as? LedgerError)?.code, .fetchHelperFailed, "\(output): \(error)")
            }
        }
        let failure = try FetchHelperMessage.encode(LedgerError(.httpStatus, "status 500"))
        XCTAssertThrowsError(try FetchHelperMessage.decode(Array(failure.utf8), program: "keyledger-fetch")) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .httpStatus, "\(error)")
            XCTAssertEqual("\(error)", "status 500")
        }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
