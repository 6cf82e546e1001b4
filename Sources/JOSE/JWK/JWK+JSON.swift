import OpenSSLBridge

extension JWK {
    /// Members that hold private or symmetric key material (RFC 7518
    /// sections 6.3.2 and 6.4.1, RFC 8037 section 2).
    static let privateMemberNames = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    /// Members this type models, which ``otherMembers`` never contains.
    static let modeledMemberNames: Set<String> = [
        "kty", "crv", "n", "e", "x", "y", "kid", "alg", "use", "key_ops", "x5c", "x5t", "x5t#S256",
    ]

    /// Reads a public JWK.
    ///
    /// Key numbers must be strict unpadded base64url. RSA `n` and `e` must
    /// have no leading zero bytes (RFC 7518 section 2), EC `x` and `y` must be
    /// exactly the curve's coordinate size (RFC 7518 section 6.2.1.2), and an
    /// Ed25519 `x` must be 32 bytes. The key is then built in libcrypto, which
    /// rejects an EC point that is not on the curve and an RSA key that fails
    /// its public key check.
    ///
    /// - Parameter json: The JWK as a JSON object.
    /// - Throws: ``JOSEError`` with code `privateKeyMember` naming the first
    ///   private member found (never its value), `unsupportedKeyType` or
    ///   `unsupportedCurve` naming the value, `invalidJWK` naming a missing or
    ///   malformed member, or `invalidKey` when the numbers are not a valid key.
    public init(json: JSONValue) throws {
        guard let members = json.objectValue else {
            throw JOSEError(.invalidJWK, "a JWK must be a JSON object, found \(json.kindName)")
        }
        if let privateMember = Self.privateMemberNames.first(where: { json[$0] != nil }) {
            throw JOSEError(
                .privateKeyMember,
                "the JWK contains the private key member \"\(privateMember)\"; only public keys are accepted"
            )
        }

        let reader = JWKMemberReader(object: json)
        let keyType = try reader.requiredString("kty")
        let components: PublicKeyComponents
        switch keyType {
        case "RSA":
            components = .rsa(modulus: try reader.requiredBase64URL("n"), exponent: try reader.requiredBase64URL("e"))
        case "EC":
            let curveName = try reader.requiredString("crv")
            guard let curve = EllipticCurve(nistName: curveName) else {
                throw JOSEError(.unsupportedCurve, "EC curve \"\(curveName)\" is not supported; use P-256 or P-384")
            }
            components = .ec(
                curve: curve,
                x: try reader.requiredBase64URL("x", byteCount: curve.coordinateByteCount),
                y: try reader.requiredBase64URL("y", byteCount: curve.coordinateByteCount)
            )
        case "OKP":
            let curveName = try reader.requiredString("crv")
            guard curveName == "Ed25519" else {
                throw JOSEError(.unsupportedCurve, "OKP curve \"\(curveName)\" is not supported; use Ed25519")
            }
            components = .ed25519(publicKey: try reader.requiredBase64URL("x", byteCount: 32))
        default:
            throw JOSEError(.unsupportedKeyType, "key type \"\(keyType)\" is not supported; use RSA, EC or OKP")
        }

        self.init(
            components: components,
            keyID: try reader.optionalString("kid"),
            algorithm: try reader.optionalString("alg"),
            use: try reader.optionalString("use"),
            keyOperations: try reader.optionalUniqueStrings("key_ops"),
            x509CertificateChain: try reader.optionalCertificateChain("x5c"),
            x509Thumbprint: try reader.optionalBase64URLString("x5t", byteCount: 20),
            x509ThumbprintSHA256: try reader.optionalBase64URLString("x5t#S256", byteCount: 32),
            otherMembers: members.filter { !Self.modeledMemberNames.contains($0.key) }
        )
        // Build the key once so that an invalid one is rejected here, not at first use.
        _ = try publicKey()
    }

    /// The JWK as a JSON object.
    ///
    /// ``otherMembers`` are written first and the modeled members over them,
    /// so a modeled value wins over an entry of the same name. Entries named
    /// like private key members are never written.
    public var jsonValue: JSONValue {
        var members = otherMembers.filter { !Self.privateMemberNames.contains($0.key) }
        for (name, value) in requiredMembers {
            members[name] = value
        }
        members["kid"] = keyID.map(JSONValue.string)
        members["alg"] = algorithm.map(JSONValue.string)
        members["use"] = use.map(JSONValue.string)
        members["key_ops"] = keyOperations.map { .array($0.map(JSONValue.string)) }
        members["x5c"] = x509CertificateChain.map { .array($0.map(JSONValue.string)) }
        members["x5t"] = x509Thumbprint.map(JSONValue.string)
        members["x5t#S256"] = x509ThumbprintSHA256.map(JSONValue.string)
        return .object(members)
    }

    /// The members that define the key, which RFC 7638 section 3.2 hashes
    /// for the thumbprint.
    var requiredMembers: [String: JSONValue] {
        switch components {
        case .rsa(let modulus, let exponent):
            return ["kty": "RSA", "n": .string(Base64URL.encode(modulus)), "e": .string(Base64URL.encode(exponent))]
        case .ec(let curve, let x, let y):
            return [
                "kty": "EC",
                "crv": .string(curve.nistName),
                "x": .string(Base64URL.encode(x)),
                "y": .string(Base64URL.encode(y)),
            ]
        case .ed25519(let publicKey):
            return ["kty": "OKP", "crv": "Ed25519", "x": .string(Base64URL.encode(publicKey))]
        }
    }
}
