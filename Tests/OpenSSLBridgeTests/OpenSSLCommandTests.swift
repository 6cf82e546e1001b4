import OpenSSLBridge
import XCTest

/// Interoperability with the `openssl` command-line tool: it verifies our
/// signatures against our exported SubjectPublicKeyInfo, and we verify its
/// signatures made with our exported PKCS#8 key.
final class OpenSSLCommandTests: XCTestCase {
    private let message = Array("signed by keyledger, checked by openssl".utf8)

    func testOpenSSLVerifiesOurSignatures() throws {
        for key in TestKeys.all {
            for scheme in TestKeys.schemes(for: key) {
                let command = try OpenSSLCommand()
                defer { command.remove() }
                let publicKeyPath = try command.write("public.pem", Array(key.publicKey().spkiPEM().utf8))
                let messagePath = try command.write("message.bin", message)
                var signature = try key.sign(message, scheme: scheme)
                if case .ecdsa = scheme {
                    signature = TestSupport.derFromRawECDSA(signature)
                }
                let signaturePath = try command.write("signature.bin", signature)

                let result = try command.run(
                    verifyArguments(scheme: scheme, publicKey: publicKeyPath, signature: signaturePath, message: messagePath)
                )

                XCTAssertEqual(result.status, 0, "\(scheme) with \(key.spec): \(result.output)")
                XCTAssertTrue(result.output.contains("Verified"), "\(scheme) with \(key.spec): \(result.output)")
            }
        }
    }

    func testOpenSSLRejectsTamperedSignature() throws {
        let key = TestKeys.rsa2048
        let scheme = SignatureScheme.rsaPSS(.sha256)
        let command = try OpenSSLCommand()
        defer { command.remove() }
        var signature = try key.sign(message, scheme: scheme)
        signature[10] ^= 0x01
        let publicKeyPath = try command.write("public.pem", Array(key.publicKey().spkiPEM().utf8))
        let signaturePath = try command.write("signature.bin", signature)
        let messagePath = try command.write("message.bin", message)

        let result = try command.run(
            verifyArguments(scheme: scheme, publicKey: publicKeyPath, signature: signaturePath, message: messagePath)
        )

        XCTAssertNotEqual(result.status, 0, result.output)
    }

    func testWeVerifyOpenSSLSignatures() throws {
        for key in TestKeys.all {
            for scheme in TestKeys.schemes(for: key) {
                let command = try OpenSSLCommand()
                defer { command.remove() }
                let privateKeyPath = try command.write("private.pem", Array(key.pkcs8PEM().utf8))
                let messagePath = try command.write("message.bin", message)

                let result = try command.run(signArguments(scheme: scheme, privateKey: privateKeyPath, message: messagePath))
                var signature = try command.read("signature.bin")
                if case .ec(let curve) = key.spec {
                    signature = try TestSupport.rawFromDERECDSA(signature, coordinateByteCount: curve.coordinateByteCount)
                }

                XCTAssertEqual(result.status, 0, "\(scheme) with \(key.spec): \(result.output)")
                XCTAssertTrue(
                    try key.publicKey().verify(signature: signature, for: message, scheme: scheme),
                    "\(scheme) with \(key.spec)"
                )
            }
        }
    }

    private func verifyArguments(scheme: SignatureScheme, publicKey: String, signature: String, message: String) -> [String] {
        switch scheme {
        case .ed25519:
            return ["pkeyutl", "-verify", "-pubin", "-inkey", publicKey, "-rawin", "-in", message, "-sigfile", signature]
        default:
            return ["dgst", digestOption(scheme), "-verify", publicKey] + paddingOptions(scheme)
                + ["-signature", signature, message]
        }
    }

    private func signArguments(scheme: SignatureScheme, privateKey: String, message: String) -> [String] {
        switch scheme {
        case .ed25519:
            return ["pkeyutl", "-sign", "-inkey", privateKey, "-rawin", "-in", message, "-out", "signature.bin"]
        default:
            return ["dgst", digestOption(scheme), "-sign", privateKey] + paddingOptions(scheme)
                + ["-out", "signature.bin", message]
        }
    }

    private func digestOption(_ scheme: SignatureScheme) -> String {
        switch scheme.digest {
        case .sha256: "-sha256"
        case .sha384: "-sha384"
        case .sha512: "-sha512"
        case nil: ""
        }
    }

    private func paddingOptions(_ scheme: SignatureScheme) -> [String] {
        guard case .rsaPSS = scheme else {
            return []
        }
        return ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]
    }
}
