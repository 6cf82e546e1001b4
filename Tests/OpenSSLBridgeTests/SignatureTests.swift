import OpenSSLBridge
import XCTest

/// Sign and verify round trips, tampering and scheme mismatches, for every
/// scheme with every key type.
final class SignatureTests: XCTestCase {
    private let message = Array("keyledger signature test message".utf8)

    func testRoundTripEverySchemeAndKey() throws {
        for key in TestKeys.all {
            let publicKey = try key.publicKey()
            for scheme in TestKeys.schemes(for: key) {
                let signature = try key.sign(message, scheme: scheme)

                XCTAssertTrue(
                    publicKey.verify(signature: signature, for: message, scheme: scheme),
                    "\(scheme) with \(key.spec)"
                )
            }
        }
    }

    func testRoundTripEmptyMessage() throws {
        for key in TestKeys.all {
            let publicKey = try key.publicKey()
            for scheme in TestKeys.schemes(for: key) {
                let signature = try key.sign([], scheme: scheme)

                XCTAssertTrue(publicKey.verify(signature: signature, for: [], scheme: scheme), "\(scheme) with \(key.spec)")
            }
        }
    }

    func testSignatureSizes() throws {
        let cases: [(key: PrivateKey, scheme: SignatureScheme, size: Int)] = [
            (TestKeys.rsa2048, .rsaPKCS1v15(.sha256), 256),
            (TestKeys.rsa2048, .rsaPSS(.sha512), 256),
            (TestKeys.ecP256, .ecdsa(.sha256), 64),
            (TestKeys.ecP384, .ecdsa(.sha384), 96),
            (TestKeys.ed25519, .ed25519, 64),
        ]
        for (key, scheme, size) in cases {
            XCTAssertEqual(try key.sign(message, scheme: scheme).count, size, "\(scheme) with \(key.spec)")
        }
    }

    func testDeterministicSchemesRepeatSignature() throws {
        let cases: [(key: PrivateKey, scheme: SignatureScheme)] = [
            (TestKeys.rsa2048, .rsaPKCS1v15(.sha256)),
            (TestKeys.ed25519, .ed25519),
        ]
        for (key, scheme) in cases {
            XCTAssertEqual(try key.sign(message, scheme: scheme), try key.sign(message, scheme: scheme), "\(scheme)")
        }
    }

    func testRandomizedSchemesVarySignature() throws {
        let cases: [(key: PrivateKey, scheme: SignatureScheme)] = [
            (TestKeys.rsa2048, .rsaPSS(.sha256)),
            (TestKeys.ecP256, .ecdsa(.sha256)),
        ]
        for (key, scheme) in cases {
            XCTAssertNotEqual(try key.sign(message, scheme: scheme), try key.sign(message, scheme: scheme), "\(scheme)")
        }
    }

    func testTamperedMessageFails() throws {
        var tampered = message
        tampered[0] ^= 0x01
        for key in TestKeys.all {
            let publicKey = try key.publicKey()
            for scheme in TestKeys.schemes(for: key) {
                let signature = try key.sign(message, scheme: scheme)

                XCTAssertFalse(
                    publicKey.verify(signature: signature, for: tampered, scheme: scheme),
                    "\(scheme) with \(key.spec)"
                )
            }
        }
    }

    func testTamperedSignatureFails() throws {
        for key in TestKeys.all {
            let publicKey = try key.publicKey()
            for scheme in TestKeys.schemes(for: key) {
                let signature = try key.sign(message, scheme: scheme)
                for index in [0, signature.count / 2, signature.count - 1] {
                    var tampered = signature
                    tampered[index] ^= 0x80

                    XCTAssertFalse(
                        publicKey.verify(signature: tampered, for: message, scheme: scheme),
                        "\(scheme) with \(key.spec), byte \(index) flipped"
                    )
                }
            }
        }
    }

    func testMalformedSignatureLengthsFail() throws {
        for key in TestKeys.all {
            let publicKey = try key.publicKey()
            for scheme in TestKeys.schemes(for: key) {
                let signature = try key.sign(message, scheme: scheme)
                let malformed: [(name: String, bytes: [UInt8])] = [
                    ("empty", []),
                    ("truncated", Array(signature.dropLast())),
                    ("extended", signature + [0]),
                    ("all zero", [UInt8](repeating: 0, count: signature.count)),
                    ("all 0xFF", [UInt8](repeating: 0xFF, count: signature.count)),
                ]
                for (name, bytes) in malformed {
                    XCTAssertFalse(
                        publicKey.verify(signature: bytes, for: message, scheme: scheme),
                        "\(scheme) with \(key.spec), \(name) signature"
                    )
                }
            }
        }
    }

    func testECDSAAcceptsNoDERSignature() throws {
        let key = TestKeys.ecP256
        let raw = try key.sign(message, scheme: .ecdsa(.sha256))
        let der = TestSupport.derFromRawECDSA(raw)

        XCTAssertFalse(try key.publicKey().verify(signature: der, for: message, scheme: .ecdsa(.sha256)))
    }

    func testPSSVerificationRejectsOtherSaltLength() throws {
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
        let signature = try command.read("signature.bin")

        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertFalse(try key.publicKey().verify(signature: signature, for: message, scheme: .rsaPSS(.sha256)))
    }

    func testSignWithWrongSchemeThrowsMismatch() throws {
        for key in TestKeys.all {
            for scheme in TestKeys.allSchemes where !scheme.fits(key.spec) {
                XCTAssertThrowsError(try key.sign(message, scheme: scheme), "\(scheme) with \(key.spec)") { error in
                    XCTAssertEqual((error as? CryptoError)?.code, .schemeMismatch)
                }
            }
        }
    }

    func testVerifyWithWrongSchemeReturnsFalse() throws {
        for key in TestKeys.all {
            let publicKey = try key.publicKey()
            let signature = try key.sign(message, scheme: TestKeys.schemes(for: key)[0])
            for scheme in TestKeys.allSchemes where !scheme.fits(key.spec) {
                XCTAssertFalse(
                    publicKey.verify(signature: signature, for: message, scheme: scheme),
                    "\(scheme) with \(key.spec)"
                )
            }
        }
    }

    func testVerifyWithOtherDigestFails() throws {
        let cases: [(key: PrivateKey, signed: SignatureScheme, verified: SignatureScheme)] = [
            (TestKeys.rsa2048, .rsaPKCS1v15(.sha256), .rsaPKCS1v15(.sha384)),
            (TestKeys.rsa2048, .rsaPKCS1v15(.sha256), .rsaPSS(.sha256)),
            (TestKeys.rsa2048, .rsaPSS(.sha256), .rsaPSS(.sha512)),
            (TestKeys.ecP256, .ecdsa(.sha256), .ecdsa(.sha384)),
        ]
        for (key, signed, verified) in cases {
            let signature = try key.sign(message, scheme: signed)

            XCTAssertFalse(try key.publicKey().verify(signature: signature, for: message, scheme: verified), "\(signed) as \(verified)")
        }
    }

    func testVerifyWithOtherKeyFails() throws {
        let other = try PrivateKey.generate(.ec(.p256))
        let signature = try TestKeys.ecP256.sign(message, scheme: .ecdsa(.sha256))

        XCTAssertFalse(try other.publicKey().verify(signature: signature, for: message, scheme: .ecdsa(.sha256)))
    }
}
