import OpenSSLBridge
import XCTest

/// Published JWS vectors from RFC 7515 and RFC 8037, checked with the bridge alone.
final class RFCVectorTests: XCTestCase {
    func testRFC7515A2RS256ReSigningReproducesSignature() throws {
        let key = try PrivateKey(pem: TestSupport.fixtureText("rfc7515_a2_rs256_private_key.pem"))
        let jws = try TestSupport.compactJWS("rfc7515_a2_rs256.jws")

        let signature = try key.sign(jws.signingInput, scheme: .rsaPKCS1v15(.sha256))

        XCTAssertEqual(signature, jws.signature)
    }

    func testRFC7515A2RS256VerifiesWithPublicKey() throws {
        let key = try PrivateKey(pem: TestSupport.fixtureText("rfc7515_a2_rs256_private_key.pem"))
        let jws = try TestSupport.compactJWS("rfc7515_a2_rs256.jws")

        let publicKey = try key.publicKey()

        XCTAssertEqual(publicKey.spec, .rsa(bits: 2048))
        XCTAssertTrue(publicKey.verify(signature: jws.signature, for: jws.signingInput, scheme: .rsaPKCS1v15(.sha256)))
    }

    func testRFC7515A2ComponentsMatchJWK() throws {
        let jwk = try TestSupport.fixtureJSONObject("rfc7515_a2_rs256_private_jwk.json")
        let key = try PrivateKey(pem: TestSupport.fixtureText("rfc7515_a2_rs256_private_key.pem"))

        let components = try key.publicKey().components()

        XCTAssertEqual(
            components,
            .rsa(
                modulus: try TestSupport.base64URLDecode(XCTUnwrap(jwk["n"])),
                exponent: try TestSupport.base64URLDecode(XCTUnwrap(jwk["e"]))
            )
        )
    }

    func testRFC7515A3ES256VerifiesFromComponents() throws {
        let jwk = try TestSupport.fixtureJSONObject("rfc7515_a3_es256_private_jwk.json")
        let jws = try TestSupport.compactJWS("rfc7515_a3_es256.jws")
        let publicKey = try PublicKey(components: .ec(
            curve: .p256,
            x: TestSupport.base64URLDecode(XCTUnwrap(jwk["x"])),
            y: TestSupport.base64URLDecode(XCTUnwrap(jwk["y"]))
        ))

        XCTAssertEqual(publicKey.spec, .ec(.p256))
        XCTAssertEqual(jws.signature.count, 64)
        XCTAssertTrue(publicKey.verify(signature: jws.signature, for: jws.signingInput, scheme: .ecdsa(.sha256)))
    }

    func testRFC7515A3PrivateKeyDerivesJWKPoint() throws {
        let jwk = try TestSupport.fixtureJSONObject("rfc7515_a3_es256_private_jwk.json")
        let key = try PrivateKey(pem: TestSupport.fixtureText("rfc7515_a3_es256_private_key.pem"))

        let components = try key.publicKey().components()

        XCTAssertEqual(
            components,
            .ec(
                curve: .p256,
                x: try TestSupport.base64URLDecode(XCTUnwrap(jwk["x"])),
                y: try TestSupport.base64URLDecode(XCTUnwrap(jwk["y"]))
            )
        )
    }

    func testRFC8037A4Ed25519ReSigningReproducesSignature() throws {
        let key = try PrivateKey(pem: TestSupport.fixtureText("rfc8037_ed25519_private_key.pem"))
        let jws = try TestSupport.compactJWS("rfc8037_a4_eddsa.jws")

        let signature = try key.sign(jws.signingInput, scheme: .ed25519)

        XCTAssertEqual(signature, jws.signature)
    }

    func testRFC8037A4Ed25519VerifiesFromComponents() throws {
        let jwk = try TestSupport.fixtureJSONObject("rfc8037_ed25519_private_jwk.json")
        let jws = try TestSupport.compactJWS("rfc8037_a4_eddsa.jws")
        let publicKey = try PublicKey(components: .ed25519(publicKey: TestSupport.base64URLDecode(XCTUnwrap(jwk["x"]))))

        XCTAssertEqual(publicKey.spec, .ed25519)
        XCTAssertTrue(publicKey.verify(signature: jws.signature, for: jws.signingInput, scheme: .ed25519))
    }

    func testRFC8037PrivateKeyDerivesJWKPublicKey() throws {
        let jwk = try TestSupport.fixtureJSONObject("rfc8037_ed25519_private_jwk.json")
        let key = try PrivateKey(pem: TestSupport.fixtureText("rfc8037_ed25519_private_key.pem"))

        let components = try key.publicKey().components()

        XCTAssertEqual(components, .ed25519(publicKey: try TestSupport.base64URLDecode(XCTUnwrap(jwk["x"]))))
    }
}
