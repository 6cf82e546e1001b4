import Foundation
import JOSE
import OpenSSLBridge
import XCTest

final class JWTValidatorTests: XCTestCase {
    private static let otherP256 = try! PrivateKey.generate(.ec(.p256))
    private static let now = JWTTestSupport.now
    private static let validClaims = #"{"sub":"x","iat":1700000000,"exp":1700003600}"#

    /// Returns a set with one key of each type, none with an `alg` member.
    private func standardSet() throws -> JWKS {
        JWKS(keys: [
            try JWTTestSupport.jwk(JOSETestKeys.ecP256, kid: "ec"),
            try JWTTestSupport.jwk(JOSETestKeys.rsa2048, kid: "rsa"),
            try JWTTestSupport.jwk(JOSETestKeys.ed25519, kid: "ed"),
            try JWTTestSupport.jwk(JOSETestKeys.ecP384, kid: "ec384"),
        ])
    }

    /// Builds a compact token from raw JSON text, which lets a test write
    /// tokens that ``JWT/issue`` never produces.
    ///
    /// With `key` and `algorithm` the signature is real; otherwise it is 64
    /// fixed bytes.
    private static func compact(header: String, claims: String, key: PrivateKey? = nil, algorithm: JWSAlgorithm? = nil) throws -> String {
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
        var signature = [UInt8](repeating: 0x5A, count: 64)
        if let key, let algorithm {
            signature = try key.sign(Array(signingInput.utf8), scheme: algorithm.signatureScheme)
        }
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// Signs a token with `key`, by default the test key for `algorithm`.
    /// `extraHeader` adds header members as JSON text that starts with a comma.
    private static func signed(
        _ algorithm: JWSAlgorithm,
        kid: String?,
        claims: String = validClaims,
        key: PrivateKey? = nil,
        extraHeader: String = ""
    ) throws -> String {
        var header = #"{"alg":"\#(algorithm.rawValue)""#
        if let kid {
            header += #","kid":"\#(kid)""#
        }
        header += extraHeader + "}"
        return try compact(header: header, claims: claims, key: key ?? JOSETestKeys.key(for: algorithm), algorithm: algorithm)
    }

    private func assertRejected(
        _ token: String,
        with code: JWTError.Code,
        _ name: String,
        keySet: JWKS? = nil,
        now: Date = JWTValidatorTests.now,
        leeway: TimeInterval = 0,
        reasonContains fragment: String? = nil,
        file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let validator = JWTValidator(keySet: try keySet ?? standardSet(), leeway: leeway)
        XCTAssertThrowsError(try validator.validate(token, now: now), name, file: file, line: line) { error in
            guard let error = error as? JWTError else {
                return XCTFail("\(name): expected JWTError, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.code, code, "\(name): \(error)", file: file, line: line)
            if let fragment {
                XCTAssertTrue(error.reason.contains(fragment), "\(name): \(error.reason)", file: file, line: line)
            }
        }
    }

    // MARK: - Published vectors

    func testRFC7515A2TokenValidatesBeforeExpiry() throws {
        let token = try JOSEFixture.text("jws", "rfc7515_a2_rs256.jws")
        let jwk = try JWK(json: JOSEFixture.jwk("rfc7515_a2_rs256_public_jwk.json"))
        let validator = JWTValidator(keySet: JWKS(keys: [jwk]))

        let verified = try validator.validate(token, now: Date(timeIntervalSince1970: 1_300_819_379))

        XCTAssertEqual(verified.claims["iss"], "joe")
        XCTAssertEqual(verified.claims["http://example.com/is_root"], true)
        XCTAssertEqual(verified.expiresAt, Date(timeIntervalSince1970: 1_300_819_380))
    }

    func testRFC7515A2TokenExpiresAtExp() throws {
        let token = try JOSEFixture.text("jws", "rfc7515_a2_rs256.jws")
        let keySet = JWKS(keys: [try JWK(json: JOSEFixture.jwk("rfc7515_a2_rs256_public_jwk.json"))])

        try assertRejected(token, with: .expired, "at exp", keySet: keySet, now: Date(timeIntervalSince1970: 1_300_819_380))
    }

    func testRFC7515A1HS256TokenIsRejectedAsSymmetric() throws {
        let token = try JOSEFixture.text("jws", "rfc7515_a1_hs256.jws")
        let keySet = JWKS(keys: [try JWK(json: JOSEFixture.jwk("rfc7515_a2_rs256_public_jwk.json"))])

        try assertRejected(
            token, with: .symmetricAlgorithm, "RFC 7515 A.1", keySet: keySet,
            now: Date(timeIntervalSince1970: 1_300_000_000),
            reasonContains: "symmetric algorithms are not accepted for these keys"
        )
    }

    // MARK: - Rejections

    func testUnsecuredTokensAreRejected() throws {
        let claims = Self.validClaims
        let noSignature = String(try Self.signed(.es256, kid: "ec").split(separator: ".").dropLast().joined(separator: ".")) + "."
        let cases: [(name: String, token: String)] = [
            ("alg none, empty signature", try Self.compact(header: #"{"alg":"none"}"#, claims: claims).dropLastPart() + "."),
            ("alg none with a signature", try Self.compact(header: #"{"alg":"none","kid":"ec"}"#, claims: claims)),
            ("alg None", try Self.compact(header: #"{"alg":"None"}"#, claims: claims)),
            ("alg NONE", try Self.compact(header: #"{"alg":"NONE"}"#, claims: claims)),
            ("alg nOnE", try Self.compact(header: #"{"alg":"nOnE"}"#, claims: claims)),
            ("ES256 with an empty signature", noSignature),
        ]
        for (name, token) in cases {
            try assertRejected(token, with: .unsecuredToken, name)
        }
    }

    func testSymmetricAlgorithmsAreRejected() throws {
        for name in ["HS256", "HS384", "HS512"] {
            let token = try Self.compact(header: #"{"alg":"\#(name)","kid":"rsa"}"#, claims: Self.validClaims)

            try assertRejected(token, with: .symmetricAlgorithm, name, reasonContains: "symmetric algorithms are not accepted for these keys")
        }
    }

    func testUnsupportedAlgorithmsAreRejected() throws {
        for name in ["ES512", "PS384", "PS512", "RS1", "ES256K", "Ed25519", "hs256", "rs256", ""] {
            let token = try Self.compact(header: #"{"alg":"\#(name)","kid":"ec"}"#, claims: Self.validClaims)

            try assertRejected(token, with: .unsupportedAlgorithm, "alg \"\(name)\"", reasonContains: "is not supported")
        }
    }

    func testAlgorithmThatDoesNotFitKeyIsRejected() throws {
        let cases: [(name: String, token: String)] = [
            ("RS256 header, EC key", try Self.signed(.rs256, kid: "ec")),
            ("PS256 header, Ed25519 key", try Self.signed(.ps256, kid: "ed")),
            ("ES256 header, RSA key", try Self.signed(.es256, kid: "rsa")),
            ("ES256 header, P-384 key", try Self.signed(.es256, kid: "ec384")),
            ("ES384 header, P-256 key", try Self.signed(.es384, kid: "ec")),
            ("EdDSA header, EC key", try Self.signed(.edDSA, kid: "ec")),
        ]
        for (name, token) in cases {
            try assertRejected(token, with: .algorithmMismatch, name)
        }
    }

    func testRSAKeyBelow2048BitsIsRejected() throws {
        let small = try JWK(json: JOSEFixture.json("jwt", "rsa1024_public_jwk.json"))
        let token = try Self.compact(header: #"{"alg":"RS256","kid":"rsa1024"}"#, claims: Self.validClaims)

        try assertRejected(token, with: .algorithmMismatch, "RSA-1024", keySet: JWKS(keys: [small]), reasonContains: "at least 2048 bits")
    }

    func testKeyAlgorithmMemberMustMatch() throws {
        let keySet = JWKS(keys: [try JWTTestSupport.jwk(JOSETestKeys.rsa2048, kid: "rsa", algorithm: "PS256")])

        try assertRejected(try Self.signed(.rs256, kid: "rsa"), with: .keyAlgorithmMismatch, "RS256 token, PS256 key", keySet: keySet)
    }

    func testKeySelectionFailuresAreRejected() throws {
        let unsupported = try JSONValue(parsing: #"{"keys":[{"kty":"EC","crv":"P-521","kid":"p521","x":"AA","y":"AA"}]}"#)
        let cases: [(name: String, token: String, keySet: JWKS, code: JWTError.Code, fragment: String?)] = [
            ("kid not in set", try Self.signed(.es256, kid: "missing"), try standardSet(), .keyNotFound, "\"missing\""),
            ("kid only on an unsupported key", try Self.signed(.es256, kid: "p521"), try JWKS(json: unsupported), .keyNotFound, "not supported"),
            ("no kid, several keys", try Self.signed(.es256, kid: nil), try standardSet(), .keyIDRequired, nil),
            ("no kid, empty set", try Self.signed(.es256, kid: nil), JWKS(keys: []), .keyNotFound, "no supported keys"),
            ("kid, empty set", try Self.signed(.es256, kid: "ec"), JWKS(keys: []), .keyNotFound, nil),
        ]
        for (name, token, keySet, code, fragment) in cases {
            try assertRejected(token, with: code, name, keySet: keySet, reasonContains: fragment)
        }
    }

    func testDuplicateKeyIDThatFitsTwiceIsRejected() throws {
        let keySet = JWKS(keys: [
            try JWTTestSupport.jwk(JOSETestKeys.ecP256, kid: "same"),
            try JWTTestSupport.jwk(Self.otherP256, kid: "same"),
        ])

        try assertRejected(try Self.signed(.es256, kid: "same"), with: .duplicateKeyID, "two P-256 keys", keySet: keySet)
    }

    func testKeysNotMeantForVerificationAreRejected() throws {
        var encryptionOnly = try JWTTestSupport.jwk(JOSETestKeys.ecP256, kid: "ec")
        encryptionOnly.keyOperations = ["encrypt", "wrapKey"]
        let cases: [(name: String, key: JWK)] = [
            ("use enc", try JWTTestSupport.jwk(JOSETestKeys.ecP256, kid: "ec", use: "enc")),
            ("key_ops without verify", encryptionOnly),
        ]
        for (name, key) in cases {
            try assertRejected(try Self.signed(.es256, kid: "ec"), with: .keyNotForVerification, name, keySet: JWKS(keys: [key]))
        }
    }

    func testBadSignaturesAreRejected() throws {
        let good = try Self.signed(.es256, kid: "ec")
        let parts = good.split(separator: ".").map(String.init)
        var flipped = try Base64URL.decode(parts[2])
        flipped[10] ^= 0x01
        let otherClaims = Base64URL.encode(Array(#"{"sub":"admin","iat":1700000000,"exp":1700003600}"#.utf8))
        let rsaGood = try Self.signed(.rs256, kid: "rsa").split(separator: ".").map(String.init)
        var rsaFlipped = try Base64URL.decode(rsaGood[2])
        rsaFlipped[0] ^= 0x80
        let cases: [(name: String, token: String)] = [
            ("flipped bit", parts[0] + "." + parts[1] + "." + Base64URL.encode(flipped)),
            ("claims swapped", parts[0] + "." + otherClaims + "." + parts[2]),
            ("signed by another P-256 key", try Self.signed(.es256, kid: "ec", key: Self.otherP256)),
            ("signature one byte short", parts[0] + "." + parts[1] + "." + Base64URL.encode(Array(flipped.dropLast()))),
            ("RSA flipped bit", rsaGood[0] + "." + rsaGood[1] + "." + Base64URL.encode(rsaFlipped)),
            ("Ed25519 key, arbitrary 64-byte signature", try Self.compact(header: #"{"alg":"EdDSA","kid":"ed"}"#, claims: Self.validClaims)),
        ]
        for (name, token) in cases {
            try assertRejected(token, with: .invalidSignature, name)
        }
    }

    func testMalformedTokensAreRejected() throws {
        let good = try Self.signed(.es256, kid: "ec")
        let parts = good.split(separator: ".").map(String.init)
        let header = parts[0]
        let claims = parts[1]
        let signature = parts[2]
        func encoded(_ text: String) -> String {
            Base64URL.encode(Array(text.utf8))
        }
        let cases: [(name: String, token: String, fragment: String?)] = [
            ("empty text", "", "found 1"),
            ("one part", header, "found 1"),
            ("two parts", header + "." + claims, "found 2"),
            ("four parts", good + ".x", "found 4"),
            ("five parts", good + ".x.y", "JWE"),
            ("empty header", "." + claims + "." + signature, "header part is empty"),
            ("empty claims", header + ".." + signature, "claims part is empty"),
            ("header with standard base64", header + "+." + claims + "." + signature, "base64url"),
            ("header with padding", header + "=." + claims + "." + signature, "base64url"),
            ("header not JSON", encoded("alg") + "." + claims + "." + signature, "not valid JSON"),
            ("header is an array", encoded(#"["ES256"]"#) + "." + claims + "." + signature, "JSON object"),
            ("header with duplicate alg", encoded(#"{"alg":"ES256","alg":"ES256"}"#) + "." + claims + "." + signature, "not valid JSON"),
            ("header without alg", encoded(#"{"kid":"ec"}"#) + "." + claims + "." + signature, "no \"alg\""),
            ("numeric alg", encoded(#"{"alg":256}"#) + "." + claims + "." + signature, "\"alg\" must be a string"),
            ("null alg", encoded(#"{"alg":null}"#) + "." + claims + "." + signature, "\"alg\" must be a string"),
            ("numeric kid", encoded(#"{"alg":"ES256","kid":1}"#) + "." + claims + "." + signature, "\"kid\" must be a string"),
            ("claims not base64url", header + "." + claims + "*." + signature, "base64url"),
            ("claims not JSON", header + "." + encoded("sub=x") + "." + signature, "not valid JSON"),
            ("claims is an array", header + "." + encoded("[1,2]") + "." + signature, "JSON object"),
            ("claims is a string", header + "." + encoded(#""x""#) + "." + signature, "JSON object"),
            ("signature not base64url", header + "." + claims + "." + signature + "!", "base64url"),
            ("surrounding whitespace", " " + good, "base64url"),
        ]
        for (name, token, fragment) in cases {
            try assertRejected(token, with: .malformedToken, name, reasonContains: fragment)
        }
    }

    func testCriticalHeaderIsRejected() throws {
        let token = try Self.signed(.es256, kid: "ec", extraHeader: #","crit":["exp"],"exp":1"#)

        try assertRejected(token, with: .unsupportedCriticalHeader, "crit")
    }

    func testMalformedTimeClaimsAreRejected() throws {
        let cases: [(name: String, claims: String)] = [
            ("exp string", #"{"exp":"1700003600"}"#),
            ("exp null", #"{"exp":null}"#),
            ("nbf bool", #"{"exp":1700003600,"nbf":true}"#),
            ("iat object", #"{"exp":1700003600,"iat":{}}"#),
        ]
        for (name, claims) in cases {
            try assertRejected(try Self.signed(.es256, kid: "ec", claims: claims), with: .invalidClaim, name)
        }
    }

    func testMissingExpirationIsRejectedByDefault() throws {
        let token = try Self.signed(.es256, kid: "ec", claims: #"{"sub":"x"}"#)

        try assertRejected(token, with: .missingExpiration, "no exp")
    }

    func testMissingExpirationIsAcceptedWhenAllowed() throws {
        let token = try Self.signed(.es256, kid: "ec", claims: #"{"sub":"x","nbf":1700000000}"#)
        let validator = JWTValidator(keySet: try standardSet(), requiresExpiration: false)

        XCTAssertNoThrow(try validator.validate(token, now: Self.now))
    }

    // MARK: - Time checks

    func testExpirationBoundaries() throws {
        let cases: [(name: String, exp: String, leeway: TimeInterval, expired: Bool)] = [
            ("exp one second ahead", "1700000001", 0, false),
            ("exp half a second ahead", "1700000000.5", 0, false),
            ("exp equals now", "1700000000", 0, true),
            ("exp half a second ago", "1699999999.5", 0, true),
            ("exp an hour ago", "1699996400", 0, true),
            ("exp 30 s ago, leeway 60 s", "1699999970", 60, false),
            ("exp 60 s ago, leeway 60 s", "1699999940", 60, true),
            ("exp in exponent form", "1.7000036e9", 0, false),
        ]
        for (name, exp, leeway, expired) in cases {
            let token = try Self.signed(.es256, kid: "ec", claims: #"{"exp":\#(exp)}"#)
            if expired {
                try assertRejected(token, with: .expired, name, leeway: leeway, reasonContains: "expired at")
            } else {
                let validator = JWTValidator(keySet: try standardSet(), leeway: leeway)
                XCTAssertNoThrow(try validator.validate(token, now: Self.now), name)
            }
        }
    }

    func testNotBeforeBoundaries() throws {
        let cases: [(name: String, nbf: String, leeway: TimeInterval, early: Bool)] = [
            ("nbf equals now", "1700000000", 0, false),
            ("nbf a second ago", "1699999999", 0, false),
            ("nbf a quarter second ahead", "1700000000.25", 0, true),
            ("nbf a minute ahead", "1700000060", 0, true),
            ("nbf 30 s ahead, leeway 60 s", "1700000030", 60, false),
            ("nbf 61 s ahead, leeway 60 s", "1700000061", 60, true),
        ]
        for (name, nbf, leeway, early) in cases {
            let token = try Self.signed(.es256, kid: "ec", claims: #"{"exp":1700003600,"nbf":\#(nbf)}"#)
            if early {
                try assertRejected(token, with: .notYetValid, name, leeway: leeway, reasonContains: "not valid before")
            } else {
                let validator = JWTValidator(keySet: try standardSet(), leeway: leeway)
                XCTAssertNoThrow(try validator.validate(token, now: Self.now), name)
            }
        }
    }

    func testExpiredMessageNamesTimesAndLeeway() throws {
        let token = try Self.signed(.es256, kid: "ec", claims: #"{"exp":1699999000}"#)

        try assertRejected(
            token, with: .expired, "message", leeway: 5,
            reasonContains: "2023-11-14T21:56:40Z (exp 1699999000); it is now 2023-11-14T22:13:20Z, with a leeway of 5 s"
        )
    }

    func testSignatureIsCheckedBeforeClaims() throws {
        let token = try Self.signed(.es256, kid: "ec", claims: #"{"exp":"soon"}"#, key: Self.otherP256)

        try assertRejected(token, with: .invalidSignature, "forged token with a bad exp")
    }

    // MARK: - Accepted tokens

    func testTokenWithoutKidUsesOnlyKey() throws {
        let keySet = JWKS(keys: [try JWTTestSupport.jwk(JOSETestKeys.ed25519, kid: nil)])
        let token = try Self.signed(.edDSA, kid: nil)

        let verified = try JWTValidator(keySet: keySet).validate(token, now: Self.now)

        XCTAssertNil(verified.header.keyID)
        XCTAssertNil(verified.key.keyID)
        XCTAssertEqual(verified.claims["sub"], "x")
    }

    func testDuplicateKeyIDResolvesByKeyType() throws {
        let keySet = JWKS(keys: [
            try JWTTestSupport.jwk(JOSETestKeys.rsa2048, kid: "same"),
            try JWTTestSupport.jwk(JOSETestKeys.ecP256, kid: "same"),
        ])

        let verified = try JWTValidator(keySet: keySet).validate(try Self.signed(.es256, kid: "same"), now: Self.now)

        XCTAssertEqual(verified.key.keyType, "EC")
    }

    func testKeyMarkedForSignaturesIsAccepted() throws {
        var key = try JWTTestSupport.jwk(JOSETestKeys.ecP256, kid: "ec", algorithm: "ES256", use: "sig")
        key.keyOperations = ["verify"]

        XCTAssertNoThrow(try JWTValidator(keySet: JWKS(keys: [key])).validate(try Self.signed(.es256, kid: "ec"), now: Self.now))
    }

    func testUnknownHeaderMembersAndTypAreKept() throws {
        let token = try Self.signed(.es256, kid: "ec", extraHeader: #","typ":"at+jwt","x-trace":"abc""#)

        let verified = try JWTValidator(keySet: try standardSet()).validate(token, now: Self.now)

        XCTAssertEqual(verified.header.members["typ"], "at+jwt")
        XCTAssertEqual(verified.header.members["x-trace"], "abc")
    }

    func testHostileKidIsEscapedAndShortenedInMessage() throws {
        let hostile = "\u{1B}[31m" + String(repeating: "k", count: 200)
        let token = try Self.compact(
            header: try JCS.canonicalString(["alg": "ES256", "kid": .string(hostile)]),
            claims: Self.validClaims, key: JOSETestKeys.ecP256, algorithm: .es256
        )

        XCTAssertThrowsError(try JWTValidator(keySet: try standardSet()).validate(token, now: Self.now)) { error in
            let reason = (error as? JWTError)?.reason ?? ""
            XCTAssertEqual((error as? JWTError)?.code, .keyNotFound)
            XCTAssertFalse(reason.contains("\u{1B}"), reason)
            XCTAssertTrue(reason.contains("\\u001b[31m"), reason)
            XCTAssertLessThan(reason.count, 200, reason)
        }
    }
}

private extension String {
    /// Returns the text before the last ".".
    func dropLastPart() -> String {
        guard let dot = lastIndex(of: ".") else {
            return self
        }
        return String(self[..<dot])
    }
}
