import JOSE
import OpenSSLBridge
import XCTest

/// Keys generated once per test run, because RSA generation takes a while.
enum JOSETestKeys {
    static let rsa2048 = generate(.rsa(bits: 2048))
    static let ecP256 = generate(.ec(.p256))
    static let ecP384 = generate(.ec(.p384))
    static let ed25519 = generate(.ed25519)

    static func key(for spec: KeySpec) -> PrivateKey {
        switch spec {
        case .rsa: rsa2048
        case .ec(.p256): ecP256
        case .ec(.p384): ecP384
        case .ed25519: ed25519
        }
    }

    /// Returns a key that fits `algorithm`.
    static func key(for algorithm: JWSAlgorithm) -> PrivateKey {
        switch algorithm {
        case .rs256, .rs384, .rs512, .ps256: rsa2048
        case .es256: ecP256
        case .es384: ecP384
        case .edDSA: ed25519
        }
    }

    private static func generate(_ spec: KeySpec) -> PrivateKey {
        do {
            return try PrivateKey.generate(spec)
        } catch {
            fatalError("could not generate a \(spec) test key: \(error)")
        }
    }
}

final class JWSTests: XCTestCase {
    private let payload = Array("{\"sequence\":1,\"kind\":\"genesis\"}".utf8)

    // MARK: - Published vectors

    func testRFC7515A2RS256Verifies() throws {
        let key = try JWK(json: JOSEFixture.jwk("rfc7515_a2_rs256_public_jwk.json")).publicKey()

        let (header, payload) = try JWS.verify(JOSEFixture.text("jws", "rfc7515_a2_rs256.jws"), key: key)

        XCTAssertEqual(header.algorithm, .rs256)
        XCTAssertEqual(header.encoded, "eyJhbGciOiJSUzI1NiJ9")
        XCTAssertEqual(payload, Array("{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}".utf8))
    }

    func testRFC7515A2RS256ReSigningReproducesJWS() throws {
        let key = try PrivateKey(pem: JOSEFixture.text("jws", "rfc7515_a2_rs256_private_key.pem"))
        let expected = try JOSEFixture.text("jws", "rfc7515_a2_rs256.jws")
        let payload = Array("{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}".utf8)

        let compact = try JWS.sign(payload: payload, key: key, algorithm: .rs256, header: [:])

        XCTAssertEqual(compact, expected)
    }

    func testRFC7515A3ES256Verifies() throws {
        let key = try JWK(json: JOSEFixture.jwk("rfc7515_a3_es256_public_jwk.json")).publicKey()

        let (header, _) = try JWS.verify(JOSEFixture.text("jws", "rfc7515_a3_es256.jws"), key: key)

        XCTAssertEqual(header.algorithm, .es256)
        XCTAssertNil(header.keyID)
    }

    func testRFC8037A4EdDSAVerifies() throws {
        let key = try JWK(json: JOSEFixture.jwk("rfc8037_ed25519_public_jwk.json")).publicKey()

        let (header, payload) = try JWS.verify(JOSEFixture.text("jws", "rfc8037_a4_eddsa.jws"), key: key)

        XCTAssertEqual(header.algorithm, .edDSA)
        XCTAssertEqual(payload, Array("Example of Ed25519 signing".utf8))
    }

    func testRFC8037A4ReSigningReproducesJWS() throws {
        let key = try PrivateKey(pem: JOSEFixture.text("jws", "rfc8037_ed25519_private_key.pem"))

        let compact = try JWS.sign(payload: Array("Example of Ed25519 signing".utf8), key: key, algorithm: .edDSA, header: [:])

        XCTAssertEqual(compact, try JOSEFixture.text("jws", "rfc8037_a4_eddsa.jws"))
    }

    func testRFC7515A1HS256WithRSAKeyIsRejected() throws {
        let key = try JWK(json: JOSEFixture.jwk("rfc7515_a2_rs256_public_jwk.json")).publicKey()

        XCTAssertThrowsError(try JWS.verify(JOSEFixture.text("jws", "rfc7515_a1_hs256.jws"), key: key)) { error in
            XCTAssertEqual((error as? JOSEError)?.code, .algorithmNotAllowed, "\(error)")
        }
    }

