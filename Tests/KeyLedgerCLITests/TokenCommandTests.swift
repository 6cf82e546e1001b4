import Foundation
import JOSE
import OpenSSLBridge
import TestSupport
import XCTest

/// One finished run of a program: exit status and both outputs.
struct TokenProgramRun {
    let command: [String]
    let status: Int32
    let standardOutput: String
    let standardError: String

    /// The command, status and outputs, for assertion messages.
    var summary: String {
        "$ \(command.joined(separator: " "))\nexit status \(status)\n--- stdout ---\n\(standardOutput)--- stderr ---\n\(standardError)"
    }
}

/// A failure of the test harness itself, such as a program that hangs.
struct TokenTestError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// A test case for the `token` commands: a fresh temporary directory, key
/// files in it, and a runner for the built `keyledger` binary.
class TokenCLITestCase: XCTestCase {
    private(set) var directory: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("keyledger-token-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let directory {
            try? FileManager.default.removeItem(at: directory)
        }
        try super.tearDownWithError()
    }

    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// Writes `text` to `name` in the test directory with `mode`, returning the path.
    @discardableResult
    func write(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
        let file = path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
        return file
    }

    /// Writes `key` as PKCS#8 PEM with mode 0600, returning the path.
    func writeKey(_ key: PrivateKey, _ name: String) throws -> String {
        try write(name, try key.pkcs8PEM())
    }

    /// Writes a JWK Set of the public halves of `keys`, each with its `kid`, returning the path.
    func writeJWKS(_ keys: [(kid: String, key: PrivateKey)], name: String = "jwks.json") throws -> String {
        let jwks = JWKS(keys: try keys.map { try JWK(publicKey: $0.key.publicKey(), keyID: $0.kid) })
        return try write(name, try JCS.canonicalString(jwks.jsonValue), mode: 0o644)
    }

    /// Runs the built `keyledger` with `arguments` in the test directory.
    func keyledger(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> TokenProgramRun {
        try runProgram(try BuiltProgram.url(named: "keyledger"), arguments, input: input, environment: environment)
    }

    /// Runs a program, failing the test if it runs longer than `timeout` seconds.
    ///
    /// The child gets this process's environment without proxy variables,
    /// so that requests to 127.0.0.1 never go through a proxy, and without
    /// KEYLEDGER_ variables, so that the developer's settings do not leak in.
    func runProgram(
        _ executable: URL,
        _ arguments: [String],
        input: String? = nil,
        environment: [String: String] = [:],
        timeout: TimeInterval = 30
    ) throws -> TokenProgramRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var childEnvironment = ProcessInfo.processInfo.environment.filter { name, _ in
            !name.lowercased().hasSuffix("_proxy") && !name.hasPrefix("KEYLEDGER_")
        }
        childEnvironment.merge(environment) { _, new in new }
        process.environment = childEnvironment

        // Files rather than pipes, so that no output can fill a pipe and block the program.
        let stem = UUID().uuidString
        let outputURL = directory.appendingPathComponent("\(stem).stdout")
        let errorURL = directory.appendingPathComponent("\(stem).stderr")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let outputHandle = try FileHandle(forWritingTo: outputURL)
        let errorHandle = try FileHandle(forWritingTo: errorURL)
        defer {
            try? outputHandle.close()
            try? errorHandle.close()
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }
        let inputPipe = Pipe()
        process.standardOutput = outputHandle
        process.standardError = errorHandle
        process.standardInput = inputPipe
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
        }
        try inputPipe.fileHandleForWriting.close()

        let command = [executable.lastPathComponent] + arguments
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            process.waitUntilExit()
            throw TokenTestError("\(command.joined(separator: " ")) did not finish within \(timeout) s and was stopped")
        }
        let output = try Data(contentsOf: outputURL)
        let error = try Data(contentsOf: errorURL)
        return TokenProgramRun(
            command: command,
            status: process.terminationStatus,
            standardOutput: String(decoding: output, as: UTF8.self),
            standardError: String(decoding: error, as: UTF8.self)
        )
    }

    /// Parses a program's standard output as one JSON value.
    func json(_ run: TokenProgramRun, file: StaticString = #filePath, line: UInt = #line) throws -> JSONValue {
        do {
            return try JSONValue(parsing: run.standardOutput.trimmingCharacters(in: .newlines))
        } catch {
            XCTFail("standard output is not JSON: \(error)\n\(run.summary)", file: file, line: line)
            throw error
        }
    }
}

