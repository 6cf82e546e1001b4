/// An error thrown while issuing or validating a JSON Web Token.
///
/// Each reason a token is rejected has its own code, so a caller can tell an
/// expired token from a forged one without reading ``reason``. Errors compare
/// equal when their codes are equal. Messages quote header values such as
/// `alg` and `kid` (escaped and shortened) and the time claims `exp` and
/// `nbf`, but never the token, other claim values or key material.
public struct JWTError: Error, CustomStringConvertible, Equatable, CodedError {
    /// A stable error code. New codes may be added in later versions, so a
    /// `switch` over codes needs a `default` case.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name, which stays the same across versions.
        public let name: String

        init(_ name: String) {
            self.name = name
        }

        public var description: String { name }

        /// The token is not three base64url parts separated by dots, or its
        /// header or claims are not a JSON object, or the header has no
        /// string `alg`, or its `kid` is not a string.
        public static let malformedToken = Code("malformedToken")
        /// The token is unsecured: its `alg` is `none` in any letter case,
        /// or its signature part is empty (RFC 7519 section 6).
        public static let unsecuredToken = Code("unsecuredToken")
        /// The `alg` is an HMAC algorithm (HS256, HS384, HS512). A verifier
        /// holding public keys must not accept them, because it would treat
        /// a public key as a shared secret.
        public static let symmetricAlgorithm = Code("symmetricAlgorithm")
        /// The `alg` is not one of the algorithms in ``JWSAlgorithm``.
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// The header has a `crit` member. No JWS extensions are implemented,
        /// so RFC 7515 section 4.1.11 requires rejecting the token.
        public static let unsupportedCriticalHeader = Code("unsupportedCriticalHeader")
        /// The token's `kid` is not in the JWK Set, or the set has no supported keys.
        public static let keyNotFound = Code("keyNotFound")
        /// The token has no `kid`, and the JWK Set has more than one key to choose from.
        public static let keyIDRequired = Code("keyIDRequired")
        /// More than one key in the JWK Set has the token's `kid` and fits its `alg`.
        public static let duplicateKeyID = Code("duplicateKeyID")
        /// The selected JWK is marked for another purpose: its `use` is not
        /// "sig", or its `key_ops` does not include "verify".
        public static let keyNotForVerification = Code("keyNotForVerification")
        /// The selected JWK has an `alg` member that differs from the token's `alg`.
        public static let keyAlgorithmMismatch = Code("keyAlgorithmMismatch")
        /// The token's `alg` does not fit the key's type, curve or size, for
        /// example RS256 with an EC key.
        public static let algorithmMismatch = Code("algorithmMismatch")
        /// The selected JWK's numbers do not form a valid public key.
        public static let invalidKey = Code("invalidKey")
        /// The signature does not verify with the selected key.
        public static let invalidSignature = Code("invalidSignature")
        /// The current time, less the leeway, is at or after `exp`.
        public static let expired = Code("expired")
        /// The current time, plus the leeway, is before `nbf`.
        public static let notYetValid = Code("notYetValid")
        /// The token has no `exp` claim, and the validator requires one.
        public static let missingExpiration = Code("missingExpiration")
        /// A time claim (`exp`, `nbf` or `iat`) is not a finite number, or
        /// claims given for issuing set a claim that the issuer computes.
        public static let invalidClaim = Code("invalidClaim")
        /// The key ID given for issuing cannot be written as JSON, because
        /// it contains a Unicode noncharacter.
        public static let invalidHeader = Code("invalidHeader")
        /// Signing failed in the OpenSSL bridge.
        public static let signingFailed = Code("signingFailed")
    }

    /// The stable code that callers match on.
    public let code: Code
    /// A description of the failure that names the offending member or value.
    public let reason: String
    /// The error from a lower layer (JSON, base64url, JOSE or the OpenSSL
    /// bridge) that caused this one, if any.
    public let underlyingError: (any Error)?

    public init(code: Code, reason: String, underlyingError: (any Error)? = nil) {
        self.code = code
        self.reason = reason
        self.underlyingError = underlyingError
    }

    /// Quotes a value taken from a token for a message: JSON string escapes
    /// make control characters visible, and values longer than 64 characters
    /// are shortened so that a hostile token cannot flood a terminal.
    static func quoted(_ value: String) -> String {
        let limit = 64
        let shortened = value.unicodeScalars.count > limit
            ? String(String.UnicodeScalarView(value.unicodeScalars.prefix(limit))) + "…"
            : value
        guard let escaped = try? JCS.canonicalString(.string(shortened)) else {
            // Only a Unicode noncharacter makes JCS fail; fall back to scalar escapes.
            return "\"" + shortened.unicodeScalars.map { $0.escaped(asASCII: true) }.joined() + "\""
        }
        return escaped
    }
}
