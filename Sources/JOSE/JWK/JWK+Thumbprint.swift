import OpenSSLBridge

extension JWK {
    /// Computes the RFC 7638 thumbprint: the base64url SHA-256 digest of the
    /// RFC 8785 canonical JSON of the required members only.
    ///
    /// The required members are `e`, `kty` and `n` for RSA, `crv`, `kty`, `x`
    /// and `y` for EC (RFC 7638 section 3.2), and `crv`, `kty` and `x` for OKP
    /// (RFC 8037 section 2). For these members canonical JSON is the exact
    /// form RFC 7638 section 3.3 prescribes.
    public func thumbprint() throws -> String {
        let canonical = try JCS.canonicalize(.object(requiredMembers))
        return Base64URL.encode(Digest.sha256(canonical))
    }
}
