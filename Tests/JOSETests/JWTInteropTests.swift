import Foundation
import JOSE
import OpenSSLBridge
import XCTest

/// Checks that tokens from ``JWT/issue`` verify with two independent Python
/// libraries, jwcrypto and PyJWT, through `Fixtures/interop/jwt_interop.py`.
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

        try PythonInterop.assertChecksPass(
            script: "jwt_interop.py", cases: cases,
            checks: ["jwcrypto claims", "jwcrypto header", "pyjwt claims", "pyjwt header"]
        )
    }
}
