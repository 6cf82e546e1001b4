/// An error thrown while reading or writing a JWK, a JWK Set or a JWS.
///
/// Errors compare equal when their codes are equal, so callers can match on
/// ``code`` while ``reason`` is free to change. No error carries private key
/// material: a JWK with a private member is rejected by the member's name
/// before its value is read.
public struct JOSEError: Error, CustomStringConvertible, Equatable, CodedError {
    /// A stable error code. New codes may be added in later versions, so a
    /// `switch` over codes needs a `default` case.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name, which stays the same across versions.
        public let name: String

        init(_ name: String) {
            self.name = name
        }

        public var description: String { name }

        /// A JWK is not an object, lacks a required member, or has a member
        /// of the wrong type, size or encoding.
        public static let invalidJWK = Code("invalidJWK")
        /// A JWK contains a private or symmetric key member (`d`, `p`, `q`,
        /// `dp`, `dq`, `qi`, `oth` or `k`).
        public static let privateKeyMember = Code("privateKeyMember")
        /// A JWK's `kty` is not RSA, EC or OKP.
        public static let unsupportedKeyType = Code("unsupportedKeyType")
        /// A JWK's `crv` is not P-256 or P-384 (for EC) or Ed25519 (for OKP).
        public static let unsupportedCurve = Code("unsupportedCurve")
        /// The key numbers of a JWK do not form a valid public key, for
        /// example an EC point that is not on the curve.
        public static let invalidKey = Code("invalidKey")
        /// A JWK Set is not an object with a `keys` array of objects.
        public static let invalidJWKS = Code("invalidJWKS")
        /// A JWS is not three base64url parts separated by dots, or its
        /// protected header is not a JSON object with a string `alg`.
        public static let invalidJWS = Code("invalidJWS")
        /// Header members given for signing would replace `alg` or `kid`, or
        /// ask for an extension this module does not implement.
        public static let invalidHeader = Code("invalidHeader")
        /// The `alg` is `none`, an HMAC algorithm, or unknown.
        public static let algorithmNotAllowed = Code("algorithmNotAllowed")
        /// The `alg` does not fit the key's type, curve or size.
        public static let algorithmMismatch = Code("algorithmMismatch")
        /// The protected header has a `crit` member. This module implements
        /// no JWS extensions, so RFC 7515 section 4.1.11 requires rejecting it.
        public static let unsupportedCriticalHeader = Code("unsupportedCriticalHeader")
        /// The signature does not verify with the key.
        public static let invalidSignature = Code("invalidSignature")
        /// Signing failed in the OpenSSL bridge.
        public static let signingFailed = Code("signingFailed")
    }

    /// The stable code that callers match on.
    public let code: Code
    /// A description of the failure that names the offending member or value,
    /// but never a private key value.
    public let reason: String
    /// The error from a lower layer (JSON, base64url or the OpenSSL bridge)
    /// that caused this one, if any.
    public let underlyingError: (any Error)?

    public init(code: Code, reason: String, underlyingError: (any Error)? = nil) {
        self.code = code
        self.reason = reason
        self.underlyingError = underlyingError
    }
}
