import Foundation
import OpenSSLBridge

/// Issuing JSON Web Tokens (RFC 7519) as compact JWS.
///
/// A token's header is `{"alg":…,"kid":…,"typ":"JWT"}` and its claims are
/// the caller's claims plus `iat`, `exp` and optionally `nbf`. Both are
/// written as RFC 8785 canonical JSON. Validate tokens with ``JWTValidator``.
public enum JWT {
    /// The claims that ``issue(claims:key:algorithm:keyID:timeToLive:notBefore:issuedAt:)``
    /// computes, which the caller's claims may not set.
    public static let computedClaimNames: Set<String> = ["iat", "exp", "nbf"]

    /// Signs a JWT.
    ///
    /// Times are written as NumericDate values (RFC 7519 section 2): seconds
    /// since 1970-01-01T00:00:00Z UTC, with a fraction only when the date has
    /// one. Pass a date rounded to whole seconds for the widest interoperability.
    ///
    /// - Parameters:
    ///   - claims: The claims other than `iat`, `exp` and `nbf`, such as `sub` or `aud`.
    ///   - key: The signing key.
    ///   - algorithm: The JWS algorithm, which must fit `key`.
    ///   - keyID: The `kid` header value, which names the verification key in a JWK Set.
    ///   - timeToLive: Seconds from `issuedAt` to `exp`. It must be positive and finite.
    ///   - notBefore: The `nbf` claim, or `nil` to leave it out.
    ///   - issuedAt: The `iat` claim.
    /// - Returns: The compact token, "header.claims.signature".
    /// - Throws: ``JWTError`` with one of these codes:
    ///   - `invalidClaim` when `claims` sets `iat`, `exp` or `nbf`, when
    ///     `timeToLive` is not positive, or when a claim cannot be written as JSON.
    ///   - `invalidHeader` when `keyID` cannot be written as JSON.
    ///   - `algorithmMismatch` when the algorithm does not fit the key.
    ///   - `signingFailed` when the OpenSSL bridge fails to sign.
    public static func issue(
        claims: [String: JSONValue] = [:],
        key: PrivateKey,
        algorithm: JWSAlgorithm,
        keyID: String,
        timeToLive: TimeInterval,
        notBefore: Date? = nil,
        issuedAt: Date = Date()
    ) throws -> String {
        if let computed = computedClaimNames.sorted().first(where: { claims[$0] != nil }) {
            throw JWTError(.invalidClaim, "the claims may not set \"\(computed)\", because the issuer computes it")
        }
        guard timeToLive.isFinite, timeToLive > 0 else {
            throw JWTError(.invalidClaim, "the time to live must be a positive number of seconds, got \(timeToLive)")
        }

        var members = claims
        let issuedAtSeconds = issuedAt.timeIntervalSince1970
        members["iat"] = .number(issuedAtSeconds)
        members["exp"] = .number(issuedAtSeconds + timeToLive)
        if let notBefore {
            members["nbf"] = .number(notBefore.timeIntervalSince1970)
        }
        let payload: [UInt8]
        do {
            payload = try JCS.canonicalize(.object(members))
        } catch {
            throw JWTError(.invalidClaim, "the claims cannot be written as JSON", underlyingError: error)
        }

        do {
            return try JWS.sign(
                payload: payload,
                key: key,
                algorithm: algorithm,
                header: ["kid": .string(keyID), "typ": "JWT"]
            )
        } catch let error as JOSEError where error.code == .algorithmMismatch {
            throw JWTError(.algorithmMismatch, error.reason, underlyingError: error)
        } catch let error as JOSEError where error.code == .invalidHeader {
            throw JWTError(.invalidHeader, "the key ID cannot be written as JSON", underlyingError: error)
        } catch {
            throw JWTError(.signingFailed, "signing the token with \(algorithm.rawValue) failed", underlyingError: error)
        }
    }
}
