import Foundation
import JOSE
import OpenSSLBridge
import XCTest

/// Checks that tokens from ``JWT/issue`` verify with two independent Python
/// libraries, jwcrypto and PyJWT, through `Fixtures/jwt/jwt_interop.py`.
final class JWTInteropTests: XCTestCase {
    func testPythonLibrariesVerifyIssuedTokens() throws {
        let issuedAt = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        var cases: [JSONValue] = []
        for algorithm in JWSAlgorithm.allCases {
            let key = JOSETestKeys.key(for: algorithm)
            let keyID = "interop-\(algorithm.rawValue)"
            // A second key in the set makes each library select by kid.
            let decoy = try JWTTestSupport.jwk(JOSETestKeys.ecP384, kid: "decoy")
            let keySet = JWKS(keys: [decoy, try JWTTestSupport.jwk(key, kid: keyID)])
            let token = try JWT.issue(
                claims: ["sub": "deploy-bot", "aud": "keyledger-tests"],
                key: key, algorithm: algorithm, keyID: keyID,
                timeToLive: 300, issuedAt: issuedAt
            )
            cases.append([
                "alg": .string(algorithm.rawValue),
                "token": .string(token),
                "jwks": keySet.jsonValue,
                "claims": try JWTTestSupport.decodedPart(token, 1),
            ])
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keyledger-jwt-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let casesURL = directory.appendingPathComponent("cases.json")
        try Data(JCS.canonicalize(.array(cases))).write(to: casesURL)

        let result = try runPython([JOSEFixture.url("jwt", "jwt_interop.py").path, casesURL.path])

        if result.status == 2 || result.status == 127 {
            throw XCTSkip("python3 with jwcrypto and PyJWT is needed (pip install jwcrypto pyjwt): \(result.output)")
        }
        XCTAssertEqual(result.status, 0, result.output)
        let lines = result.output.split(separator: "\n")
        for algorithm in JWSAlgorithm.allCases {
            for check in ["jwcrypto claims", "jwcrypto header", "pyjwt claims", "pyjwt header"] {
                XCTAssertTrue(lines.contains("\(algorithm.rawValue) \(check): ok"), "\(algorithm.rawValue) \(check):\n\(result.output)")
            }
        }
    }

    private func runPython(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
