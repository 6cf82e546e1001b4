import Foundation

/// A JWT whose signature, key and validity period ``JWTValidator`` checked.
public struct VerifiedJWT: Sendable {
    /// The protected header. Its ``JWSHeader/encoded`` text is what the signature covers.
    public let header: JWSHeader
    /// The claims object, every member as received.
    public let claims: [String: JSONValue]
    /// The key from the JWK Set that verified the signature.
    public let key: JWK

    /// The `exp` claim, if present.
    public var expiresAt: Date? { claims["exp"].flatMap(Self.date) }
    /// The `nbf` claim, if present.
    public var notBefore: Date? { claims["nbf"].flatMap(Self.date) }
    /// The `iat` claim, if present.
    public var issuedAt: Date? { claims["iat"].flatMap(Self.date) }

    private static func date(_ value: JSONValue) -> Date? {
        value.doubleValue.map(Date.init(timeIntervalSince1970:))
    }
}
