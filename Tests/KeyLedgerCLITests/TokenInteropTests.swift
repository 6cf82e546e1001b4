import Foundation
import JOSE
import OpenSSLBridge
import XCTest

/// Exchanges JWTs between `keyledger token` and the Python libraries PyJWT
/// and jwcrypto, in both directions, with keys that keyledger generated.
final class TokenInteropTests: TokenCLITestCase {
    /// Signs one token per line of a JSON array of cases with PyJWT or
    /// jwcrypto and prints `name token` lines. Each case has "name",
    /// "library", "alg", "kid", "pem" (a PKCS#8 file) and "claims".
    /// Exits with status 2 if a library is missing.
    private static let signingScript = """
        import json, sys
        try:
            import jwt
            from jwcrypto import jwk, jwt as jwcrypto_jwt
        except ImportError as error:
            print(f"missing module: {error.name}")
            sys.exit(2)

        for case in json.load(open(sys.argv[1])):
            pem = open(case["pem"], "rb").read()
            if case["library"] == "pyjwt":
                token = jwt.encode(case["claims"], pem, algorithm=case["alg"], headers={"kid": case["kid"]})
            else:
                signed = jwcrypto_jwt.JWT(header={"alg": case["alg"], "kid": case["kid"]}, claims=case["claims"])
                signed.make_signed_token(jwk.JWK.from_pem(pem))
                token = signed.serialize()
            print(case["name"], token)
        """

    /// The keyledger-generated keys: file name stem, key, and the algorithms it signs with.
    private let keys: [(kid: String, key: PrivateKey, algorithms: [JWSAlgorithm])] = [
        ("rsa", TokenTestKeys.rsa, [.rs256, .rs384, .rs512, .ps256]),
        ("p256", TokenTestKeys.p256, [.es256]),
        ("p384", TokenTestKeys.p384, [.es384]),
        ("ed25519", TokenTestKeys.ed25519, [.edDSA]),
    ]

    func testPythonSignedTokensVerifyWithKeyledger() throws {
        let jwks = try writeJWKS(keys.map { ($0.kid, $0.key) })
        let now = Int(Date().timeIntervalSince1970)
        var cases: [JSONValue] = []
        for (kid, key, algorithms) in keys {
            let pem = try writeKey(key, "\(kid).pem")
            for algorithm in algorithms {
                for library in ["pyjwt", "jwcrypto"] {
                    cases.append([
                        "name": .string("\(library)-\(algorithm.rawValue)"),
                        "library": .string(library),
                        "alg": .string(algorithm.rawValue),
                        "kid": .string(kid),
                        "pem": .string(pem),
                        "claims": ["sub": .string("signed-by-\(library)"), "iat": .number(Double(now)), "exp": .number(Double(now + 300))],
                    ])
                }
            }
        }
        let casesFile = try write("cases.json", try JCS.canonicalString(.array(cases)))

        let signing = try runPython(["-c", Self.signingScript, casesFile])

        XCTAssertEqual(signing.status, 0, signing.summary)
        var tokens: [String: String] = [:]
        for line in signing.standardOutput.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 1).map(String.init)
            tokens[fields[0]] = fields.count == 2 ? fields[1] : ""
        }
        XCTAssertEqual(tokens.count, cases.count, signing.summary)
        for (name, token) in tokens.sorted(by: { $0.key < $1.key }) {
            let library = String(name.prefix { $0 != "-" })

            let run = try keyledger(["token", "verify", "--jwks", jwks, "--json", token])

            XCTAssertEqual(run.status, 0, "\(name)\n\(run.summary)")
            let result = try json(run)
            XCTAssertEqual(result["claims"]?["sub"], .string("signed-by-\(library)"), "\(name)\n\(run.summary)")
            XCTAssertEqual(result["header"]?["alg"], .string(String(name.dropFirst(library.count + 1))), "\(name)\n\(run.summary)")
        }
    }

    func testKeyledgerIssuedTokensVerifyWithPython() throws {
        let jwks = try JSONValue(parsing: Array(Data(contentsOf: URL(fileURLWithPath: try writeJWKS(keys.map { ($0.kid, $0.key) })))))
        var cases: [JSONValue] = []
        for (kid, key, algorithms) in keys {
            let pem = try writeKey(key, "\(kid).pem")
            for algorithm in algorithms {
                let run = try keyledger([
                    "token", "issue", "--key", pem, "--kid", kid, "--alg", algorithm.rawValue,
                    "--claims", #"{"sub":"issued-by-keyledger","scope":["read","write"]}"#, "--ttl", "300",
                ])
                XCTAssertEqual(run.status, 0, run.summary)
                let token = run.standardOutput.trimmingCharacters(in: .newlines)
                cases.append([
                    "alg": .string(algorithm.rawValue),
                    "token": .string(token),
                    "jwks": jwks,
                    "claims": try JSONValue(parsing: Base64URL.decode(token.split(separator: ".")[1])),
                ])
            }
        }
        let casesFile = try write("issued.json", try JCS.canonicalString(.array(cases)))
        // The checking script is shared with the JOSE module's interop test.
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("JOSETests/Fixtures/interop/jwt_interop.py")

        let check = try runPython([script.path, casesFile])

        XCTAssertEqual(check.status, 0, check.summary)
        for issued in cases {
            let algorithm = issued["alg"]?.stringValue ?? "?"
            for name in ["jwcrypto claims", "jwcrypto header", "pyjwt claims", "pyjwt header"] {
                XCTAssertTrue(check.standardOutput.contains("\(algorithm) \(name): ok"), "\(algorithm) \(name)\n\(check.summary)")
            }
        }
    }

    /// Runs python3, skipping the test when python3, PyJWT or jwcrypto is missing.
    private func runPython(_ arguments: [String]) throws -> TokenProgramRun {
        let run = try runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments)
        if run.status == 127 || (run.status == 2 && run.standardOutput.hasPrefix("missing module")) {
            throw XCTSkip("python3 with PyJWT and jwcrypto is needed (pip install pyjwt jwcrypto):\n\(run.summary)")
        }
        return run
    }
}
