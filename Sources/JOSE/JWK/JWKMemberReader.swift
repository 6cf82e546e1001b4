/// Typed access to the members of a JWK object, with `invalidJWK` errors
/// that name the member.
struct JWKMemberReader {
    let object: JSONValue

    func requiredString(_ name: String) throws -> String {
        guard let value = object[name] else {
            throw JOSEError(.invalidJWK, "the JWK has no \"\(name)\" member")
        }
        return try string(value, name: name)
    }

    func optionalString(_ name: String) throws -> String? {
        try object[name].map { try string($0, name: name) }
    }

    /// Reads a required base64url member, checking its decoded size when `byteCount` is given.
    func requiredBase64URL(_ name: String, byteCount: Int? = nil) throws -> [UInt8] {
        let text = try requiredString(name)
        return try decodeBase64URL(text, name: name, byteCount: byteCount)
    }

    /// Reads an optional base64url member and checks its decoded size, but
    /// returns the text as received.
    func optionalBase64URLString(_ name: String, byteCount: Int) throws -> String? {
        guard let text = try optionalString(name) else {
            return nil
        }
        _ = try decodeBase64URL(text, name: name, byteCount: byteCount)
        return text
    }

    /// Reads an array of strings without duplicates, as RFC 7517 section 4.3
    /// requires for `key_ops`.
    func optionalUniqueStrings(_ name: String) throws -> [String]? {
        guard let strings = try optionalStrings(name) else {
            return nil
        }
        var seen: Set<String> = []
        for value in strings where !seen.insert(value).inserted {
            throw JOSEError(.invalidJWK, "the JWK member \"\(name)\" lists \"\(value)\" twice")
        }
        return strings
    }

    /// Reads `x5c`: a non-empty array of standard base64 strings
    /// (RFC 7517 section 4.7), padded, without line breaks.
    func optionalCertificateChain(_ name: String) throws -> [String]? {
        guard let certificates = try optionalStrings(name) else {
            return nil
        }
        guard !certificates.isEmpty else {
            throw JOSEError(.invalidJWK, "the JWK member \"\(name)\" is an empty array")
        }
        for (index, certificate) in certificates.enumerated() where !Self.isStandardBase64(certificate) {
            throw JOSEError(
                .invalidJWK,
                "the JWK member \"\(name)\" has an entry \(index) that is not standard padded base64"
            )
        }
        return certificates
    }

    private func optionalStrings(_ name: String) throws -> [String]? {
        guard let value = object[name] else {
            return nil
        }
        guard let elements = value.arrayValue else {
            throw JOSEError(.invalidJWK, "the JWK member \"\(name)\" must be an array of strings, found \(value.kindName)")
        }
        return try elements.map { element in
            guard let string = element.stringValue else {
                throw JOSEError(
                    .invalidJWK,
                    "the JWK member \"\(name)\" must be an array of strings, found an element that is \(element.kindName)"
                )
            }
            return string
        }
    }

    private func string(_ value: JSONValue, name: String) throws -> String {
        guard let string = value.stringValue else {
            throw JOSEError(.invalidJWK, "the JWK member \"\(name)\" must be a string, found \(value.kindName)")
        }
        return string
    }

    private func decodeBase64URL(_ text: String, name: String, byteCount: Int?) throws -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try Base64URL.decode(text)
        } catch {
            throw JOSEError(.invalidJWK, "the JWK member \"\(name)\" is not valid base64url", underlyingError: error)
        }
        if let byteCount, bytes.count != byteCount {
            throw JOSEError(
                .invalidJWK,
                "the JWK member \"\(name)\" decodes to \(bytes.count) bytes, expected \(byteCount)"
            )
        }
        return bytes
    }

    private static func isStandardBase64(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count % 4 == 0 else {
            return false
        }
        let body = bytes.prefix { $0 != UInt8(ascii: "=") }
        let padding = bytes.count - body.count
        let isAlphabet: (UInt8) -> Bool = { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
        }
        return padding <= 2 && body.allSatisfy(isAlphabet) && bytes.suffix(padding).allSatisfy { $0 == UInt8(ascii: "=") }
    }
}

extension JSONValue {
    /// The JSON type name for messages, such as "a number". Package access
    /// lets the command-line tool use the same names.
    package var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a Boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