    // MARK: - Round trips

    func testAttachedRoundTripEveryAlgorithm() throws {
        for algorithm in JWSAlgorithm.allCases {
            let key = JOSETestKeys.key(for: algorithm)

            let compact = try JWS.sign(payload: payload, key: key, algorithm: algorithm, header: ["kid": "k1", "typ": "JWT"])
            let (header, verifiedPayload) = try JWS.verify(compact, key: key.publicKey())

            XCTAssertEqual(header.algorithm, algorithm)
            XCTAssertEqual(header.keyID, "k1", "\(algorithm)")
            XCTAssertEqual(header.members["typ"], "JWT", "\(algorithm)")
            XCTAssertEqual(verifiedPayload, payload, "\(algorithm)")
        }
    }

    func testDetachedRoundTripEveryAlgorithm() throws {
        for algorithm in JWSAlgorithm.allCases {
            let key = JOSETestKeys.key(for: algorithm)

            let compact = try JWS.signDetached(payload: payload, key: key, algorithm: algorithm, keyID: "ledger-key")
            let header = try JWS.verifyDetached(compact, payload: payload, key: key.publicKey())

            XCTAssertTrue(compact.contains(".."), "\(algorithm): \(compact)")
            XCTAssertEqual(header.algorithm, algorithm)
            XCTAssertEqual(header.keyID, "ledger-key", "\(algorithm)")
        }
    }

    func testDetachedHeaderIsCanonicalJSON() throws {
        let compact = try JWS.signDetached(payload: payload, key: JOSETestKeys.ecP256, algorithm: .es256, keyID: "abc")
        let encodedHeader = try XCTUnwrap(compact.split(separator: ".", omittingEmptySubsequences: false).first)

        XCTAssertEqual(try Base64URL.decode(encodedHeader), Array("{\"alg\":\"ES256\",\"kid\":\"abc\"}".utf8))
    }

    func testDetachedHeaderIncludesExtraMembers() throws {
        let compact = try JWS.signDetached(
            payload: payload, key: JOSETestKeys.ed25519, algorithm: .edDSA, keyID: "k", header: ["typ": "keyledger+jws"]
        )

        let header = try JWS.verifyDetached(compact, payload: payload, key: JOSETestKeys.ed25519.publicKey())

        XCTAssertEqual(header.members["typ"], "keyledger+jws")
    }

    func testParseReturnsExactSigningInput() throws {
        let compact = try JOSEFixture.text("jws", "rfc7515_a3_es256.jws")
        let parts = compact.split(separator: ".")

        let parsed = try JWS.parse(compact)

        XCTAssertEqual(parsed.signingInput, Array("\(parts[0]).\(parts[1])".utf8))
        XCTAssertEqual(parsed.signature.count, 64)
        XCTAssertEqual(parsed.header.encoded, String(parts[0]))
    }

    // MARK: - Rejections

    func testTamperedAttachedJWSFails() throws {
        for algorithm in JWSAlgorithm.allCases {
            let key = JOSETestKeys.key(for: algorithm)
            let compact = try JWS.sign(payload: payload, key: key, algorithm: algorithm, header: [:])
            let parts = compact.split(separator: ".").map(String.init)
            let otherPayload = Base64URL.encode(Array("{\"sequence\":2}".utf8))
            var signature = try Base64URL.decode(parts[2])
            signature[signature.count / 2] ^= 0x01

            let tampered = [
                "payload": [parts[0], otherPayload, parts[2]].joined(separator: "."),
                "signature": [parts[0], parts[1], Base64URL.encode(signature)].joined(separator: "."),
            ]
            for (name, text) in tampered {
                XCTAssertThrowsError(try JWS.verify(text, key: key.publicKey()), "\(algorithm) \(name)") { error in
                    XCTAssertEqual((error as? JOSEError)?.code, .invalidSignature, "\(algorithm) \(name): \(error)")
                }
            }
        }
    }

