import JOSE
import OpenSSLBridge
import XCTest

final class JWKThumbprintTests: XCTestCase {
    func testRFC7638RSAThumbprint() throws {
        let jwk = try JWK(json: JOSEFixture.jwk("rfc7638_rsa_jwk.json"))

        XCTAssertEqual(try jwk.thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    }

    func testRFC8037Ed25519Thumbprint() throws {
        let jwk = try JWK(json: JOSEFixture.jwk("rfc8037_ed25519_public_jwk.json"))

        XCTAssertEqual(try jwk.thumbprint(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    }

    func testGitLabKeyIDsAreThumbprints() throws {
        let jwks = try JWKS(json: JOSEFixture.jwk("jwks_gitlab.json"))

        XCTAssertEqual(jwks.keys.count, 3)
        for jwk in jwks.keys {
            XCTAssertEqual(try jwk.thumbprint(), jwk.keyID)
        }
    }

    func testThumbprintIgnoresOptionalMembers() throws {
        var jwk = try JWK(json: JOSEFixture.jwk("rfc7638_rsa_jwk.json"))
        let before = try jwk.thumbprint()
        jwk.keyID = "another"
        jwk.use = "sig"
        jwk.otherMembers["issuer"] = "https://issuer.example"

        XCTAssertEqual(try jwk.thumbprint(), before)
    }

    func testECThumbprintMatchesManualCanonicalJSON() throws {
        let json = try JOSEFixture.jwk("rfc7515_a3_es256_public_jwk.json")
        let jwk = try JWK(json: json)
        let canonical = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"\(json["x"]!.stringValue!)\",\"y\":\"\(json["y"]!.stringValue!)\"}"

        XCTAssertEqual(try jwk.thumbprint(), Base64URL.encode(Digest.sha256(Array(canonical.utf8))))
    }

    func testDifferentKeysHaveDifferentThumbprints() throws {
        let first = try JWK(publicKey: JOSETestKeys.key(for: .ec(.p256)).publicKey())
        let second = try JWK(publicKey: JOSETestKeys.key(for: .ec(.p384)).publicKey())

        XCTAssertNotEqual(try first.thumbprint(), try second.thumbprint())
    }
}
