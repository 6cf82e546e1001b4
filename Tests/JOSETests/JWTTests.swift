import Foundation
import JOSE
import OpenSSLBridge
import XCTest

/// Builds JWK Sets and decodes token parts for the JWT tests.
enum JWTTestSupport {
    /// A fixed time in whole seconds: 2023-11-14T22:13:20Z.
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// Returns the public JWK of `key` with `kid` and optional members.
    static func jwk(_ key: PrivateKey, kid: String?, algorithm: String? = nil, use: String? = nil) throws -> JWK {
        try JWK(publicKey: key.publicKey(), keyID: kid, algorithm: algorithm, use: use)
    }

    /// Decodes the base64url JSON object in part `index` of a compact token.
    static func decodedPart(_ token: String, _ index: Int) throws -> JSONValue {
        let part = token.split(separator: ".", omittingEmptySubsequences: false)[index]
        return try JSONValue(parsing: Base64URL.decode(part))
    }
}

final class JWTTests: XCTestCase {
    func testIssueWritesHeaderAndClaims() throws {
        let key = JOSETestKeys.ecP256

        let token = try JWT.issue(
            claims: ["sub": "deploy-bot", "aud": ["a", "b"]],
            key: key, algorithm: .es256, keyID: "key-1",
            timeToLive: 600, issuedAt: JWTTestSupport.now
        )

        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        XCTAssertEqual(parts.count, 3)
        XCTAssertEqual(
            String(decoding: try Base64URL.decode(parts[0]), as: UTF8.self),
            #"{"alg":"ES256","kid":"key-1","typ":"JWT"}"#
        )
        XCTAssertEqual(
            String(decoding: try Base64URL.decode(parts[1]), as: UTF8.self),
            #"{"aud":["a","b"],"exp":1700000600,"iat":1700000000,"sub":"deploy-bot"}"#
        )
    }

    func testIssueWritesNotBefore() throws {
        let token = try JWT.issue(
            key: JOSETestKeys.ed25519, algorithm: .edDSA, keyID: "k",
            timeToLive: 60, notBefore: JWTTestSupport.now.addingTimeInterval(30), issuedAt: JWTTestSupport.now
        )

        let claims = try JWTTestSupport.decodedPart(token, 1)
        XCTAssertEqual(claims["nbf"], 1_700_000_030)
        XCTAssertEqual(claims["iat"], 1_700_000_000)
        XCTAssertEqual(claims["exp"], 1_700_000_060)
    }

    func testIssueKeepsFractionalSeconds() throws {
        let token = try JWT.issue(
            key: JOSETestKeys.ecP256, algorithm: .es256, keyID: "k",
            timeToLive: 10, issuedAt: Date(timeIntervalSince1970: 1_700_000_000.5)
        )

        let claims = try JWTTestSupport.decodedPart(token, 1)
        XCTAssertEqual(claims["iat"], 1_700_000_000.5)
        XCTAssertEqual(claims["exp"], 1_700_000_010.5)
    }

    func testEveryAlgorithmRoundTrips() throws {
        for algorithm in JWSAlgorithm.allCases {
            let key = JOSETestKeys.key(for: algorithm)
            let jwk = try JWTTestSupport.jwk(key, kid: "kid-\(algorithm.rawValue)")
            let validator = JWTValidator(keySet: JWKS(keys: [jwk]))

            let token = try JWT.issue(
                claims: ["sub": "round-trip"], key: key, algorithm: algorithm,
                keyID: "kid-\(algorithm.rawValue)", timeToLive: 3600, issuedAt: JWTTestSupport.now
            )
            let verified = try validator.validate(token, now: JWTTestSupport.now.addingTimeInterval(10))

            XCTAssertEqual(verified.header.algorithm, algorithm)
            XCTAssertEqual(verified.header.keyID, "kid-\(algorithm.rawValue)", algorithm.rawValue)
            XCTAssertEqual(verified.header.members["typ"], "JWT", algorithm.rawValue)
            XCTAssertEqual(verified.claims["sub"], "round-trip", algorithm.rawValue)
            XCTAssertEqual(verified.issuedAt, JWTTestSupport.now, algorithm.rawValue)
            XCTAssertEqual(verified.expiresAt, JWTTestSupport.now.addingTimeInterval(3600), algorithm.rawValue)
            XCTAssertNil(verified.notBefore, algorithm.rawValue)
            XCTAssertEqual(verified.key, jwk, algorithm.rawValue)
        }
    }