    func testDetachedWithOtherPayloadFails() throws {
        for algorithm in JWSAlgorithm.allCases {
            let key = JOSETestKeys.key(for: algorithm)
            let compact = try JWS.signDetached(payload: payload, key: key, algorithm: algorithm, keyID: "k")

            XCTAssertThrowsError(try JWS.verifyDetached(compact, payload: payload + [0], key: key.publicKey())) { error in
                XCTAssertEqual((error as? JOSEError)?.code, .invalidSignature, "\(algorithm): \(error)")
            }
        }
    }

    func testAlgorithmThatDoesNotFitKeyIsRejected() throws {
        let compact = try JWS.sign(payload: payload, key: JOSETestKeys.ecP256, algorithm: .es256, header: [:])
        let keys = [JOSETestKeys.ecP384, JOSETestKeys.rsa2048, JOSETestKeys.ed25519]

        for key in keys {
            XCTAssertThrowsError(try JWS.verify(compact, key: key.publicKey()), "\(key.spec)") { error in
                XCTAssertEqual((error as? JOSEError)?.code, .algorithmMismatch, "\(key.spec): \(error)")
            }
        }
    }

    func testSigningWithUnfitAlgorithmIsRejected() throws {
        let cases: [(key: PrivateKey, algorithm: JWSAlgorithm)] = [
            (JOSETestKeys.ecP256, .es384),
            (JOSETestKeys.ecP384, .es256),
            (JOSETestKeys.ed25519, .rs256),
            (JOSETestKeys.rsa2048, .edDSA),
        ]
        for (key, algorithm) in cases {
            XCTAssertThrowsError(try JWS.sign(payload: payload, key: key, algorithm: algorithm, header: [:])) { error in
                XCTAssertEqual((error as? JOSEError)?.code, .algorithmMismatch, "\(algorithm) with \(key.spec)")
            }
        }
    }

    func testSmallRSAKeyDoesNotFitRS256() throws {
        XCTAssertFalse(JWSAlgorithm.rs256.fits(.rsa(bits: 1024)))
        XCTAssertTrue(JWSAlgorithm.rs256.fits(.rsa(bits: 2048)))
        XCTAssertNil(JWSAlgorithm.defaultAlgorithm(for: .rsa(bits: 1024)))
    }

    func testDefaultAlgorithmsFitTheirKeys() {
        let cases: [(spec: KeySpec, algorithm: JWSAlgorithm)] = [
            (.rsa(bits: 3072), .rs256),
            (.ec(.p256), .es256),
            (.ec(.p384), .es384),
            (.ed25519, .edDSA),
        ]
        for (spec, algorithm) in cases {
            XCTAssertEqual(JWSAlgorithm.defaultAlgorithm(for: spec), algorithm, "\(spec)")
            XCTAssertTrue(algorithm.fits(spec), "\(spec)")
        }
    }

    func testRejectedHeaders() throws {
        let key = try JOSETestKeys.rsa2048.publicKey()
        let signature = Base64URL.encode([UInt8](repeating: 1, count: 256))
        let encodedPayload = Base64URL.encode(payload)
        func compact(_ header: String) -> String {
            Base64URL.encode(Array(header.utf8)) + "." + encodedPayload + "." + signature
        }
        let cases: [(name: String, compact: String, code: JOSEError.Code)] = [
            ("alg none", compact("{\"alg\":\"none\"}"), .algorithmNotAllowed),
            ("alg none with empty signature", Base64URL.encode(Array("{\"alg\":\"none\"}".utf8)) + "." + encodedPayload + ".", .invalidJWS),
            ("alg HS256", compact("{\"alg\":\"HS256\"}"), .algorithmNotAllowed),
            ("alg HS512", compact("{\"alg\":\"HS512\"}"), .algorithmNotAllowed),
            ("unknown alg", compact("{\"alg\":\"RS1\"}"), .algorithmNotAllowed),
            ("lowercase alg", compact("{\"alg\":\"rs256\"}"), .algorithmNotAllowed),
            ("missing alg", compact("{\"kid\":\"k\"}"), .invalidJWS),
            ("numeric alg", compact("{\"alg\":256}"), .invalidJWS),
            ("numeric kid", compact("{\"alg\":\"RS256\",\"kid\":1}"), .invalidJWS),
            ("crit", compact("{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1}"), .unsupportedCriticalHeader),
            ("duplicate alg", compact("{\"alg\":\"RS256\",\"alg\":\"none\"}"), .invalidJWS),
            ("header not an object", compact("[\"RS256\"]"), .invalidJWS),
            ("header not JSON", compact("alg=RS256"), .invalidJWS),
        ]
        for (name, compact, code) in cases {
            XCTAssertThrowsError(try JWS.verify(compact, key: key), name) { error in
                XCTAssertEqual((error as? JOSEError)?.code, code, "\(name): \(error)")
            }
        }
    }

