import OpenSSLBridge
import XCTest

final class PublicKeyComponentsTests: XCTestCase {
    func testRoundTripEveryKeyType() throws {
        for key in TestKeys.all {
            let publicKey = try key.publicKey()
            let components = try publicKey.components()

            let rebuilt = try PublicKey(components: components)

            XCTAssertEqual(try rebuilt.components(), components, "\(key.spec)")
            XCTAssertEqual(try rebuilt.spkiDER(), try publicKey.spkiDER(), "\(key.spec)")
            XCTAssertEqual(rebuilt.spec, key.spec, "\(key.spec)")
        }
    }

    func testRSAModulusHasNoLeadingZeroByte() throws {
        // An RSA-2048 modulus always has its top bit set, so a signed
        // encoding would need a leading zero byte, which JWK leaves out.
        guard case .rsa(let modulus, let exponent) = try TestKeys.rsa2048.publicKey().components() else {
            return XCTFail("expected RSA components")
        }

        XCTAssertEqual(modulus.count, 256)
        XCTAssertGreaterThanOrEqual(modulus[0], 0x80)
        XCTAssertEqual(exponent, [0x01, 0x00, 0x01])
    }

    func testRSAModulusRoundTripKeepsTopBitByte() throws {
        let components = try TestKeys.rsa2048.publicKey().components()

        let rebuilt = try PublicKey(components: components)

        XCTAssertEqual(try rebuilt.components(), components)
        XCTAssertEqual(rebuilt.spec, .rsa(bits: 2048))
    }

    func testECCoordinatesWithLeadingZeroRoundTrip() throws {
        // About one key in 128 has a coordinate below 2^248, whose padded
        // form starts with a zero byte.
        for curve in EllipticCurve.allCases {
            var found: (key: PrivateKey, components: PublicKeyComponents)?
            for _ in 0..<4000 where found == nil {
                let key = try PrivateKey.generate(.ec(curve))
                let components = try key.publicKey().components()
                if case .ec(_, let x, let y) = components, x[0] == 0 || y[0] == 0 {
                    found = (key, components)
                }
            }
            let (key, components) = try XCTUnwrap(found, "no \(curve) key with a leading zero coordinate in 4000 tries")
            guard case .ec(_, let x, let y) = components else {
                return XCTFail("expected EC components")
            }

            let rebuilt = try PublicKey(components: components)

            XCTAssertEqual(x.count, curve.coordinateByteCount, "\(curve) x")
            XCTAssertEqual(y.count, curve.coordinateByteCount, "\(curve) y")
            XCTAssertEqual(try rebuilt.components(), components, "\(curve)")
            let signature = try key.sign([1, 2, 3], scheme: .ecdsa(.sha256))
            XCTAssertTrue(rebuilt.verify(signature: signature, for: [1, 2, 3], scheme: .ecdsa(.sha256)), "\(curve)")
        }
    }

    func testInvalidComponentsAreRejected() throws {
        guard case .rsa(let modulus, let exponent) = try TestKeys.rsa2048.publicKey().components(),
              case .ec(_, let x, let y) = try TestKeys.ecP256.publicKey().components()
        else {
            return XCTFail("expected RSA and EC components")
        }
        var offCurveY = y
        offCurveY[31] ^= 0x01
        let cases: [(name: String, components: PublicKeyComponents)] = [
            ("empty RSA modulus", .rsa(modulus: [], exponent: exponent)),
            ("empty RSA exponent", .rsa(modulus: modulus, exponent: [])),
            ("RSA modulus with leading zero", .rsa(modulus: [0] + modulus, exponent: exponent)),
            ("RSA exponent with leading zero", .rsa(modulus: modulus, exponent: [0] + exponent)),
            ("even RSA modulus", .rsa(modulus: Array(modulus.dropLast()) + [modulus.last! & 0xFE], exponent: exponent)),
            ("even RSA exponent", .rsa(modulus: modulus, exponent: [0x01, 0x00, 0x00])),
            ("RSA modulus over 16384 bits", .rsa(modulus: [0xFF] + [UInt8](repeating: 0xFF, count: 2048), exponent: exponent)),
            ("EC x too short", .ec(curve: .p256, x: Array(x.dropFirst()), y: y)),
            ("EC y too long", .ec(curve: .p256, x: x, y: [0] + y)),
            ("EC P-256 point as P-384", .ec(curve: .p384, x: x, y: y)),
            ("EC point not on curve", .ec(curve: .p256, x: x, y: offCurveY)),
            ("EC point at zero", .ec(curve: .p256, x: [UInt8](repeating: 0, count: 32), y: [UInt8](repeating: 0, count: 32))),
            ("Ed25519 key of 31 bytes", .ed25519(publicKey: [UInt8](repeating: 1, count: 31))),
            ("Ed25519 key of 33 bytes", .ed25519(publicKey: [UInt8](repeating: 1, count: 33))),
        ]
        for (name, components) in cases {
            XCTAssertThrowsError(try PublicKey(components: components), name) { error in
                XCTAssertEqual((error as? CryptoError)?.code, .invalidKeyComponents, "\(name): \(error)")
            }
        }
    }

    func testOffCurveErrorCarriesOpenSSLMessage() throws {
        guard case .ec(_, let x, var y) = try TestKeys.ecP256.publicKey().components() else {
            return XCTFail("expected EC components")
        }
        y[31] ^= 0x01

        XCTAssertThrowsError(try PublicKey(components: .ec(curve: .p256, x: x, y: y))) { error in
            let cryptoError = error as? CryptoError
            XCTAssertEqual(cryptoError?.code, .invalidKeyComponents)
            XCTAssertFalse(cryptoError?.openSSLErrors.isEmpty ?? true, "\(error)")
        }
    }
}
