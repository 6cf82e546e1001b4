import Foundation
import JOSE
import OpenSSLBridge
import XCTest

/// Loads the JWK and JWS fixtures of this target.
enum JOSEFixture {
    static func url(_ folder: String, _ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
            .appendingPathComponent(folder)
            .appendingPathComponent(name)
    }

    static func text(_ folder: String, _ name: String) throws -> String {
        try String(contentsOf: url(folder, name), encoding: .utf8)
    }

    static func json(_ folder: String, _ name: String) throws -> JSONValue {
        try JSONValue(parsing: Array(Data(contentsOf: url(folder, name))))
    }

    static func jwk(_ name: String) throws -> JSONValue {
        try json("jwk", name)
    }
}

final class JWKTests: XCTestCase {
    func testRSAJWKReadsComponentsAndMembers() throws {
        let jwk = try JWK(json: JOSEFixture.jwk("rfc7638_rsa_jwk.json"))

        guard case .rsa(let modulus, let exponent) = jwk.components else {
            return XCTFail("expected RSA components")
        }
        XCTAssertEqual(modulus.count, 256)
        XCTAssertEqual(exponent, [0x01, 0x00, 0x01])
        XCTAssertEqual(jwk.keyType, "RSA")
        XCTAssertEqual(jwk.keyID, "2011-04-29")
        XCTAssertEqual(jwk.algorithm, "RS256")
        XCTAssertEqual(jwk.otherMembers, [:])
    }

    func testECJWKReadsPoint() throws {
        let jwk = try JWK(json: JOSEFixture.jwk("rfc7515_a3_es256_public_jwk.json"))

        guard case .ec(let curve, let x, let y) = jwk.components else {
            return XCTFail("expected EC components")
        }
        XCTAssertEqual(curve, .p256)
        XCTAssertEqual(Base64URL.encode(x), "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU")
        XCTAssertEqual(Base64URL.encode(y), "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0")
        XCTAssertEqual(jwk.keyType, "EC")
    }

    func testOKPJWKReadsEd25519Key() throws {
        let jwk = try JWK(json: JOSEFixture.jwk("rfc8037_ed25519_public_jwk.json"))

        XCTAssertEqual(
            jwk.components,
            .ed25519(publicKey: try Base64URL.decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"))
        )
        XCTAssertEqual(jwk.keyType, "OKP")
        XCTAssertEqual(try jwk.publicKey().spec, .ed25519)
    }

    func testPrivateJWKFixturesAreRejected() throws {
        let cases = [
            ("rfc8037_ed25519_private_jwk.json", "d"),
            ("rfc7515_a2_rs256_private_jwk.json", "d"),
            ("rfc7515_a3_es256_private_jwk.json", "d"),
        ]
        for (file, member) in cases {
            XCTAssertThrowsError(try JWK(json: JOSEFixture.jwk(file)), file) { error in
                XCTAssertEqual((error as? JOSEError)?.code, .privateKeyMember, "\(file): \(error)")
                XCTAssertTrue(String(describing: error).contains("\"\(member)\""), "\(file): \(error)")
            }
        }
    }

    func testEachPrivateMemberIsRejectedByName() throws {
        let secret = "c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw"
        for member in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
            var members = try XCTUnwrap(JOSEFixture.jwk("rfc7638_rsa_jwk.json").objectValue)
            members[member] = .string(secret)

            XCTAssertThrowsError(try JWK(json: .object(members)), member) { error in
                XCTAssertEqual((error as? JOSEError)?.code, .privateKeyMember, member)
                XCTAssertTrue(String(describing: error).contains("\"\(member)\""), "\(member): \(error)")
                XCTAssertFalse(String(describing: error).contains(secret), "\(member): \(error)")
            }
        }
    }

    func testSymmetricKeyIsRejectedAsPrivate() throws {
        let json: JSONValue = ["kty": "oct", "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"]

        XCTAssertThrowsError(try JWK(json: json)) { error in
            XCTAssertEqual((error as? JOSEError)?.code, .privateKeyMember)
        }
    }

