import JOSE

extension KeyRecord.Step {
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "kind": .string(kind.rawValue), "actor": .string(actor), "time": .string(time.description),
            "seq": .number(Double(sequence)), "hash": .string(hexString(hash)),
        ]
        if let change { object["change"] = .string(change) }
        if let emergency { object["emergency"] = .string(emergency) }
        for member in ["url", "file", "jwks_sha256"] {
            if let value = body[member] { object[member] = value }
        }
        return .object(object)
    }
}

extension KeyRecord {
    /// The key as JSON, the form `keyledger key list --json` prints.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "kid": .string(keyID), "env": .string(environment), "name": .string(name),
            "state": .string(state.rawValue), "steps": .array(steps.map(\.jsonValue)),
        ]
        if let algorithm { object["alg"] = .string(algorithm) }
        if let custody { object["custody"] = .string(custody) }
        if let providerKeyID { object["provider_kid"] = .string(providerKeyID) }
        if let publicJWK { object["jwk"] = publicJWK.jsonValue }
        return .object(object)
    }
}
