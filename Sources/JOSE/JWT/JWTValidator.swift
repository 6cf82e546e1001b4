import Foundation
import OpenSSLBridge

/// Validates compact JWTs against the public keys of a JWK Set.
///
/// A token is accepted only when every check passes. The checks run in this
/// order, and the first failure is thrown:
/// 1. Structure and algorithm. The token has three parts separated by dots.
///    The header is base64url of a JSON object with a string `alg`, which
///    must be one of ``JWSAlgorithm``. Unsecured tokens and HMAC algorithms
///    have their own codes. The signature part is not empty, the header has
///    no `crit`, and its `kid`, if present, is a string. The claims are
///    base64url of a JSON object, and the signature is base64url.
/// 2. Key: the set's key with the token's `kid`, or its only key when the
///    token has no `kid`. The key must be meant for verifying signatures,
///    its type must fit `alg`, and its own `alg` member, if any, must equal
///    the token's.
/// 3. Signature, over the first two parts exactly as received.
/// 4. Time: `exp`, `nbf` and `iat`, if present, are finite numbers of
///    seconds (RFC 7519 section 2, fractions allowed). The token is expired
///    when `exp` <= now - leeway, and not yet valid when `nbf` > now + leeway.
///
/// Claims are checked after the signature, so a forged token is reported as
/// a bad signature rather than by the content of its claims. The validator
/// does not check `iss`, `aud` or other application claims; read them from
/// ``VerifiedJWT/claims``.
public struct JWTValidator: Sendable {
    /// The keys that may have signed a token.
    public let keySet: JWKS
    /// Seconds of clock skew allowed between the issuer and this host, for
    /// both `exp` and `nbf`.
    public let leeway: TimeInterval
    /// Whether a token without an `exp` claim is rejected.
    public let requiresExpiration: Bool

    /// Creates a validator.
    ///
    /// - Parameters:
    ///   - keySet: The keys that may have signed a token. Keys the set keeps
    ///     in ``JWKS/unsupportedKeys`` are never used.
    ///   - leeway: Seconds of clock skew to allow, 0 by default. Allowing a
    ///     minute or two is common when issuer and verifier clocks may drift.
    ///   - requiresExpiration: Whether to reject a token without `exp`, true by default.
    /// - Precondition: `leeway` is finite and not negative.
    public init(keySet: JWKS, leeway: TimeInterval = 0, requiresExpiration: Bool = true) {
        precondition(leeway.isFinite && leeway >= 0, "the leeway must be a finite, non-negative number of seconds")
        self.keySet = keySet
        self.leeway = leeway
        self.requiresExpiration = requiresExpiration
    }

    /// Verifies a compact JWT and checks its validity period.
    ///
    /// - Parameters:
    ///   - token: The compact token, with no surrounding whitespace.
    ///   - now: The time to check `exp` and `nbf` against, the current time by default.
    /// - Returns: The verified header, claims and key.
    /// - Throws: ``JWTError`` with the code of the first check that fails;
    ///   see ``JWTError/Code``.
    public func validate(_ token: String, now: Date = Date()) throws -> VerifiedJWT {
        let parsed = try ParsedJWT(token)
        let key = try selectKey(keyID: parsed.header.keyID, algorithm: parsed.header.algorithm)
        try verifySignature(of: parsed, with: key)
        try checkTimes(parsed.claims, now: now)
        return VerifiedJWT(header: parsed.header, claims: parsed.claims, key: key)
    }

    private func verifySignature(of parsed: ParsedJWT, with jwk: JWK) throws {
        let algorithm = parsed.header.algorithm
        let publicKey: PublicKey
        do {
            publicKey = try jwk.publicKey()
        } catch {
            throw JWTError(.invalidKey, "the \(Self.describe(jwk)) is not a valid public key", underlyingError: error)
        }
        guard algorithm.fits(publicKey.spec) else {
            var reason = "the token's alg \(algorithm.rawValue) does not fit the \(Self.describe(jwk)), a \(publicKey.spec) key"
            if case .rsa(let bits) = publicKey.spec, bits < JWSAlgorithm.minimumRSABits {
                reason += "; RSA algorithms need a key of at least \(JWSAlgorithm.minimumRSABits) bits"
            }
            throw JWTError(.algorithmMismatch, reason)
        }
        if let keyAlgorithm = jwk.algorithm, keyAlgorithm != algorithm.rawValue {
            throw JWTError(
                .keyAlgorithmMismatch,
                "the \(Self.describe(jwk)) is for alg \(JWTError.quoted(keyAlgorithm)) (its \"alg\" member), "
                    + "but the token uses \(algorithm.rawValue)"
            )
        }
        guard publicKey.verify(signature: parsed.signature, for: parsed.signingInput, scheme: algorithm.signatureScheme) else {
            throw JWTError(.invalidSignature, "the \(algorithm.rawValue) signature does not verify with the \(Self.describe(jwk))")
        }
    }

    private func checkTimes(_ claims: [String: JSONValue], now: Date) throws {
        let expiresAt = try Self.numericDate("exp", in: claims)
        let notBefore = try Self.numericDate("nbf", in: claims)
        _ = try Self.numericDate("iat", in: claims)
        let nowSeconds = now.timeIntervalSince1970
        let clock = "it is now \(Self.describe(seconds: nowSeconds)), with a leeway of \(Self.format(leeway)) s"

        if expiresAt == nil && requiresExpiration {
            throw JWTError(.missingExpiration, "the token has no \"exp\" claim, so it would never expire")
        }
        if let expiresAt, expiresAt <= nowSeconds - leeway {
            throw JWTError(.expired, "the token expired at \(Self.describe(seconds: expiresAt, claim: "exp")); \(clock)")
        }
        if let notBefore, notBefore > nowSeconds + leeway {
            throw JWTError(.notYetValid, "the token is not valid before \(Self.describe(seconds: notBefore, claim: "nbf")); \(clock)")
        }
    }

    /// Reads a NumericDate claim (RFC 7519 section 2): seconds since
    /// 1970-01-01T00:00:00Z UTC, which may have a fraction.
    private static func numericDate(_ name: String, in claims: [String: JSONValue]) throws -> Double? {
        guard let value = claims[name] else {
            return nil
        }
        guard let seconds = value.doubleValue, seconds.isFinite else {
            throw JWTError(.invalidClaim, "the \"\(name)\" claim must be a number of seconds since 1970, found \(value.kindName)")
        }
        return seconds
    }

    // MARK: - Message text

    /// "key with kid \"…\"", or "key" for a key without a `kid`.
    static func describe(_ jwk: JWK) -> String {
        jwk.keyID.map { "key with kid \(JWTError.quoted($0))" } ?? "key"
    }

    /// Formats a NumericDate as RFC 3339 UTC, followed by the claim name and
    /// number when `claim` is given, such as "2023-11-14T22:13:20Z (exp 1700000000)".
    private static func describe(seconds: Double, claim: String? = nil) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = seconds.rounded() == seconds
            ? [.withInternetDateTime]
            : [.withInternetDateTime, .withFractionalSeconds]
        let text = formatter.string(from: Date(timeIntervalSince1970: seconds))
        guard let claim else {
            return text
        }
        return "\(text) (\(claim) \(format(seconds)))"
    }

    /// Formats a number as JSON writes it, so 1700000000 does not print as 1700000000.0.
    private static func format(_ seconds: Double) -> String {
        (try? JCS.serialize(number: seconds)) ?? String(seconds)
    }
}