    func testMalformedCompactSerializations() throws {
        let key = try JOSETestKeys.ed25519.publicKey()
        let valid = try JWS.sign(payload: payload, key: JOSETestKeys.ed25519, algorithm: .edDSA, header: [:])
        let parts = valid.split(separator: ".").map(String.init)
        let cases: [(name: String, compact: String)] = [
            ("empty", ""),
            ("two parts", parts[0] + "." + parts[1]),
            ("four parts", valid + ".AAAA"),
            ("empty header", "." + parts[1] + "." + parts[2]),
            ("empty signature", parts[0] + "." + parts[1] + "."),
            ("padded payload", parts[0] + "." + parts[1] + "=." + parts[2]),
            ("space in signature", parts[0] + "." + parts[1] + "." + parts[2] + " "),
            ("standard base64 signature", parts[0] + "." + parts[1] + "." + parts[2].replacingOccurrences(of: "_", with: "/")),
        ]
        for (name, compact) in cases where compact != valid {
            XCTAssertThrowsError(try JWS.verify(compact, key: key), name) { error in
                XCTAssertEqual((error as? JOSEError)?.code, .invalidJWS, "\(name): \(error)")
            }
        }
    }

    func testDetachedRejectsAttachedPayload() throws {
        let key = JOSETestKeys.ecP256
        let attached = try JWS.sign(payload: payload, key: key, algorithm: .es256, header: [:])

        XCTAssertThrowsError(try JWS.verifyDetached(attached, payload: payload, key: key.publicKey())) { error in
            XCTAssertEqual((error as? JOSEError)?.code, .invalidJWS)
        }
    }

    func testReservedExtraHeaderMembersAreRejected() throws {
        let key = JOSETestKeys.ed25519
        for member in ["alg", "crit", "b64"] {
            XCTAssertThrowsError(try JWS.sign(payload: payload, key: key, algorithm: .edDSA, header: [member: "x"]), member) { error in
                XCTAssertEqual((error as? JOSEError)?.code, .invalidHeader, member)
            }
        }
        XCTAssertThrowsError(try JWS.signDetached(payload: payload, key: key, algorithm: .edDSA, keyID: "k", header: ["kid": "other"])) { error in
            XCTAssertEqual((error as? JOSEError)?.code, .invalidHeader)
        }
    }

    func testVerificationUsesHeaderBytesAsReceived() throws {
        // A header with whitespace and CR LF is signed as received; a
        // verifier that re-serialized the header would compute other bytes.
        let key = JOSETestKeys.ecP256
        let header = Base64URL.encode(Array("{\"alg\":\"ES256\",\r\n \"kid\":\"spaced\"}".utf8))
        let signingInput = header + "." + Base64URL.encode(payload)
        let signature = try key.sign(Array(signingInput.utf8), scheme: .ecdsa(.sha256))
        let compact = signingInput + "." + Base64URL.encode(signature)

        let (parsedHeader, _) = try JWS.verify(compact, key: key.publicKey())

        XCTAssertEqual(parsedHeader.keyID, "spaced")
        XCTAssertEqual(parsedHeader.encoded, header)
    }
}
