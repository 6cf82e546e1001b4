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
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keyledger-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let casesURL = directory.appendingPathComponent("cases.json")
        try Data(JCS.canonicalize(.array(cases))).write(to: casesURL)

        let result = try runPython([JOSEFixture.url("interop", "jose_interop.py").path, casesURL.path])

        if result.status == 2 || result.status == 127 {
            throw XCTSkip("python3 with jwcrypto and PyJWT is needed (pip install jwcrypto pyjwt): \(result.output)")
        }
        XCTAssertEqual(result.status, 0, result.output)
        let lines = result.output.split(separator: "\n")
        for algorithm in JWSAlgorithm.allCases {
            for check in ["jwcrypto thumbprint", "jwcrypto attached", "jwcrypto detached", "pyjwt attached", "pyjwt detached"] {
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