    func testEveryAlgorithmRoundTripsInSharedSet() throws {
        var keys: [JWK] = []
        for algorithm in JWSAlgorithm.allCases {
            keys.append(try JWTTestSupport.jwk(JOSETestKeys.key(for: algorithm), kid: algorithm.rawValue, algorithm: algorithm.rawValue))
        }
        let validator = JWTValidator(keySet: JWKS(keys: keys))

        for algorithm in JWSAlgorithm.allCases {
            let token = try JWT.issue(
                key: JOSETestKeys.key(for: algorithm), algorithm: algorithm,
                keyID: algorithm.rawValue, timeToLive: 60, issuedAt: JWTTestSupport.now
            )
            XCTAssertNoThrow(try validator.validate(token, now: JWTTestSupport.now), algorithm.rawValue)
        }
    }

    func testIssueRejectsComputedClaims() throws {
        for name in ["iat", "exp", "nbf"] {
            XCTAssertThrowsError(
                try JWT.issue(claims: [name: 1], key: JOSETestKeys.ecP256, algorithm: .es256, keyID: "k", timeToLive: 60),
                name
            ) { error in
                XCTAssertEqual((error as? JWTError)?.code, .invalidClaim, name)
                XCTAssertTrue(String(describing: error).contains("\"\(name)\""), "\(name): \(error)")
            }
        }
    }

    func testIssueRejectsInvalidTimeToLive() throws {
        for timeToLive in [0, -1, TimeInterval.infinity, TimeInterval.nan] {
            XCTAssertThrowsError(
                try JWT.issue(key: JOSETestKeys.ecP256, algorithm: .es256, keyID: "k", timeToLive: timeToLive),
                "\(timeToLive)"
            ) { error in
                XCTAssertEqual((error as? JWTError)?.code, .invalidClaim, "\(timeToLive)")
            }
        }
    }

    func testIssueRejectsAlgorithmThatDoesNotFitKey() throws {
        let cases: [(JWSAlgorithm, PrivateKey)] = [
            (.rs256, JOSETestKeys.ecP256),
            (.es256, JOSETestKeys.rsa2048),
            (.es384, JOSETestKeys.ecP256),
            (.edDSA, JOSETestKeys.ecP384),
        ]
        for (algorithm, key) in cases {
            XCTAssertThrowsError(
                try JWT.issue(key: key, algorithm: algorithm, keyID: "k", timeToLive: 60),
                "\(algorithm.rawValue) with \(key.spec)"
            ) { error in
                XCTAssertEqual((error as? JWTError)?.code, .algorithmMismatch, "\(algorithm.rawValue): \(error)")
            }
        }
    }

    func testIssueRejectsUnencodableClaim() throws {
        XCTAssertThrowsError(
            try JWT.issue(claims: ["n": .number(.nan)], key: JOSETestKeys.ecP256, algorithm: .es256, keyID: "k", timeToLive: 60)
        ) { error in
            XCTAssertEqual((error as? JWTError)?.code, .invalidClaim)
        }
    }

    func testIssueRejectsUnencodableKeyID() throws {
        XCTAssertThrowsError(
            try JWT.issue(key: JOSETestKeys.ecP256, algorithm: .es256, keyID: "bad\u{FFFF}", timeToLive: 60)
        ) { error in
            XCTAssertEqual((error as? JWTError)?.code, .invalidHeader)
        }
    }
}
