import OpenSSLBridge
import XCTest

/// A `SignatureVerifier` verifies over a digest with `EVP_PKEY_verify`
/// instead of `EVP_DigestVerify`, and must give the result that
/// `PublicKey.verify` gives for every signature, also when one verifier
/// checks many signatures in turn, valid and invalid mixed.
final class SignatureVerifierTests: XCTestCase {
    private let message = Array("keyledger signature verifier test message".utf8)

    /// Returns signatures over `message` by `key` with `scheme`, each named: a valid one and broken variants.
    private func signatures(_ key: PrivateKey, _ scheme: SignatureScheme) throws -> [(name: String, bytes: [UInt8])] {
        let valid = try key.sign(message, scheme: scheme)
        var cases: [(name: String, bytes: [UInt8])] = [("valid", valid)]
        for index in [0, valid.count / 2, valid.count - 1] {
            var flipped = valid
            flipped[index] ^= 0x80
            cases.append(("byte \(index) flipped", flipped))
        }
        cases += [
            ("empty", []),
            ("truncated", Array(valid.dropLast())),
            ("extended", valid + [0]),
            ("all zero", [UInt8](repeating: 0, count: valid.count)),
            ("all 0xFF", [UInt8](repeating: 0xFF, count: valid.count)),
            ("valid again", valid),
        ]
        return cases
    }

    func testResultsMatchPublicKeyVerify() throws {
        var tamperedMessage = message
        tamperedMessage[3] ^= 0x01
        for key in TestKeys.all {
            let publicKey = try key.publicKey()
            for scheme in TestKeys.schemes(for: key) {
                let verifier = SignatureVerifier(publicKey: publicKey, scheme: scheme)
                for (name, signature) in try signatures(key, scheme) {
                    for (messageName, signed) in [("message", message), ("tampered message", tamperedMessage)] {
                        let expected = publicKey.verify(signature: signature, for: signed, scheme: scheme)
                        XCTAssertEqual(verifier.verify(signature: signature, for: signed), expected,
                                       "\(scheme) with \(key.spec), \(name) signature, \(messageName)")
                    }
                }
                XCTAssertTrue(verifier.verify(signature: try key.sign(message, scheme: scheme), for: message),
                              "\(scheme) with \(key.spec) after the failures")
            }
        }
    }

    func testValidSignaturesOfManyMessagesVerify() throws {
        for key in TestKeys.all {
            let publicKey = try key.publicKey()
            for scheme in TestKeys.schemes(for: key) {
                let verifier = SignatureVerifier(publicKey: publicKey, scheme: scheme)
                for length in [0, 1, 32, 134, 1000] {
                    let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 13) }
                    XCTAssertTrue(verifier.verify(signature: try key.sign(message, scheme: scheme), for: message),
                                  "\(scheme) with \(key.spec), \(length)-byte message")
                }
            }
        }
    }

    func testSchemeThatDoesNotFitKeyFails() throws {
        for key in TestKeys.all {
            let publicKey = try key.publicKey()
            let signature = try key.sign(message, scheme: TestKeys.schemes(for: key)[0])
            for scheme in TestKeys.allSchemes where !scheme.fits(key.spec) {
                XCTAssertFalse(SignatureVerifier(publicKey: publicKey, scheme: scheme).verify(signature: signature, for: message),
                               "\(scheme) with \(key.spec)")
            }
        }
    }

    func testOtherDigestFails() throws {
        let cases: [(key: PrivateKey, signed: SignatureScheme, verified: SignatureScheme)] = [
            (TestKeys.rsa2048, .rsaPKCS1v15(.sha256), .rsaPKCS1v15(.sha384)),
            (TestKeys.rsa2048, .rsaPKCS1v15(.sha256), .rsaPSS(.sha256)),
            (TestKeys.rsa2048, .rsaPSS(.sha256), .rsaPSS(.sha512)),
            (TestKeys.rsa2048, .rsaPSS(.sha256), .rsaPKCS1v15(.sha256)),
            (TestKeys.ecP256, .ecdsa(.sha256), .ecdsa(.sha384)),
        ]
        for (key, signed, verified) in cases {
            let signature = try key.sign(message, scheme: signed)
            let verifier = SignatureVerifier(publicKey: try key.publicKey(), scheme: verified)
            XCTAssertFalse(verifier.verify(signature: signature, for: message), "\(signed) as \(verified)")
        }
    }

    func testECDSAAcceptsNoDERSignature() throws {
        let key = TestKeys.ecP256
        let der = TestSupport.derFromRawECDSA(try key.sign(message, scheme: .ecdsa(.sha256)))
        let verifier = SignatureVerifier(publicKey: try key.publicKey(), scheme: .ecdsa(.sha256))
        XCTAssertFalse(verifier.verify(signature: der, for: message))
    }

    func testPSSRejectsOtherSaltLength() throws {
        // A PSS signature with a 20-byte salt is valid PSS, but RFC 7518
        // PS256 requires a salt as long as the SHA-256 digest.
        let command = try OpenSSLCommand()
        defer { command.remove() }
        let key = TestKeys.rsa2048
        let keyPath = try command.write("key.pem", Array(key.pkcs8PEM().utf8))
        let messagePath = try command.write("message.bin", message)
        let result = try command.run([
            "dgst", "-sha256", "-sign", keyPath, "-sigopt", "rsa_padding_mode:pss",
            "-sigopt", "rsa_pss_saltlen:20", "-out", "signature.bin", messagePath,
        ])
        XCTAssertEqual(result.status, 0, result.output)
        let verifier = SignatureVerifier(publicKey: try key.publicKey(), scheme: .rsaPSS(.sha256))
        XCTAssertFalse(verifier.verify(signature: try command.read("signature.bin"), for: message))
    }

    func testVerifiersOnManyThreadsAgree() throws {
        let key = TestKeys.rsa2048
        let publicKey = try key.publicKey()
        let scheme = SignatureScheme.rsaPKCS1v15(.sha256)
        let messages = (0..<64).map { Array("message \($0)".utf8) }
        let signed = try messages.map { try key.sign($0, scheme: scheme) }
        let results = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 8 * messages.count)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            let verifier = SignatureVerifier(publicKey: publicKey, scheme: scheme)
            for index in messages.indices {
                // Odd threads check each signature against the next message, which must fail.
                let message = messages[(index + thread % 2) % messages.count]
                results[thread * messages.count + index] = verifier.verify(signature: signed[index], for: message)
            }
        }
        for thread in 0..<8 {
            for index in messages.indices {
                XCTAssertEqual(results[thread * messages.count + index], thread % 2 == 0, "thread \(thread), message \(index)")
            }
        }
    }
}
