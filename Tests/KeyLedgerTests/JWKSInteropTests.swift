import Foundation
import JOSE
import KeyLedger
import XCTest

/// Keys, JWKS documents and tokens produced by keyledger, checked with
/// Python's jwcrypto and PyJWT, which this project did not write.
final class JWKSInteropTests: XCTestCase {
    private static let script = #"""
    import json, sys, time
    import jwt
    from jwcrypto import jwk

    request = json.load(sys.stdin)
    jwks_text = request["jwks"]
    results = {}

    # jwcrypto reads the key set and computes the same RFC 7638 thumbprints.
    key_set = jwk.JWKSet.from_json(jwks_text)
    results["jwcrypto_thumbprints"] = sorted(key.thumbprint() for key in key_set)

    # PyJWT reads the key set and verifies keyledger's token with it.
    pyjwt_set = jwt.PyJWKSet.from_json(jwks_text)
    header = jwt.get_unverified_header(request["token"])
    signing_key = pyjwt_set[header["kid"]]
    claims = jwt.decode(request["token"], signing_key.key, algorithms=[header["alg"]], audience="sox-audit-events")
    results["pyjwt_sub"] = claims["sub"]

    # PyJWT signs a token with the private key keyledger generated.
    private_pem = open(request["private_key_path"], "rb").read()
    now = int(time.time())
    results["pyjwt_token"] = jwt.encode({"sub": "signed-by-pyjwt", "iat": now, "exp": now + 300},
                                        private_pem, algorithm=request["alg"], headers={"kid": request["kid"]})
    print(json.dumps(results))
    """#

    private func runPython(_ request: [String: String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: request))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if errorText.contains("ModuleNotFoundError") {
            throw XCTSkip("python3 lacks jwcrypto or pyjwt: \(errorText)")
        }
        XCTAssertEqual(process.terminationStatus, 0, errorText)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], errorText)
    }

    func testPythonAcceptsLedgerKeysJWKSAndTokens() throws {
        let directory = try TemporaryDirectory(self)
        let signingKey = try SigningKey.generate(.edDSA)
        let ledger = try Ledger.create(at: directory.path("ledger.db"), signingKey: signingKey, actor: "init")
        let tom = StepContext(actor: "tom")
        try ledger.openChange(ChangeRequest(id: "CHG-1", summary: "Interop", technician: "tom", reviewer: "rita"), context: tom, signingKey: signingKey)
        try ledger.approveChange(id: "CHG-1", context: StepContext(actor: "rita"), signingKey: signingKey)
        try ledger.startChange(id: "CHG-1", context: tom, signingKey: signingKey)

        for algorithm in [JWSAlgorithm.rs256, .ps256, .es256, .es384, .edDSA] {
            let environment = "env-\(algorithm.rawValue.lowercased())"
            let keyPath = directory.path("\(algorithm.rawValue).pem")
            let request = KeyGenerationRequest(name: "api", environment: environment, algorithm: algorithm,
                                               outputPath: keyPath, change: "CHG-1")
            let kid = try XCTUnwrap(ledger.generateKey(request, context: tom, signingKey: signingKey).keyID)
            try ledger.publishKey(id: kid, environment: environment, change: "CHG-1", context: tom, signingKey: signingKey)
            let jwks = try ledger.expectedJWKS(environment: environment)
            let privateKey = try KeyFile.loadPrivateKey(path: keyPath)
            let token = try JWT.issue(claims: ["sub": "issued-by-keyledger", "aud": "sox-audit-events"],
                                      key: privateKey, algorithm: algorithm, keyID: kid, timeToLive: 300)

            let results = try runPython([
                "jwks": try jwks.jsonValue.serialized(pretty: false), "token": token,
                "private_key_path": keyPath, "alg": algorithm.rawValue, "kid": kid,
            ])
            XCTAssertEqual(results["jwcrypto_thumbprints"] as? [String], [kid], algorithm.rawValue)
            XCTAssertEqual(results["pyjwt_sub"] as? String, "issued-by-keyledger", algorithm.rawValue)

            let pythonToken = try XCTUnwrap(results["pyjwt_token"] as? String, algorithm.rawValue)
            let verified = try JWTValidator(keySet: jwks).validate(pythonToken)
            XCTAssertEqual(verified.claims["sub"]?.stringValue, "signed-by-pyjwt", algorithm.rawValue)
        }
    }
}
