/// A JSON Web Key Set (RFC 7517 section 5).
///
/// Keys with a `kty` or `crv` this module does not support are kept in
/// ``unsupportedKeys`` instead of failing the whole set, because a provider
/// may publish key types its clients do not all understand. A supported key
/// that is malformed, or any key with private members, fails the set.
public struct JWKS: Sendable {
    /// The supported keys, in document order.
    public var keys: [JWK]
    /// The entries of `keys` with an unsupported `kty` or `crv`, unchanged and in document order.
    public var unsupportedKeys: [JSONValue]
    /// The members of the set other than `keys`, unchanged.
    public var otherMembers: [String: JSONValue]

    /// Creates a set of supported keys.
    public init(keys: [JWK]) {
        self.keys = keys
        self.unsupportedKeys = []
        self.otherMembers = [:]
    }

    /// Reads a JWK Set.
    /// - Throws: ``JOSEError`` with code `invalidJWKS` when the set is not an
    ///   object with a `keys` array of objects, or the error of the first
    ///   supported key that fails to read, with its position in the reason.
    public init(json: JSONValue) throws {
        guard let members = json.objectValue else {
            throw JOSEError(.invalidJWKS, "a JWK Set must be a JSON object, found \(json.kindName)")
        }
        guard let entries = json["keys"]?.arrayValue else {
            throw JOSEError(.invalidJWKS, "a JWK Set must have a \"keys\" member that is an array")
        }

        var keys: [JWK] = []
        var unsupportedKeys: [JSONValue] = []
        for (index, entry) in entries.enumerated() {
            guard entry.objectValue != nil else {
                throw JOSEError(.invalidJWKS, "entry \(index) of \"keys\" is \(entry.kindName), expected a JWK object")
            }
            do {
                keys.append(try JWK(json: entry))
            } catch let error as JOSEError where error.code == .unsupportedKeyType || error.code == .unsupportedCurve {
                unsupportedKeys.append(entry)
            } catch let error as JOSEError {
                throw JOSEError(code: error.code, reason: "entry \(index) of \"keys\": \(error.reason)", underlyingError: error.underlyingError)
            }
        }

        self.keys = keys
        self.unsupportedKeys = unsupportedKeys
        self.otherMembers = members.filter { $0.key != "keys" }
    }

    /// The set as a JSON object: supported keys first, then the unsupported
    /// ones, then the other members.
    public var jsonValue: JSONValue {
        var members = otherMembers
        members["keys"] = .array(keys.map(\.jsonValue) + unsupportedKeys)
        return .object(members)
    }

    /// Returns the supported keys whose `kid` is `keyID`.
    public func keys(withID keyID: String) -> [JWK] {
        keys.filter { $0.keyID == keyID }
    }
}
