/// The protected header of a JWS that was parsed or verified.
public struct JWSHeader: Sendable {
    /// The `alg` member.
    public let algorithm: JWSAlgorithm
    /// The `kid` member, if present.
    public let keyID: String?
    /// Every member of the header, including `alg` and `kid`.
    public let members: [String: JSONValue]
    /// The header exactly as received, in base64url. The signature covers
    /// these characters, not a re-serialization of ``members``.
    public let encoded: String

    /// Names of `alg` values that are rejected rather than unknown, with the reason.
    private static let rejectedAlgorithms: [String: String] = [
        "none": "unsigned JWS (alg \"none\") is not accepted",
        "HS256": "HMAC algorithm HS256 is not accepted, because it would use a public key as a shared secret",
        "HS384": "HMAC algorithm HS384 is not accepted, because it would use a public key as a shared secret",
        "HS512": "HMAC algorithm HS512 is not accepted, because it would use a public key as a shared secret",
    ]

    /// Decodes and checks a protected header.
    ///
    /// - Throws: ``JOSEError`` with code `invalidJWS` when the text is not
    ///   base64url of a JSON object with a string `alg` (and a string `kid`
    ///   if present), `algorithmNotAllowed` for `none`, HMAC and unknown
    ///   algorithms, and `unsupportedCriticalHeader` when `crit` is present.
    init(encoded: Substring) throws {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: try Base64URL.decode(encoded))
        } catch {
            throw JOSEError(.invalidJWS, "the protected header is not base64url-encoded JSON", underlyingError: error)
        }
        guard let members = json.objectValue else {
            throw JOSEError(.invalidJWS, "the protected header must be a JSON object, found \(json.kindName)")
        }
        guard let algorithmName = json["alg"]?.stringValue else {
            throw JOSEError(.invalidJWS, "the protected header has no string \"alg\" member")
        }
        if let reason = Self.rejectedAlgorithms[algorithmName] {
            throw JOSEError(.algorithmNotAllowed, reason)
        }
        guard let algorithm = JWSAlgorithm(rawValue: algorithmName) else {
            let names = JWSAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")
            throw JOSEError(.algorithmNotAllowed, "algorithm \"\(algorithmName)\" is not supported; use one of \(names)")
        }
        if json["crit"] != nil {
            throw JOSEError(
                .unsupportedCriticalHeader,
                "the protected header has a \"crit\" member, but no JWS extensions are implemented"
            )
        }
        var keyID: String?
        if let value = json["kid"] {
            guard let string = value.stringValue else {
                throw JOSEError(.invalidJWS, "the protected header member \"kid\" must be a string, found \(value.kindName)")
            }
            keyID = string
        }

        self.algorithm = algorithm
        self.keyID = keyID
        self.members = members
        self.encoded = String(encoded)
    }
}
