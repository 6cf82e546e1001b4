import OpenSSLBridge
import XCTest

/// Reading and writing keys as PEM and DER, and the errors for unreadable input.
final class PEMTests: XCTestCase {
    private let passphrase = "correct horse battery staple"

    func testPrivateKeyFixturesLoad() throws {
        let cases: [(file: String, passphrase: String?, spec: KeySpec)] = [
            ("rfc7515_a2_rs256_private_key.pem", nil, .rsa(bits: 2048)),
            ("rfc7515_a2_rs256_private_key_traditional.pem", nil, .rsa(bits: 2048)),
            ("rfc7515_a3_es256_private_key.pem", nil, .ec(.p256)),
            ("rfc7515_a3_es256_private_key_traditional.pem", nil, .ec(.p256)),
            ("rfc8037_ed25519_private_key.pem", nil, .ed25519),
            ("random_rsa2048_private_key_traditional_encrypted.pem", passphrase, .rsa(bits: 2048)),
            ("random_rsa1024_private_key.pem", nil, .rsa(bits: 1024)),
        ]
        for (file, passphrase, spec) in cases {
            let key = try PrivateKey(pem: TestSupport.fixtureText(file), passphrase: passphrase)

            XCTAssertEqual(key.spec, spec, file)
        }
    }

    func testTraditionalAndPKCS8FormsAreSameKey() throws {
        let pairs = [
            ("rfc7515_a2_rs256_private_key.pem", "rfc7515_a2_rs256_private_key_traditional.pem"),
            ("rfc7515_a3_es256_private_key.pem", "rfc7515_a3_es256_private_key_traditional.pem"),
        ]
        for (pkcs8, traditional) in pairs {
            let first = try PrivateKey(pem: TestSupport.fixtureText(pkcs8))
            let second = try PrivateKey(pem: TestSupport.fixtureText(traditional))

            XCTAssertEqual(try first.publicKey().components(), try second.publicKey().components(), traditional)
        }
    }

