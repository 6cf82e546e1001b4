import OpenSSLBridge

extension JWS {
    /// Signs `payload` and returns a compact JWS with a detached payload,
    /// "header..signature" (RFC 7515 appendix F).
    ///
    /// The protected header is the RFC 8785 canonical JSON of `extra` plus
    /// `alg` and `kid`, such as `{"alg":"ES256","kid":"…"}`. The signature
    /// covers the header and the base64url of `payload`, as for an attached JWS.
    /// - Throws: ``JOSEError`` with code `invalidHeader` when `extra` sets
    ///   `alg`, `kid`, `crit` or `b64`, `algorithmMismatch` when the
    ///   algorithm does not fit the key, or `signingFailed`.
    public static func signDetached(
        payload: [UInt8],
        key: PrivateKey,
        algorithm: JWSAlgorithm,
        keyID: String,
        header extra: [String: JSONValue] = [:]
    ) throws -> String {
        guard extra["kid"] == nil else {
            throw JOSEError(.invalidHeader, "extra header members may not set \"kid\"; pass keyID instead")
        }
        var members = extra
        members["kid"] = .string(keyID)
        let encodedHeader = try encodeHeader(algorithm: algorithm, extra: members)
        let signature = try signature(
            over: encodedHeader + "." + Base64URL.encode(payload), key: key, algorithm: algorithm
        )
        return encodedHeader + ".." + signature
    }

    /// Verifies a compact JWS with a detached payload against `payload`.
    ///
    /// - Returns: The protected header.
    /// - Throws: ``JOSEError`` with code `invalidJWS` when the text is not
    ///   "header..signature", `algorithmNotAllowed`, `unsupportedCriticalHeader`,
    ///   `algorithmMismatch` when the header's algorithm does not fit `key`,
    ///   or `invalidSignature`.
    public static func verifyDetached(_ jws: String, payload: [UInt8], key: PublicKey) throws -> JWSHeader {
        let parts = try splitCompact(jws)
        guard parts.payload.isEmpty else {
            throw JOSEError(.invalidJWS, "a JWS with a detached payload must have an empty middle part")
        }
        let header = try JWSHeader(encoded: parts.header)
        let signature = try decodePart(parts.signature, name: "signature")
        let signingInput = Array(parts.header.utf8) + [UInt8(ascii: ".")] + Array(Base64URL.encode(payload).utf8)
        try verifySignature(signature, over: signingInput, header: header, key: key)
        return header
    }
}
