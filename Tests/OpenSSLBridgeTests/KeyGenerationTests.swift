import OpenSSLBridge
import XCTest

final class KeyGenerationTests: XCTestCase {
    func testGeneratedKeysHaveRequestedSpec() throws {
        let specs: [KeySpec] = [.rsa(bits: 3072), .ec(.p256), .ec(.p384), .ed25519]
        for spec in specs {
            let key = try PrivateKey.generate(spec)

            XCTAssertEqual(key.spec, spec)
            XCTAssertEqual(try key.publicKey().spec, spec)
        }
    }

    func testGeneratedRSAKeyUsesExponent65537() throws {
        guard case .rsa(_, let exponent) = try TestKeys.rsa2048.publicKey().components() else {
            return XCTFail("expected RSA components")
        }

        XCTAssertEqual(exponent, [0x01, 0x00, 0x01])
    }

    func testGeneratedKeysDiffer() throws {
        let first = try PrivateKey.generate(.ed25519)
        let second = try PrivateKey.generate(.ed25519)

        XCTAssertNotEqual(try first.publicKey().components(), try second.publicKey().components())
    }

    func testRejectedRSASizesThrow() {
        for bits in [0, 512, 1024, 2047, 2049, 8200, 16384] {
            XCTAssertThrowsError(try PrivateKey.generate(.rsa(bits: bits)), "\(bits) bits") { error in
                XCTAssertEqual((error as? CryptoError)?.code, .invalidKeySize, "\(bits) bits")
            }
        }
    }

    func testErrorsCompareByCode() {
        let first = CryptoError(code: .signingFailed, reason: "one reason")
        let second = CryptoError(code: .signingFailed, reason: "another reason", openSSLErrors: ["error:1"])

        XCTAssertEqual(first, second)
        XCTAssertNotEqual(first, CryptoError(code: .decodingFailed, reason: "one reason"))
    }

    func testErrorDescriptionIncludesCodeReasonAndOpenSSLMessages() {
        let error = CryptoError(code: .signingFailed, reason: "EVP_DigestSign failed", openSSLErrors: ["error:1C800066"])

        XCTAssertEqual(String(describing: error), "CryptoError.signingFailed: EVP_DigestSign failed; OpenSSL: error:1C800066")
    }
}