    func testPKCS8RoundTripEveryKeyType() throws {
        for key in TestKeys.all {
            let pem = try key.pkcs8PEM()

            let reloaded = try PrivateKey(pem: pem)

            XCTAssertTrue(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"), "\(key.spec)")
            XCTAssertEqual(reloaded.spec, key.spec)
            XCTAssertEqual(try reloaded.publicKey().components(), try key.publicKey().components(), "\(key.spec)")
        }
    }

    func testEncryptedPKCS8RoundTripEveryKeyType() throws {
        for key in TestKeys.all {
            let pem = try key.pkcs8PEM(passphrase: passphrase)

            let reloaded = try PrivateKey(pem: pem, passphrase: passphrase)

            XCTAssertTrue(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"), "\(key.spec)")
            XCTAssertEqual(try reloaded.publicKey().components(), try key.publicKey().components(), "\(key.spec)")
        }
    }

    func testEncryptedPKCS8UsesStrongPBES2Parameters() throws {
        let command = try OpenSSLCommand()
        defer { command.remove() }
        let path = try command.write("key.pem", Array(TestKeys.ecP256.pkcs8PEM(passphrase: passphrase).utf8))

        let result = try command.run(["asn1parse", "-in", path])

        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains(":PBES2"), result.output)
        XCTAssertTrue(result.output.contains(":PBKDF2"), result.output)
        XCTAssertTrue(result.output.contains("l=  16 prim: OCTET STRING"), "16-byte salt: \(result.output)")
        XCTAssertTrue(result.output.contains("INTEGER           :0927C0"), "600,000 iterations: \(result.output)")
        XCTAssertTrue(result.output.contains(":hmacWithSHA256"), result.output)
        XCTAssertTrue(result.output.contains(":aes-256-cbc"), result.output)
    }

    func testOpenSSLReadsEncryptedPKCS8() throws {
        let command = try OpenSSLCommand()
        defer { command.remove() }
        let path = try command.write("key.pem", Array(TestKeys.ed25519.pkcs8PEM(passphrase: passphrase).utf8))

        let result = try command.run(["pkey", "-in", path, "-passin", "pass:\(passphrase)", "-noout"])

        XCTAssertEqual(result.status, 0, result.output)
    }

    func testEncryptedKeyWithoutPassphraseThrows() throws {
        let encrypted = [
            try TestKeys.ecP256.pkcs8PEM(passphrase: passphrase),
            try TestSupport.fixtureText("random_rsa2048_private_key_traditional_encrypted.pem"),
        ]
        for pem in encrypted {
            XCTAssertThrowsError(try PrivateKey(pem: pem)) { error in
                XCTAssertEqual((error as? CryptoError)?.code, .passphraseRequired, "\(error)")
            }
        }
    }

    func testWrongPassphraseThrows() throws {
        let encrypted = [
            try TestKeys.ecP256.pkcs8PEM(passphrase: passphrase),
            try TestSupport.fixtureText("random_rsa2048_private_key_traditional_encrypted.pem"),
        ]
        for pem in encrypted {
            XCTAssertThrowsError(try PrivateKey(pem: pem, passphrase: "wrong passphrase")) { error in
                XCTAssertEqual((error as? CryptoError)?.code, .wrongPassphrase, "\(error)")
            }
        }
    }

    func testEmptyPassphraseForExportThrows() {
        XCTAssertThrowsError(try TestKeys.ecP256.pkcs8PEM(passphrase: "")) { error in
            XCTAssertEqual((error as? CryptoError)?.code, .invalidArgument)
        }
    }

    func testPassphraseForPlainKeyIsIgnored() throws {
        let key = try PrivateKey(pem: TestSupport.fixtureText("rfc8037_ed25519_private_key.pem"), passphrase: "unused")

        XCTAssertEqual(key.spec, .ed25519)
    }

    func testECParametersBlockBeforeKeyIsSkipped() throws {
        let pem = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
            + (try TestSupport.fixtureText("rfc7515_a3_es256_private_key_traditional.pem"))

        let key = try PrivateKey(pem: pem)

        XCTAssertEqual(key.spec, .ec(.p256))
    }

    /// Lines may end with LF, CR LF or CR and carry trailing spaces and tabs,
    /// and text may come before the block, in every format that is read.
    func testPEMLineEndVariantsLoad() throws {
        let cases: [(file: String, passphrase: String?)] = [
            ("rfc7515_a2_rs256_private_key.pem", nil),
            ("rfc7515_a2_rs256_private_key_traditional.pem", nil),
            ("rfc7515_a3_es256_private_key.pem", nil),
            ("rfc8037_ed25519_private_key.pem", nil),
            ("random_rsa2048_private_key_traditional_encrypted.pem", passphrase),
        ]
        let variants: [(name: String, rewrite: (String) -> String)] = [
            ("CR LF", { $0.replacingOccurrences(of: "\n", with: "\r\n") }),
            ("CR", { $0.replacingOccurrences(of: "\n", with: "\r") }),
            ("trailing blanks", { $0.replacingOccurrences(of: "\n", with: " \t \n") }),
            ("text before the block", { "Key for the staging ledger\n\n" + $0 }),
        ]
        for (file, passphrase) in cases {
            let text = try TestSupport.fixtureText(file)
            let expected = try PrivateKey(pem: text, passphrase: passphrase).publicKey().components()
            for (name, rewrite) in variants {
                let key = try PrivateKey(pem: rewrite(text), passphrase: passphrase)
                XCTAssertEqual(try key.publicKey().components(), expected, "\(file), \(name)")
            }
        }
        // The encryption header is still found, so a missing passphrase is named as such.
        let encrypted = try TestSupport.fixtureText("random_rsa2048_private_key_traditional_encrypted.pem")
        XCTAssertThrowsError(try PrivateKey(pem: encrypted.replacingOccurrences(of: "\n", with: "\r\n"))) { error in
            XCTAssertEqual((error as? CryptoError)?.code, .passphraseRequired, "\(error)")
        }
    }

    func testUnreadablePrivateKeyInputThrows() throws {
        let rsaPEM = try TestSupport.fixtureText("rfc7515_a2_rs256_private_key.pem")
        var damagedLines = rsaPEM.split(separator: "\n").map(String.init)
        damagedLines[3] = String(damagedLines[3].reversed())
        let cases: [(name: String, pem: String, code: CryptoError.Code)] = [
            ("empty text", "", .invalidPEM),
            ("text without PEM", "just some text", .invalidPEM),
            ("BEGIN without END", "-----BEGIN PRIVATE KEY-----\nAAAA\n", .invalidPEM),
            ("damaged base64 body", damagedLines.joined(separator: "\n") + "\n", .invalidPEM),
            ("body that is not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", .invalidPEM),
            ("public key", try TestKeys.ecP256.publicKey().spkiPEM(), .notAPrivateKey),
            ("certificate label", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", .notAPrivateKey),
            ("DSA key in PKCS#8", try TestSupport.fixtureText("random_dsa2048_private_key.pem"), .unsupportedKeyType),
            ("DSA traditional label", "-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n", .unsupportedKeyType),
            ("secp256k1 key", try TestSupport.fixtureText("random_ec_secp256k1_private_key.pem"), .unsupportedKeyType),
            ("OpenSSH key", "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n", .unsupportedFormat),
        ]
        for (name, pem, code) in cases {
            XCTAssertThrowsError(try PrivateKey(pem: pem), name) { error in
                XCTAssertEqual((error as? CryptoError)?.code, code, "\(name): \(error)")
            }
        }
    }

    func testErrorDescriptionsNeverContainPEMBody() throws {
        let encrypted = try TestKeys.rsa2048.pkcs8PEM(passphrase: passphrase)
        let plain = try TestKeys.rsa2048.pkcs8PEM()
        var damaged = plain.split(separator: "\n").map(String.init)
        damaged[5] = String(damaged[5].reversed())
        let attempts: [(name: String, load: () throws -> PrivateKey)] = [
            ("no passphrase", { try PrivateKey(pem: encrypted) }),
            ("wrong passphrase", { try PrivateKey(pem: encrypted, passphrase: "Tr0ub4dor&3-guess") }),
            ("damaged body", { try PrivateKey(pem: damaged.joined(separator: "\n")) }),
            ("DSA key", { try PrivateKey(pem: TestSupport.fixtureText("random_dsa2048_private_key.pem")) }),
        ]
        let secretFragments = (encrypted + "\n" + plain + "\n" + damaged.joined(separator: "\n"))
            .split(separator: "\n")
            .filter { !$0.hasPrefix("-----") }
            .flatMap { line in stride(from: 0, to: line.count - 12, by: 12).map { String(line.dropFirst($0).prefix(12)) } }
        for (name, load) in attempts {
            XCTAssertThrowsError(try load(), name) { error in
                let description = String(describing: error)
                let leaked = secretFragments.filter { description.contains($0) }
                XCTAssertEqual(leaked, [], "\(name): \(description)")
                XCTAssertFalse(description.contains("Tr0ub4dor"), "\(name): \(description)")
            }
        }
    }

    func testKeyDescriptionsNameOnlyType() throws {
        XCTAssertEqual(String(describing: TestKeys.ecP384), "PrivateKey(EC P-384)")
        XCTAssertEqual(String(describing: try TestKeys.rsa2048.publicKey()), "PublicKey(RSA-2048)")
    }

    func testPublicKeyPEMRoundTripEveryKeyType() throws {
        for key in TestKeys.all {
            let publicKey = try key.publicKey()
            let pem = try publicKey.spkiPEM()

            let reloaded = try PublicKey(pem: pem)

            XCTAssertTrue(pem.hasPrefix("-----BEGIN PUBLIC KEY-----\n"), "\(key.spec)")
            XCTAssertEqual(try reloaded.components(), try publicKey.components(), "\(key.spec)")
        }
    }

    func testPublicKeyDERRoundTripEveryKeyType() throws {
        for key in TestKeys.all {
            let publicKey = try key.publicKey()
            let der = try publicKey.spkiDER()

            let reloaded = try PublicKey(spkiDER: der)

            XCTAssertEqual(der.first, 0x30, "\(key.spec)")
            XCTAssertEqual(try reloaded.components(), try publicKey.components(), "\(key.spec)")
        }
    }

    func testRSAPublicKeyPKCS1PEMLoads() throws {
        let privateKey = try PrivateKey(pem: TestSupport.fixtureText("rfc7515_a2_rs256_private_key.pem"))

        let publicKey = try PublicKey(pem: TestSupport.fixtureText("rfc7515_a2_rs256_public_key_pkcs1.pem"))

        XCTAssertEqual(publicKey.spec, .rsa(bits: 2048))
        XCTAssertEqual(try publicKey.components(), try privateKey.publicKey().components())
    }

    func testUnreadablePublicKeyInputThrows() throws {
        let der = try TestKeys.ed25519.publicKey().spkiDER()
        let pemCases: [(name: String, pem: String, code: CryptoError.Code)] = [
            ("text without PEM", "no key here", .invalidPEM),
            ("private key", try TestKeys.ed25519.pkcs8PEM(), .notAPublicKey),
            ("body that is not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", .invalidPEM),
        ]
        for (name, pem, code) in pemCases {
            XCTAssertThrowsError(try PublicKey(pem: pem), name) { error in
                XCTAssertEqual((error as? CryptoError)?.code, code, "\(name): \(error)")
            }
        }
        let derCases: [(name: String, der: [UInt8])] = [
            ("empty", []),
            ("truncated", Array(der.dropLast())),
            ("trailing byte", der + [0]),
        ]
        for (name, bytes) in derCases {
            XCTAssertThrowsError(try PublicKey(spkiDER: bytes), name) { error in
                XCTAssertEqual((error as? CryptoError)?.code, .decodingFailed, "\(name): \(error)")
            }
        }
    }
}