/// Generated once per run, because RSA generation takes a noticeable time.
enum TokenTestKeys {
    static let rsa = generate(.rsa(bits: 2048))
    static let p256 = generate(.ec(.p256))
    static let p384 = generate(.ec(.p384))
    static let ed25519 = generate(.ed25519)

    private static func generate(_ spec: KeySpec) -> PrivateKey {
        do {
            return try PrivateKey.generate(spec)
        } catch {
            fatalError("could not generate a \(spec) test key: \(error)")
        }
    }
}

final class TokenCommandTests: TokenCLITestCase {
    private var issuedAt: Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }

    // MARK: - token issue

    func testIssueUsesDefaultAlgorithmForEachKeyType() throws {
        let cases: [(name: String, key: PrivateKey, algorithm: String)] = [
            ("rsa", TokenTestKeys.rsa, "RS256"),
            ("p256", TokenTestKeys.p256, "ES256"),
            ("p384", TokenTestKeys.p384, "ES384"),
            ("ed25519", TokenTestKeys.ed25519, "EdDSA"),
        ]
        let jwks = try writeJWKS(cases.map { ($0.name, $0.key) })
        for (name, key, algorithm) in cases {
            let keyPath = try writeKey(key, "\(name).pem")

            let issued = try keyledger(["token", "issue", "--key", keyPath, "--kid", name, "--claims", #"{"sub":"deploy-bot"}"#])
            XCTAssertEqual(issued.status, 0, issued.summary)
            XCTAssertEqual(issued.standardError, "", issued.summary)
            let lines = issued.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertEqual(lines.count, 2, "expected one line and a final newline\n\(issued.summary)")
            let token = String(lines[0])

            let header = try JSONValue(parsing: Base64URL.decode(token.split(separator: ".")[0]))
            XCTAssertEqual(header, ["alg": .string(algorithm), "kid": .string(name), "typ": "JWT"], name)
            let verified = try keyledger(["token", "verify", "--jwks", jwks, "--json", token])
            XCTAssertEqual(verified.status, 0, verified.summary)
            let result = try json(verified)
            XCTAssertEqual(result["valid"], true, name)
            XCTAssertEqual(result["claims"]?["sub"], "deploy-bot", name)
            XCTAssertEqual(result["header"]?["alg"], .string(algorithm), name)
            XCTAssertEqual(result["kid"], .string(name), name)
            XCTAssertEqual(result["key_thumbprint"], .string(try JWK(publicKey: key.publicKey()).thumbprint()), name)
        }
    }

    func testIssueSetsTimeClaimsFromTTL() throws {
        let keyPath = try writeKey(TokenTestKeys.p256, "key.pem")
        let cases: [(arguments: [String], ttl: Double)] = [([], 3600), (["--ttl", "60"], 60), (["--ttl", "31536000"], 31_536_000)]
        for (arguments, ttl) in cases {
            let before = issuedAt.timeIntervalSince1970

            let run = try keyledger(["token", "issue", "--key", keyPath, "--kid", "k"] + arguments)

            XCTAssertEqual(run.status, 0, run.summary)
            let token = run.standardOutput.trimmingCharacters(in: .newlines)
            let claims = try JSONValue(parsing: Base64URL.decode(token.split(separator: ".")[1]))
            let iat = try XCTUnwrap(claims["iat"]?.doubleValue, run.summary)
            XCTAssertEqual(claims["exp"]?.doubleValue, iat + ttl, run.summary)
            XCTAssertEqual(iat.rounded(.down), iat, "iat is whole seconds")
            XCTAssertGreaterThanOrEqual(iat, before)
            XCTAssertLessThanOrEqual(iat, before + 60)
            XCTAssertEqual(claims.objectValue?.count, 2, "only iat and exp without --claims\n\(run.summary)")
        }
    }

    func testIssueWithExplicitAlgorithm() throws {
        let keyPath = try writeKey(TokenTestKeys.rsa, "rsa.pem")
        let jwks = try writeJWKS([("rsa", TokenTestKeys.rsa)])
        for algorithm in ["RS256", "RS384", "RS512", "PS256"] {
            let issued = try keyledger(["token", "issue", "--key", keyPath, "--kid", "rsa", "--alg", algorithm])
            XCTAssertEqual(issued.status, 0, issued.summary)

            let verified = try keyledger(["token", "verify", "--jwks", jwks, "--json", issued.standardOutput.trimmingCharacters(in: .newlines)])

            XCTAssertEqual(verified.status, 0, verified.summary)
            XCTAssertEqual(try json(verified)["header"]?["alg"], .string(algorithm), verified.summary)
        }
    }

    func testIssueRejectsBadInput() throws {
        let rsaKey = try writeKey(TokenTestKeys.rsa, "rsa.pem")
        let openKey = try write("open.pem", try TokenTestKeys.p256.pkcs8PEM(), mode: 0o644)
        let cases: [(name: String, arguments: [String], message: String)] = [
            ("alg not fitting key", ["--key", rsaKey, "--kid", "k", "--alg", "ES256"], "--alg ES256 does not fit the RSA-2048 key"),
            ("unknown alg", ["--key", rsaKey, "--kid", "k", "--alg", "HS256"], "is not a supported algorithm"),
            ("claims not JSON", ["--key", rsaKey, "--kid", "k", "--claims", "sub=x"], "--claims is not valid JSON"),
            ("claims an array", ["--key", rsaKey, "--kid", "k", "--claims", "[1]"], "--claims must be a JSON object such as '{\"sub\":\"deploy-bot\"}', not an array"),
            ("claims a Boolean", ["--key", rsaKey, "--kid", "k", "--claims", "true"], "not a Boolean"),
            ("claims set exp", ["--key", rsaKey, "--kid", "k", "--claims", #"{"exp":1}"#], "--claims may not set \"exp\""),
            ("claims set iat", ["--key", rsaKey, "--kid", "k", "--claims", #"{"iat":1}"#], "--claims may not set \"iat\""),
            ("claims set nbf", ["--key", rsaKey, "--kid", "k", "--claims", #"{"nbf":1}"#], "--claims may not set \"nbf\""),
            ("ttl zero", ["--key", rsaKey, "--kid", "k", "--ttl", "0"], "--ttl \"0\" is not a whole number from 1 to 31536000"),
            ("ttl too long", ["--key", rsaKey, "--kid", "k", "--ttl", "31536001"], "from 1 to 31536000"),
            ("ttl not a number", ["--key", rsaKey, "--kid", "k", "--ttl", "1h"], "from 1 to 31536000"),
            ("missing kid", ["--key", rsaKey], "missing --kid"),
            ("empty kid", ["--key", rsaKey, "--kid", ""], "--kid is empty"),
            ("missing key", ["--kid", "k"], "missing --key"),
            ("key file absent", ["--key", path("absent.pem"), "--kid", "k"], "cannot read the key file"),
            ("key file readable by others", ["--key", openKey, "--kid", "k"], "chmod 600"),
        ]
        for (name, arguments, message) in cases {
            let run = try keyledger(["token", "issue"] + arguments)

            XCTAssertEqual(run.status, 2, "\(name)\n\(run.summary)")
            XCTAssertEqual(run.standardOutput, "", "\(name)\n\(run.summary)")
            XCTAssertTrue(run.standardError.contains(message), "\(name)\n\(run.summary)")
        }
    }

    func testIssueReadsEncryptedKeyWithPassphrase() throws {
        let keyPath = try write("encrypted.pem", try TokenTestKeys.ed25519.pkcs8PEM(passphrase: "correct horse"))

        let withPassphrase = try keyledger(["token", "issue", "--key", keyPath, "--kid", "k"], environment: ["KEYLEDGER_KEY_PASSPHRASE": "correct horse"])
        let without = try keyledger(["token", "issue", "--key", keyPath, "--kid", "k"])

        XCTAssertEqual(withPassphrase.status, 0, withPassphrase.summary)
        XCTAssertEqual(without.status, 2, without.summary)
        XCTAssertTrue(without.standardError.contains("KEYLEDGER_KEY_PASSPHRASE"), without.summary)
    }

    // MARK: - token verify

    func testVerifyPrintsHeaderAndClaims() throws {
        let jwks = try writeJWKS([("k1", TokenTestKeys.p256)])
        let token = try JWT.issue(claims: ["sub": "me"], key: TokenTestKeys.p256, algorithm: .es256, keyID: "k1", timeToLive: 600, issuedAt: issuedAt)

        let run = try keyledger(["token", "verify", "--jwks", jwks, token])

        XCTAssertEqual(run.status, 0, run.summary)
        let lines = run.standardOutput.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.hasPrefix(#"valid: ES256 signature by kid "k1", expires "#) ?? false, run.summary)
        XCTAssertEqual(Array(lines.dropFirst().prefix(6)), ["header:", "{", #"  "alg": "ES256","#, #"  "kid": "k1","#, #"  "typ": "JWT""#, "}"], run.summary)
        XCTAssertEqual(lines.dropFirst(7).first, "claims:", run.summary)
        XCTAssertTrue(lines.contains(#"  "sub": "me""#), run.summary)
    }

    func testVerifyReadsTokenFromStandardInput() throws {
        let jwks = try writeJWKS([("k1", TokenTestKeys.ed25519)])
        let token = try JWT.issue(key: TokenTestKeys.ed25519, algorithm: .edDSA, keyID: "k1", timeToLive: 600, issuedAt: issuedAt)

        let run = try keyledger(["token", "verify", "--jwks", jwks, "--json", "-"], input: token + "\n")

        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(try json(run)["valid"], true)
    }

    func testVerifyRejectsTokensWithReason() throws {
        let jwks = try writeJWKS([("k1", TokenTestKeys.p256), ("k2", TokenTestKeys.rsa)])
        let now = issuedAt
        let other = try PrivateKey.generate(.ec(.p256))
        func encoded(_ text: String) -> String {
            Base64URL.encode(Array(text.utf8))
        }
        let claims = encoded(#"{"exp":\#(Int(now.timeIntervalSince1970) + 600)}"#)
        let cases: [(name: String, token: String, code: String, message: String)] = [
            ("expired", try JWT.issue(key: TokenTestKeys.p256, algorithm: .es256, keyID: "k1", timeToLive: 60, issuedAt: now.addingTimeInterval(-120)),
             "expired", "the token expired at"),
            ("not yet valid", try JWT.issue(key: TokenTestKeys.p256, algorithm: .es256, keyID: "k1", timeToLive: 600,
                                            notBefore: now.addingTimeInterval(300), issuedAt: now),
             "notYetValid", "not valid before"),
            ("alg none", encoded(#"{"alg":"none"}"#) + "." + claims + ".", "unsecuredToken", "unsecured"),
            ("HS256", encoded(#"{"alg":"HS256","kid":"k1"}"#) + "." + claims + "." + encoded("mac"), "symmetricAlgorithm",
             "symmetric algorithms are not accepted for these keys"),
            ("unknown kid", try JWT.issue(key: TokenTestKeys.p256, algorithm: .es256, keyID: "k9", timeToLive: 60, issuedAt: now),
             "keyNotFound", #"no key in the JWK Set has kid "k9""#),
            ("RS256 header naming EC key", try JWT.issue(key: TokenTestKeys.rsa, algorithm: .rs256, keyID: "k1", timeToLive: 60, issuedAt: now),
             "algorithmMismatch", "does not fit"),
            ("wrong signer", try JWT.issue(key: other, algorithm: .es256, keyID: "k1", timeToLive: 60, issuedAt: now),
             "invalidSignature", "does not verify"),
            ("two parts", encoded(#"{"alg":"ES256"}"#) + "." + claims, "malformedToken", "found 2"),
        ]
        for (name, token, code, message) in cases {
            let text = try keyledger(["token", "verify", "--jwks", jwks, token])
            let json = try keyledger(["token", "verify", "--jwks", jwks, "--json", token])

            XCTAssertEqual(text.status, 1, "\(name)\n\(text.summary)")
            XCTAssertTrue(text.standardOutput.hasPrefix("INVALID (\(code)): "), "\(name)\n\(text.summary)")
            XCTAssertTrue(text.standardOutput.contains(message), "\(name)\n\(text.summary)")
            XCTAssertEqual(json.status, 1, "\(name)\n\(json.summary)")
            let result = try self.json(json)
            XCTAssertEqual(result["valid"], false, "\(name)\n\(json.summary)")
            XCTAssertEqual(result["error"]?["code"], .string(code), "\(name)\n\(json.summary)")
        }
    }

    func testVerifyLeewayAcceptsRecentlyExpiredToken() throws {
        let jwks = try writeJWKS([("k1", TokenTestKeys.p256)])
        let token = try JWT.issue(key: TokenTestKeys.p256, algorithm: .es256, keyID: "k1", timeToLive: 60, issuedAt: issuedAt.addingTimeInterval(-90))

        let strict = try keyledger(["token", "verify", "--jwks", jwks, token])
        let lenient = try keyledger(["token", "verify", "--jwks", jwks, "--leeway", "120", token])

        XCTAssertEqual(strict.status, 1, strict.summary)
        XCTAssertEqual(lenient.status, 0, lenient.summary)
    }

    func testVerifyRejectsBadInputWithStatus2() throws {
        let jwks = try writeJWKS([("k1", TokenTestKeys.p256)])
        let notJSON = try write("not-json.json", "keys: []", mode: 0o644)
        let noKeys = try write("no-keys.json", #"{"kid":"k1"}"#, mode: 0o644)
        let privateMember = try write("private.json", #"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#, mode: 0o644)
        let token = try JWT.issue(key: TokenTestKeys.p256, algorithm: .es256, keyID: "k1", timeToLive: 60, issuedAt: issuedAt)
        let cases: [(name: String, arguments: [String], message: String)] = [
            ("JWKS file absent", ["--jwks", path("absent.json"), token], "cannot read the JWK Set file"),
            ("JWKS not JSON", ["--jwks", notJSON, token], "is not valid JSON"),
            ("JWKS without keys", ["--jwks", noKeys, token], "\"keys\""),
            ("JWKS with a private key", ["--jwks", privateMember, token], "private key member"),
            ("no JWKS source", [token], "give --jwks or --jwks-url"),
            ("two JWKS sources", ["--jwks", jwks, "--jwks-url", "http://127.0.0.1:9/", token], "give only one of --jwks or --jwks-url"),
            ("timeout without URL", ["--jwks", jwks, "--timeout", "5", token], "--timeout applies only to --jwks-url"),
            ("missing token", ["--jwks", jwks], "missing TOKEN"),
            ("two tokens", ["--jwks", jwks, token, token], "give one TOKEN"),
            ("leeway negative", ["--jwks", jwks, "--leeway", "-1", token], "--leeway"),
            ("leeway too large", ["--jwks", jwks, "--leeway", "3601", token], "from 0 to 3600"),
        ]
        for (name, arguments, message) in cases {
            let run = try keyledger(["token", "verify"] + arguments)

            XCTAssertEqual(run.status, 2, "\(name)\n\(run.summary)")
            XCTAssertEqual(run.standardOutput, "", "\(name)\n\(run.summary)")
            XCTAssertTrue(run.standardError.contains(message), "\(name)\n\(run.summary)")
        }
    }

    func testVerifyEmptyStandardInputIsUsageError() throws {
        let jwks = try writeJWKS([("k1", TokenTestKeys.p256)])

        let run = try keyledger(["token", "verify", "--jwks", jwks, "-"], input: "\n")

        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.contains("standard input contains no token"), run.summary)
    }
}
