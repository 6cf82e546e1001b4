import Foundation
import XCTest

/// Entry signatures and hashes checked by implementations that keyledger did
/// not write: the `openssl` command line, Python's jwcrypto and hashlib.
final class SignatureInteropTests: CLITestCase {
    func testRS256() throws { try checkEntries(algorithm: "RS256") }
    func testPS256() throws { try checkEntries(algorithm: "PS256") }
    func testES256() throws { try checkEntries(algorithm: "ES256") }
    func testES384() throws { try checkEntries(algorithm: "ES384") }
    func testEdDSA() throws { try checkEntries(algorithm: "EdDSA") }

    /// Creates a ledger signed with `algorithm`, appends to it, and checks every entry outside keyledger.
    private func checkEntries(algorithm: String) throws {
        let openssl = try Program.require("openssl", for: "verify entry signatures independently")
        let python = try Program.require("python3", for: "run Fixtures/check_entries.py")
        let sqlite = try Program.require("sqlite3", for: "read the stored canonical bytes")
        let script = try XCTUnwrap(Bundle.module.url(forResource: "check_entries", withExtension: "py", subdirectory: "Fixtures"),
                                   "Fixtures/check_entries.py is missing from the test bundle")

        let created = try createLedger(algorithm: algorithm)
        try append(created, kind: "x-published", body: #"{"kid":"2026-signing","jwks_uri":"https://example.com/jwks.json"}"#)
        try append(created, kind: "x-deploy", actor: "deploy-bot", body: #"{"ticket":"CHG-42","replicas":3,"ok":true,"notes":null}"#)

        let work = directory.appendingPathComponent("interop")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try keyledgerSucceeds(["log", "--ledger", created.ledger, "--json"]).standardOutput
            .write(to: work.appendingPathComponent("log.ndjson"), atomically: true, encoding: .utf8)
        try keyledgerSucceeds(["signing-key", "show", "--ledger", created.ledger, "--json"]).standardOutput
            .write(to: work.appendingPathComponent("signer.json"), atomically: true, encoding: .utf8)
        let columns = try Program.run(sqlite, ["-readonly", "-batch", created.ledger,
            "SELECT seq, hex(canonical), hex(prev_hash), hex(entry_hash), signature FROM entries ORDER BY seq"])
        XCTAssertEqual(columns.status, 0, columns.summary)
        XCTAssertEqual(columns.outputLines.count, 3, columns.summary)
        try columns.standardOutput.write(to: work.appendingPathComponent("columns.txt"), atomically: true, encoding: .utf8)

        let checks = try Program.run(python, [script.path, work.path])
        if checks.status == 3 {
            throw XCTSkip("python3 needs jwcrypto and cryptography (pip install jwcrypto cryptography): \(checks.standardOutput)")
        }
        XCTAssertEqual(checks.status, 0, "\(algorithm)\n\(checks.summary)")
        for sequence in 1...3 {
            for check in ["entry hash", "canonical form", "content equals log --json", "protected header", "jwcrypto detached JWS"] {
                XCTAssertTrue(checks.outputLines.contains("entry \(sequence) \(check): ok"),
                              "\(algorithm) entry \(sequence) \(check)\n\(checks.summary)")
            }
        }
        XCTAssertTrue(checks.outputLines.contains("jwcrypto thumbprint: ok"), checks.summary)

        // The public key from the ledger's JWK must be the one in the private key file.
        let publicKey = work.appendingPathComponent("public.pem").path
        let fromPrivateKey = try Program.run(openssl, ["pkey", "-in", created.signingKey, "-pubout"])
        XCTAssertEqual(fromPrivateKey.status, 0, fromPrivateKey.summary)
        XCTAssertEqual(fromPrivateKey.standardOutput, try String(contentsOfFile: publicKey, encoding: .utf8),
                       "\(algorithm): the JWK in the ledger is not the signing key's public key")

        for sequence in 1...3 {
            let input = work.appendingPathComponent("signing-input-\(sequence).txt").path
            let signature = work.appendingPathComponent("signature-\(sequence).bin").path
            let verified = try Program.run(openssl, Self.opensslVerify(algorithm, publicKey: publicKey, input: input, signature: signature))
            XCTAssertEqual(verified.status, 0, "\(algorithm) entry \(sequence)\n\(verified.summary)")
        }

        // The same command must reject a signing input that differs in one byte, or it proves nothing.
        let original = try Data(contentsOf: work.appendingPathComponent("signing-input-2.txt"))
        var altered = original
        altered[altered.count - 1] = altered[altered.count - 1] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let alteredInput = work.appendingPathComponent("altered-input.txt")
        try altered.write(to: alteredInput)
        let rejected = try Program.run(openssl, Self.opensslVerify(algorithm, publicKey: publicKey, input: alteredInput.path,
                                                                   signature: work.appendingPathComponent("signature-2.bin").path))
        XCTAssertNotEqual(rejected.status, 0, "\(algorithm): openssl accepted an altered signing input\n\(rejected.summary)")
    }

    /// Builds the `openssl` arguments that verify `signature` over the bytes in `input` (OpenSSL 3).
    static func opensslVerify(_ algorithm: String, publicKey: String, input: String, signature: String) -> [String] {
        switch algorithm {
        case "EdDSA":
            // Ed25519 signs the message itself, with no separate digest step.
            return ["pkeyutl", "-verify", "-pubin", "-inkey", publicKey, "-rawin", "-in", input, "-sigfile", signature]
        case "PS256":
            return ["dgst", "-sha256", "-verify", publicKey, "-sigopt", "rsa_padding_mode:pss",
                    "-sigopt", "rsa_pss_saltlen:digest", "-signature", signature, input]
        case "ES384":
            return ["dgst", "-sha384", "-verify", publicKey, "-signature", signature, input]
        default:
            return ["dgst", "-sha256", "-verify", publicKey, "-signature", signature, input]
        }
    }
}
