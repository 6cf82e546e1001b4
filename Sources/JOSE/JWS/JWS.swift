import OpenSSLBridge

/// Signing and verifying JSON Web Signatures in compact serialization
/// (RFC 7515 section 7.1), attached or with a detached payload.
///
/// Verification checks the signature over the header exactly as received.
/// It accepts only the algorithms of ``JWSAlgorithm``, only when the
/// algorithm fits the key, and rejects any `crit` header.
public enum JWS {
    /// Header members that `extra` may not set, because they would change
    /// `alg` or `kid`, or ask for extensions this module does not implement
    /// (`crit`, and `b64` from RFC 7797).
    private static let reservedSigningMembers: Set<String> = ["alg", "crit", "b64"]

    /// Signs `payload` and returns a compact JWS with the payload attached.
    ///
    /// The protected header is the RFC 8785 canonical JSON of `extra` plus `alg`.
    /// - Throws: ``JOSEError`` with code `invalidHeader` when `extra` sets
    ///   `alg`, `crit` or `b64`, `algorithmMismatch` when the algorithm does
    ///   not fit the key, or `signingFailed`.
    public static func sign(
        payload: [UInt8],
        key: PrivateKey,
        algorithm: JWSAlgorithm,
        header extra: [String: JSONValue]
    ) throws -> String {
        let encodedHeader = try encodeHeader(algorithm: algorithm, extra: extra)
        let encodedPayload = Base64URL.encode(payload)
        let signature = try signature(
            over: encodedHeader + "." + encodedPayload, key: key, algorithm: algorithm
        )
        return encodedHeader + "." + encodedPayload + "." + signature
    }

    /// Splits and decodes a compact JWS without verifying it.
    ///
    /// - Returns: The checked header, the decoded payload (empty for a
    ///   detached payload), the signing input as the ASCII bytes of the first
    ///   two parts exactly as received, and the decoded signature.
    /// - Throws: ``JOSEError`` with code `invalidJWS` when the text is not
    ///   three base64url parts, or the header errors of ``JWSHeader``.
    public static func parse(
        _ compact: String
    ) throws -> (header: JWSHeader, payload: [UInt8], signingInput: [UInt8], signature: [UInt8]) {
        let parts = try splitCompact(compact)
        let header = try JWSHeader(encoded: parts.header)
        let payload = try decodePart(parts.payload, name: "payload")
        let signature = try decodePart(parts.signature, name: "signature")
        let signingInput = Array(parts.header.utf8) + [UInt8(ascii: ".")] + Array(parts.payload.utf8)
        return (header, payload, signingInput, signature)
    }

    /// Verifies a compact JWS with an attached payload.
    ///
    /// - Returns: The header and the decoded payload.
    /// - Throws: ``JOSEError`` with code `invalidJWS`, `algorithmNotAllowed`,
    ///   `unsupportedCriticalHeader`, `algorithmMismatch` when the header's
    ///   algorithm does not fit `key`, or `invalidSignature`.
    public static func verify(_ compact: String, key: PublicKey) throws -> (header: JWSHeader, payload: [UInt8]) {
        let parsed = try parse(compact)
        try verifySignature(parsed.signature, over: parsed.signingInput, header: parsed.header, key: key)
        return (parsed.header, parsed.payload)
    }

    // MARK: - Shared steps

    static func encodeHeader(algorithm: JWSAlgorithm, extra: [String: JSONValue]) throws -> String {
        if let reserved = reservedSigningMembers.sorted().first(where: { extra[$0] != nil }) {
            throw JOSEError(.invalidHeader, "extra header members may not set \"\(reserved)\"")
        }
        var members = extra
        members["alg"] = .string(algorithm.rawValue)
        let canonical: [UInt8]
        do {
            canonical = try JCS.canonicalize(.object(members))
        } catch {
            throw JOSEError(.invalidHeader, "the header members cannot be written as canonical JSON", underlyingError: error)
        }
        return Base64URL.encode(canonical)
    }

    static func signature(over signingInput: String, key: PrivateKey, algorithm: JWSAlgorithm) throws -> String {
        guard algorithm.fits(key.spec) else {
            throw JOSEError(.algorithmMismatch, "\(algorithm.rawValue) cannot be used with a \(key.spec) key")
        }
        do {
            return Base64URL.encode(try key.sign(Array(signingInput.utf8), scheme: algorithm.signatureScheme))
        } catch {
            throw JOSEError(.signingFailed, "signing with \(algorithm.rawValue) failed", underlyingError: error)
        }
    }

    static func verifySignature(_ signature: [UInt8], over signingInput: [UInt8], header: JWSHeader, key: PublicKey) throws {
        guard header.algorithm.fits(key.spec) else {
            throw JOSEError(
                .algorithmMismatch,
                "the JWS algorithm \(header.algorithm.rawValue) does not fit the \(key.spec) verification key"
            )
        }
        guard key.verify(signature: signature, for: signingInput, scheme: header.algorithm.signatureScheme) else {
            throw JOSEError(.invalidSignature, "the \(header.algorithm.rawValue) signature does not verify with the \(key.spec) key")
        }
    }

    static func splitCompact(_ compact: String) throws -> (header: Substring, payload: Substring, signature: Substring) {
        let parts = compactParts(compact)
        guard parts.count == 3 else {
            throw JOSEError(
                .invalidJWS,
                "a compact JWS has 3 parts separated by \".\", found \(parts.count)"
            )
        }
        guard !parts[0].isEmpty else {
            throw JOSEError(.invalidJWS, "the JWS protected header is empty")
        }
        guard !parts[2].isEmpty else {
            throw JOSEError(.invalidJWS, "the JWS signature is empty")
        }
        return (parts[0], parts[1], parts[2])
    }

    /// Splits `compact` at every ".", keeping empty parts.
    ///
    /// In ASCII text every "." is a Character of its own, so splitting the
    /// UTF-8 bytes gives the same parts as splitting the Characters. It also
    /// skips grapheme breaking, which made the Character split the largest
    /// cost of verifying a ledger entry after the RSA operation itself. Other
    /// text takes the Character split, in which a combining mark after a "."
    /// joins it into one Character.
    private static func compactParts(_ compact: String) -> [Substring] {
        var text = compact
        let dotOffsets = text.withUTF8 { bytes -> [Int]? in
            var offsets: [Int] = []
            for (offset, byte) in bytes.enumerated() {
                if byte >= 0x80 { return nil }
                if byte == UInt8(ascii: ".") { offsets.append(offset) }
            }
            return offsets
        }
        guard let dotOffsets else {
            return compact.split(separator: ".", omittingEmptySubsequences: false)
        }
        let utf8 = compact.utf8
        var parts: [Substring] = []
        parts.reserveCapacity(dotOffsets.count + 1)
        var partStart = utf8.startIndex
        for offset in dotOffsets {
            let dot = utf8.index(utf8.startIndex, offsetBy: offset)
            parts.append(compact[partStart..<dot])
            partStart = utf8.index(after: dot)
        }
        parts.append(compact[partStart...])
        return parts
    }

    static func decodePart(_ part: Substring, name: String) throws -> [UInt8] {
        do {
            return try Base64URL.decode(part)
        } catch {
            throw JOSEError(.invalidJWS, "the JWS \(name) is not valid base64url", underlyingError: error)
        }
    }
}
