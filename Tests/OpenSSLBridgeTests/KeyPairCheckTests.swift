import Foundation
import OpenSSLBridge
import XCTest

/// Private keys whose numbers still parse but do not belong together: each
/// must be rejected when it is loaded, or at the latest by its first
/// signature, before that signature is returned.
final class KeyPairCheckTests: XCTestCase {
    /// The RFC 7515 A.2 RSA key as a traditional "RSA PRIVATE KEY" with one
    /// number damaged. Flipping bit 1 of the last byte keeps each number's parity,
    /// so e stays odd and the key stays well-formed.
    func testDamagedRSANumbersAreRejected() throws {
        let jwk = try TestSupport.fixtureJSONObject("rfc7515_a2_rs256_private_jwk.json")
        let names = ["n", "e", "d", "p", "q", "dp", "dq", "qi"]
        let intact = try names.map { try TestSupport.base64URLDecode(XCTUnwrap(jwk[$0], $0)) }

        XCTAssertEqual(try PrivateKey(pem: Self.traditionalRSAPEM(intact)).spec, .rsa(bits: 2048))
        for (index, name) in names.enumerated() {
            var numbers = intact
            numbers[index][numbers[index].count - 1] ^= 0x02

            XCTAssertThrowsError(try PrivateKey(pem: Self.traditionalRSAPEM(numbers)), name) { error in
                XCTAssertEqual((error as? CryptoError)?.code, .invalidPEM, "\(name): \(error)")
                XCTAssertTrue("\(error)".contains("key pair is inconsistent"), "\(name): \(error)")
            }
        }
    }

    /// A key whose factor p is the product of two primes satisfies every
    /// relation that loading checks, so it loads. Its signatures do not
    /// verify, and no signature is ever returned.
    func testCompositeFactorKeyNeverSigns() throws {
        let jwk = try TestSupport.fixtureJSONObject("composite_factor_rsa2048_private_jwk.json")
        let numbers = try ["n", "e", "d", "p", "q", "dp", "dq", "qi"].map {
            try TestSupport.base64URLDecode(XCTUnwrap(jwk[$0], $0))
        }
        let key = try PrivateKey(pem: Self.traditionalRSAPEM(numbers))
        XCTAssertEqual(key.spec, .rsa(bits: 2048))

        for scheme in [SignatureScheme.rsaPKCS1v15(.sha256), .rsaPSS(.sha256), .rsaPKCS1v15(.sha256)] {
            XCTAssertThrowsError(try key.sign(Array("entry hash".utf8), scheme: scheme), "\(scheme)") { error in
                XCTAssertEqual((error as? CryptoError)?.code, .inconsistentKeyPair, "\(scheme): \(error)")
                XCTAssertTrue("\(error)".contains("key pair is inconsistent"), "\(scheme): \(error)")
            }
        }
    }

    /// The check of the first signature passes for a sound key, whose signatures all verify.
    func testSoundRSAKeySignsRepeatedly() throws {
        let key = try PrivateKey(pem: TestSupport.fixtureText("rfc7515_a2_rs256_private_key.pem"))
        let publicKey = try key.publicKey()
        let message = Array("entry hash".utf8)
        for scheme in [SignatureScheme.rsaPKCS1v15(.sha256), .rsaPSS(.sha256)] {
            for _ in 0..<2 {
                let signature = try key.sign(message, scheme: scheme)
                XCTAssertTrue(publicKey.verify(signature: signature, for: message, scheme: scheme), "\(scheme)")
            }
        }
    }

    /// Another RSA key's public exponent and modulus with this key's private numbers.
    func testRSAKeyWithAnotherKeysModulusIsRejected() throws {
        let jwk = try TestSupport.fixtureJSONObject("rfc7515_a2_rs256_private_jwk.json")
        var numbers = try ["n", "e", "d", "p", "q", "dp", "dq", "qi"].map {
            try TestSupport.base64URLDecode(XCTUnwrap(jwk[$0], $0))
        }
        guard case .rsa(let modulus, let exponent) = try TestKeys.rsa2048.publicKey().components() else {
            return XCTFail("TestKeys.rsa2048 is not an RSA key")
        }
        numbers[0] = modulus
        numbers[1] = exponent

        XCTAssertThrowsError(try PrivateKey(pem: Self.traditionalRSAPEM(numbers))) { error in
            XCTAssertEqual((error as? CryptoError)?.code, .invalidPEM, "\(error)")
        }
    }

    /// The RFC 7515 A.3 P-256 private scalar with another key's public point,
    /// and with a point that is not on the curve.
    func testECKeyWithWrongPublicPointIsRejected() throws {
        let jwk = try TestSupport.fixtureJSONObject("rfc7515_a3_es256_private_jwk.json")
        let scalar = try TestSupport.base64URLDecode(XCTUnwrap(jwk["d"]))
        let x = try TestSupport.base64URLDecode(XCTUnwrap(jwk["x"]))
        let y = try TestSupport.base64URLDecode(XCTUnwrap(jwk["y"]))
        guard case .ec(_, let otherX, let otherY) = try TestKeys.ecP256.publicKey().components() else {
            return XCTFail("TestKeys.ecP256 is not an EC key")
        }
        var yOffCurve = y
        yOffCurve[yOffCurve.count - 1] ^= 0x01

        XCTAssertEqual(try PrivateKey(pem: Self.traditionalP256PEM(scalar: scalar, x: x, y: y)).spec, .ec(.p256))
        let cases: [(name: String, x: [UInt8], y: [UInt8])] = [
            ("another key's point", otherX, otherY),
            ("point off the curve", x, yOffCurve),
        ]
        for (name, x, y) in cases {
            XCTAssertThrowsError(try PrivateKey(pem: Self.traditionalP256PEM(scalar: scalar, x: x, y: y)), name) { error in
                XCTAssertEqual((error as? CryptoError)?.code, .invalidPEM, "\(name): \(error)")
            }
        }
    }

    /// RFC 8017 appendix A.1.2 RSAPrivateKey, version 0, as "RSA PRIVATE KEY" PEM.
    private static func traditionalRSAPEM(_ numbers: [[UInt8]]) -> String {
        let body = TestSupport.derInteger([0]) + numbers.flatMap(TestSupport.derInteger)
        return pem("RSA PRIVATE KEY", [0x30] + TestSupport.derLength(body.count) + body)
    }

    /// RFC 5915 ECPrivateKey on P-256 with its public point, as "EC PRIVATE KEY" PEM.
    private static func traditionalP256PEM(scalar: [UInt8], x: [UInt8], y: [UInt8]) -> String {
        let prime256v1: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
        let point: [UInt8] = [0x00, 0x04] + x + y
        var body = TestSupport.derInteger([1])
        body += [0x04] + TestSupport.derLength(scalar.count) + scalar
        body += [0xA0] + TestSupport.derLength(prime256v1.count) + prime256v1
        let bitString = [0x03] + TestSupport.derLength(point.count) + point
        body += [0xA1] + TestSupport.derLength(bitString.count) + bitString
        return pem("EC PRIVATE KEY", [0x30] + TestSupport.derLength(body.count) + body)
    }

    private static func pem(_ label: String, _ der: [UInt8]) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
    }
}
