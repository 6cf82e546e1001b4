import JOSE
import XCTest

final class JWKSTests: XCTestCase {
    func testProviderSetsParseWithKeyIDs() throws {
        let cases: [(file: String, count: Int, firstKeyID: String)] = [
            ("jwks_github_actions.json", 4, "cc413527-173f-5a05-976e-9c52b1d7b431"),
            ("jwks_gitlab.json", 3, "kewiQq9jiC84CvSsJYOB-N6A8WFLSV20Mb-y7IlWDSQ"),
            ("jwks_google.json", 2, "93a9358ccf99f1bb040bc6221d5493e1ffd8ada1"),
            ("jwks_microsoft_azure_ad_v2.json", 8, "yEUwmXWL107Cc-7QZ2WSbeOb3sQ"),
        ]
        for (file, count, firstKeyID) in cases {
            let json = try JOSEFixture.jwk(file)

            let jwks = try JWKS(json: json)

            XCTAssertEqual(jwks.keys.count, count, file)
            XCTAssertEqual(jwks.unsupportedKeys, [], file)
            XCTAssertEqual(jwks.keys.first?.keyID, firstKeyID, file)
            XCTAssertEqual(jwks.keys.map(\.keyID), json["keys"]?.arrayValue?.map { $0["kid"]?.stringValue }, file)
            XCTAssertEqual(jwks.jsonValue, json, file)
        }
    }

    func testProviderKeysBuildPublicKeys() throws {
        for file in ["jwks_github_actions.json", "jwks_gitlab.json", "jwks_google.json", "jwks_microsoft_azure_ad_v2.json"] {
            for jwk in try JWKS(json: JOSEFixture.jwk(file)).keys {
                let spec = try jwk.publicKey().spec

                XCTAssertTrue([.rsa(bits: 2048), .rsa(bits: 4096)].contains(spec), "\(file) \(jwk.keyID ?? "?"): \(spec)")
            }
        }
    }

    func testGitHubCertificateMembersAreCarried() throws {
        let jwks = try JWKS(json: JOSEFixture.jwk("jwks_github_actions.json"))

        XCTAssertNil(jwks.keys[0].x509CertificateChain)
        XCTAssertEqual(jwks.keys[1].x509CertificateChain?.count, 1)
        XCTAssertEqual(jwks.keys[1].x509Thumbprint, "ykNaY4qM_ta4k2TgZOCEYLkcYlA")
        XCTAssertEqual(jwks.keys[1].algorithm, "RS256")
        XCTAssertEqual(jwks.keys[1].use, "sig")
    }

    func testMicrosoftNonStandardMembersAreCarried() throws {
        let jwks = try JWKS(json: JOSEFixture.jwk("jwks_microsoft_azure_ad_v2.json"))
        let first = try XCTUnwrap(jwks.keys.first)

        XCTAssertEqual(first.otherMembers["issuer"], "https://login.microsoftonline.com/{tenantid}/v2.0")
        XCTAssertEqual(first.otherMembers["cloud_instance_name"], "microsoftonline.com")
        XCTAssertNil(first.algorithm)
        XCTAssertEqual(first.x509Thumbprint, first.keyID)
        XCTAssertTrue(first.x509CertificateChain?.first?.hasPrefix("MII") ?? false)
    }

    func testGitLab4096BitKeyIsRead() throws {
        let specs = try JWKS(json: JOSEFixture.jwk("jwks_gitlab.json")).keys.map { try $0.publicKey().spec }

        XCTAssertTrue(specs.contains(.rsa(bits: 4096)), "\(specs)")
    }

    func testUnsupportedKeysAreCarriedNotDropped() throws {
        let supported = try JOSEFixture.jwk("rfc8037_ed25519_public_jwk.json")
        let unsupported: [JSONValue] = [
            ["kty": "EC", "crv": "P-521", "x": "AA", "y": "AA", "kid": "p521"],
            ["kty": "OKP", "crv": "X25519", "x": "AA", "kid": "x25519"],
            ["kty": "PQC-future", "kid": "future"],
        ]
        let json: JSONValue = ["keys": .array([unsupported[0], supported, unsupported[1], unsupported[2]]), "note": "kept"]

        let jwks = try JWKS(json: json)

        XCTAssertEqual(jwks.keys.count, 1)
        XCTAssertEqual(jwks.unsupportedKeys, unsupported)
        XCTAssertEqual(jwks.otherMembers["note"], "kept")
        XCTAssertEqual(jwks.jsonValue["keys"]?.arrayValue?.count, 4)
        XCTAssertEqual(jwks.jsonValue["note"], "kept")
    }

    func testKeysWithIDFindsMatches() throws {
        let jwks = try JWKS(json: JOSEFixture.jwk("jwks_google.json"))

        XCTAssertEqual(jwks.keys(withID: "d543e21a0273efc66a4750002441cb2151cb235f").count, 1)
        XCTAssertEqual(jwks.keys(withID: "missing").count, 0)
    }

    func testInvalidSetsAreRejected() throws {
        let privateJWK = try JOSEFixture.jwk("rfc8037_ed25519_private_jwk.json")
        let cases: [(name: String, json: JSONValue, code: JOSEError.Code)] = [
            ("array instead of object", [], .invalidJWKS),
            ("no keys member", ["other": 1], .invalidJWKS),
            ("keys not an array", ["keys": ["kty": "RSA"]], .invalidJWKS),
            ("entry not an object", ["keys": ["a string"]], .invalidJWKS),
            ("private key entry", ["keys": [privateJWK]], .privateKeyMember),
            ("malformed supported key", ["keys": [["kty": "OKP", "crv": "Ed25519", "x": "AA"]]], .invalidJWK),
        ]
        for (name, json, code) in cases {
            XCTAssertThrowsError(try JWKS(json: json), name) { error in
                XCTAssertEqual((error as? JOSEError)?.code, code, "\(name): \(error)")
            }
        }
    }

    func testEntryErrorNamesItsPosition() throws {
        let supported = try JOSEFixture.jwk("rfc8037_ed25519_public_jwk.json")
        let json: JSONValue = ["keys": [supported, ["kty": "OKP", "crv": "Ed25519", "x": "AA"]]]

        XCTAssertThrowsError(try JWKS(json: json)) { error in
            XCTAssertTrue(String(describing: error).contains("entry 1"), "\(error)")
        }
    }
}
