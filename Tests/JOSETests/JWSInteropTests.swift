import Foundation
import JOSE
import OpenSSLBridge
import XCTest

/// Checks our JWS and thumbprints with two independent Python libraries,
/// jwcrypto and PyJWT, through `Fixtures/interop/jose_interop.py`.
final class JWSInteropTests: XCTestCase {
    func testPythonLibrariesVerifyEveryAlgorithm() throws {
        let payload = Array("{\"sequence\":7,\"kind\":\"rotation\"}".utf8)
        var cases: [JSONValue] = []
        for algorithm in JWSAlgorithm.allCases {
            let key = JOSETestKeys.key(for: algorithm)
            let jwk = try JWK(publicKey: key.publicKey(), keyID: "interop-\(algorithm.rawValue)")
            cases.append([
                "alg": .string(algorithm.rawValue),
                "jwk": jwk.jsonValue,
                "thumbprint": .string(try jwk.thumbprint()),
                "payload_b64url": .string(Base64URL.encode(payload)),
                "attached": .string(try JWS.sign(payload: payload, key: key, algorithm: algorithm, header: ["kid": .string(jwk.keyID!)])),
                "detached": .string(try JWS.signDetached(payload: payload, key: key, algorithm: algorithm, keyID: jwk.keyID!)),
            ])
        }

        try PythonInterop.assertChecksPass(
            script: "jose_interop.py", cases: cases,
            checks: ["jwcrypto thumbprint", "jwcrypto attached", "jwcrypto detached", "pyjwt attached", "pyjwt detached"]
        )
    }
}
