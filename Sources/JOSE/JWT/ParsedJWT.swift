/// A compact JWT split and decoded, with its structure and algorithm
/// checked but its signature not yet verified.
struct ParsedJWT {
    /// HMAC algorithms (RFC 7518 section 3.2), rejected with their own code.
    static let symmetricAlgorithmNames: Set<String> = ["HS256", "HS384", "HS512"]

    let header: JWSHeader
    let claims: [String: JSONValue]
    /// The ASCII bytes of the first two parts exactly as received, which the signature covers.
    let signingInput: [UInt8]
    let signature: [UInt8]

    /// Splits and decodes a token, checking its parts in order: header,
    /// algorithm, signature presence, `crit`, `kid`, claims, then the
    /// signature's encoding.
    ///
    /// - Throws: ``JWTError`` with code `malformedToken`, `unsecuredToken`,
    ///   `symmetricAlgorithm`, `unsupportedAlgorithm` or `unsupportedCriticalHeader`.
    init(_ token: String) throws {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            if parts.count == 5 {
                throw JWTError(.malformedToken, "the token has 5 parts, as an encrypted JWT (JWE) has; only signed JWTs with 3 parts are accepted")
            }
            throw JWTError(.malformedToken, "a JWT has 3 parts separated by \".\", found \(parts.count)")
        }

        let headerJSON = JSONValue.object(try Self.decodeObject(parts[0], name: "header"))
        guard let algorithmValue = headerJSON["alg"] else {
            throw JWTError(.malformedToken, "the header has no \"alg\" member")
        }
        guard let algorithmName = algorithmValue.stringValue else {
            throw JWTError(.malformedToken, "the header member \"alg\" must be a string, found \(algorithmValue.kindName)")
        }
        try Self.checkAlgorithm(named: algorithmName)
        guard !parts[2].isEmpty else {
            throw JWTError(.unsecuredToken, "the token's signature part is empty, so the token is unsecured")
        }
        if headerJSON["crit"] != nil {
            throw JWTError(
                .unsupportedCriticalHeader,
                "the header has a \"crit\" member, but no JWS extensions are implemented"
            )
        }
        if let keyID = headerJSON["kid"], keyID.stringValue == nil {
            throw JWTError(.malformedToken, "the header member \"kid\" must be a string, found \(keyID.kindName)")
        }

        let claims = try Self.decodeObject(parts[1], name: "claims")
        let signature: [UInt8]
        do {
            signature = try Base64URL.decode(parts[2])
        } catch {
            throw JWTError(.malformedToken, "the signature part is not valid base64url", underlyingError: error)
        }
        do {
            header = try JWSHeader(encoded: parts[0])
        } catch {
            // The checks above cover every rule of JWSHeader, so this is a
            // rule added there later; report it rather than trap.
            throw JWTError(.malformedToken, "the header is not a valid JWS header", underlyingError: error)
        }

        self.claims = claims
        signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
        self.signature = signature
    }

    /// Rejects `alg` values other than those of ``JWSAlgorithm``. Unsecured
    /// and HMAC tokens get their own codes, apart from unknown algorithms.
    private static func checkAlgorithm(named name: String) throws {
        if name.lowercased() == "none" {
            throw JWTError(.unsecuredToken, "the token's alg is \(JWTError.quoted(name)), so it is unsecured; unsecured JWTs are never accepted")
        }
        if symmetricAlgorithmNames.contains(name) {
            throw JWTError(
                .symmetricAlgorithm,
                "the token uses the symmetric algorithm \(name); symmetric algorithms are not accepted for these keys, "
                    + "because verifying with a public key as an HMAC secret would let anyone forge tokens"
            )
        }
        guard JWSAlgorithm(rawValue: name) != nil else {
            let names = JWSAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")
            throw JWTError(.unsupportedAlgorithm, "the token's alg \(JWTError.quoted(name)) is not supported; the accepted algorithms are \(names)")
        }
    }

    /// Decodes one part as base64url of a JSON object.
    private static func decodeObject(_ part: Substring, name: String) throws -> [String: JSONValue] {
        guard !part.isEmpty else {
            throw JWTError(.malformedToken, "the \(name) part is empty")
        }
        let bytes: [UInt8]
        do {
            bytes = try Base64URL.decode(part)
        } catch {
            throw JWTError(.malformedToken, "the \(name) part is not valid base64url", underlyingError: error)
        }
        let json: JSONValue
        do {
            json = try JSONValue(parsing: bytes)
        } catch {
            throw JWTError(.malformedToken, "the \(name) part is not valid JSON", underlyingError: error)
        }
        guard let members = json.objectValue else {
            throw JWTError(.malformedToken, "the \(name) must be a JSON object, found \(json.kindName)")
        }
        return members
    }
}