    func testUnsupportedTypesAndCurvesNameTheValue() throws {
        let cases: [(json: JSONValue, code: JOSEError.Code, value: String)] = [
            (["kty": "DSA", "y": "AQAB"], .unsupportedKeyType, "DSA"),
            (["kty": "oct-ish"], .unsupportedKeyType, "oct-ish"),
            (["kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"], .unsupportedCurve, "P-521"),
            (["kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"], .unsupportedCurve, "secp256k1"),
            (["kty": "OKP", "crv": "X25519", "x": "AA"], .unsupportedCurve, "X25519"),
            (["kty": "OKP", "crv": "Ed448", "x": "AA"], .unsupportedCurve, "Ed448"),
        ]
        for (json, code, value) in cases {
            XCTAssertThrowsError(try JWK(json: json), value) { error in
                XCTAssertEqual((error as? JOSEError)?.code, code, "\(value): \(error)")
                XCTAssertTrue(String(describing: error).contains("\"\(value)\""), "\(value): \(error)")
            }
        }
    }

    func testMalformedJWKsAreRejected() throws {
        let ecJWK = try XCTUnwrap(JOSEFixture.jwk("rfc7515_a3_es256_public_jwk.json").objectValue)
        let rsaJWK = try XCTUnwrap(JOSEFixture.jwk("rfc7638_rsa_jwk.json").objectValue)
        func ec(_ changes: [String: JSONValue] = [:], removing removed: String? = nil) -> JSONValue {
            changed(ecJWK, changes, removing: removed)
        }
        func rsa(_ changes: [String: JSONValue] = [:], removing removed: String? = nil) -> JSONValue {
            changed(rsaJWK, changes, removing: removed)
        }
        let x = ecJWK["x"]!.stringValue!
        var offCurveYBytes = try Base64URL.decode(ecJWK["y"]!.stringValue!)
        offCurveYBytes[31] ^= 0x01
        let offCurveY = Base64URL.encode(offCurveYBytes)
        let cases: [(name: String, json: JSONValue, code: JOSEError.Code)] = [
            ("array instead of object", ["kty", "RSA"], .invalidJWK),
            ("missing kty", rsa(removing: "kty"), .invalidJWK),
            ("numeric kty", rsa(["kty": 1]), .invalidJWK),
            ("missing n", rsa(removing: "n"), .invalidJWK),
            ("missing e", rsa(removing: "e"), .invalidJWK),
            ("padded e", rsa(["e": "AQAB="]), .invalidJWK),
            ("standard base64 in n", rsa(["n": .string(rsaJWK["n"]!.stringValue!.replacingOccurrences(of: "-", with: "+"))]), .invalidJWK),
            ("n with leading zero byte", rsa(["n": .string("AA" + rsaJWK["n"]!.stringValue!)]), .invalidKey),
            ("missing crv", ec(removing: "crv"), .invalidJWK),
            ("missing y", ec(removing: "y"), .invalidJWK),
            ("x one byte short", ec(["x": .string(String(x.dropLast(2)))]), .invalidJWK),
            ("x with extra leading zero", ec(["x": .string(Base64URL.encode([0] + (try Base64URL.decode(x))))]), .invalidJWK),
            ("point not on curve", ec(["y": .string(offCurveY)]), .invalidKey),
            ("P-256 point labeled P-384", ec(["crv": "P-384"]), .invalidJWK),
            ("Ed25519 x of 31 bytes", ["kty": "OKP", "crv": "Ed25519", "x": .string(Base64URL.encode([UInt8](repeating: 1, count: 31)))], .invalidJWK),
            ("numeric kid", ec(["kid": 7]), .invalidJWK),
            ("key_ops not an array", ec(["key_ops": "verify"]), .invalidJWK),
            ("key_ops with a number", ec(["key_ops": ["verify", 1]]), .invalidJWK),
            ("key_ops with a duplicate", ec(["key_ops": ["verify", "verify"]]), .invalidJWK),
            ("x5c empty", ec(["x5c": []]), .invalidJWK),
            ("x5c with base64url", ec(["x5c": ["MIIB-_-_"]]), .invalidJWK),
            ("x5t of 19 bytes", ec(["x5t": .string(Base64URL.encode([UInt8](repeating: 7, count: 19)))]), .invalidJWK),
            ("x5t#S256 not base64url", ec(["x5t#S256": "not base64url!"]), .invalidJWK),
        ]
        for (name, json, code) in cases {
            XCTAssertThrowsError(try JWK(json: json), name) { error in
                XCTAssertEqual((error as? JOSEError)?.code, code, "\(name): \(error)")
            }
        }
    }

    private func changed(_ members: [String: JSONValue], _ changes: [String: JSONValue], removing removed: String?) -> JSONValue {
        var result = members.merging(changes) { _, new in new }
        if let removed {
            result[removed] = nil
        }
        return .object(result)
    }

    func testUnknownMembersAreCarried() throws {
        var members = try XCTUnwrap(JOSEFixture.jwk("rfc7515_a3_es256_public_jwk.json").objectValue)
        members["issuer"] = "https://issuer.example/{tenantid}"
        members["ext"] = true
        members["x-custom"] = ["nested": [1, 2]]

        let jwk = try JWK(json: .object(members))

        XCTAssertEqual(jwk.otherMembers["issuer"], "https://issuer.example/{tenantid}")
        XCTAssertEqual(jwk.otherMembers["ext"], true)
        XCTAssertEqual(jwk.otherMembers["x-custom"], ["nested": [1, 2]])
        XCTAssertEqual(jwk.otherMembers.count, 3)
        XCTAssertEqual(jwk.jsonValue, .object(members))
    }

    func testAllModeledMembersRoundTrip() throws {
        var members = try XCTUnwrap(JOSEFixture.jwk("rfc7638_rsa_jwk.json").objectValue)
        members["use"] = "sig"
        members["key_ops"] = ["verify"]
        members["x5c"] = ["MIIBAA==", "MIIC"]
        members["x5t"] = .string(Base64URL.encode([UInt8](repeating: 1, count: 20)))
        members["x5t#S256"] = .string(Base64URL.encode([UInt8](repeating: 2, count: 32)))

        let jwk = try JWK(json: .object(members))

        XCTAssertEqual(jwk.use, "sig")
        XCTAssertEqual(jwk.keyOperations, ["verify"])
        XCTAssertEqual(jwk.x509CertificateChain, ["MIIBAA==", "MIIC"])
        XCTAssertEqual(jwk.x509Thumbprint, members["x5t"]?.stringValue)
        XCTAssertEqual(jwk.x509ThumbprintSHA256, members["x5t#S256"]?.stringValue)
        XCTAssertEqual(jwk.jsonValue, .object(members))
        XCTAssertEqual(try JWK(json: jwk.jsonValue), jwk)
    }

    func testJSONValueOmitsPrivateNamedOtherMembers() throws {
        var jwk = try JWK(json: JOSEFixture.jwk("rfc8037_ed25519_public_jwk.json"))
        jwk.otherMembers["d"] = "should never be written"
        jwk.otherMembers["kid"] = "shadowed"
        jwk.keyID = "real"

        let json = jwk.jsonValue

        XCTAssertNil(json["d"])
        XCTAssertEqual(json["kid"], "real")
    }

    func testJWKFromPublicKeyMatchesComponents() throws {
        for spec in [KeySpec.rsa(bits: 2048), .ec(.p256), .ec(.p384), .ed25519] {
            let publicKey = try JOSETestKeys.key(for: spec).publicKey()

            let jwk = try JWK(publicKey: publicKey, keyID: "key-1", algorithm: "XX", use: "sig")

            XCTAssertEqual(jwk.components, try publicKey.components(), "\(spec)")
            XCTAssertEqual(jwk.keyID, "key-1", "\(spec)")
            XCTAssertEqual(jwk.algorithm, "XX", "\(spec)")
            XCTAssertEqual(jwk.use, "sig", "\(spec)")
            XCTAssertEqual(try JWK(json: jwk.jsonValue), jwk, "\(spec)")
            XCTAssertEqual(try jwk.publicKey().spkiDER(), try publicKey.spkiDER(), "\(spec)")
        }
    }

    func testJWKOutputHasNoPrivateMembers() throws {
        for spec in [KeySpec.rsa(bits: 2048), .ec(.p256), .ed25519] {
            let jwk = try JWK(publicKey: JOSETestKeys.key(for: spec).publicKey())
            let names = Set(try XCTUnwrap(jwk.jsonValue.objectValue).keys)

            XCTAssertTrue(names.isDisjoint(with: ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]), "\(spec): \(names)")
        }
    }
}
