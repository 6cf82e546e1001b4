import JOSE

extension EntryContent {
    /// Writes the RFC 8785 canonical JSON of the content: the bytes that are hashed and stored.
    ///
    /// When `canonicalBody` contains the body's canonical bytes, the members
    /// are written in their fixed canonical order around those bytes, so the
    /// body is not serialized a second time. The output equals
    /// `JCS.canonicalize(jsonValue)` byte for byte, which the tests check.
    /// - Throws: `JSONError` as `JCS.canonicalize(_:)` does, for example for
    ///   a noncharacter in the actor or a body nested too deeply.
    func canonicalBytes() throws -> [UInt8] {
        // Inside the content the body is one level deeper than on its own, so
        // a body at the nesting limit takes the general path, which rejects it.
        guard let canonicalBody, Self.nestingDepth(ofCanonical: canonicalBody) < JSONValue.maximumNestingDepth else {
            return try JCS.canonicalize(jsonValue)
        }
        var output: [UInt8] = []
        output.reserveCapacity(canonicalBody.count + 256)
        // The member names in the UTF-16 order that RFC 8785 section 3.2.3 requires.
        output.append(contentsOf: #"{"actor":"#.utf8)
        output.append(contentsOf: try JCS.canonicalize(.string(actor)))
        output.append(contentsOf: #","alg":"#.utf8)
        output.append(contentsOf: try JCS.canonicalize(.string(algorithm)))
        output.append(contentsOf: #","body":"#.utf8)
        output.append(contentsOf: canonicalBody)
        output.append(contentsOf: #","kind":"#.utf8)
        output.append(contentsOf: try JCS.canonicalize(.string(kind.rawValue)))
        output.append(contentsOf: #","ledger":"#.utf8)
        output.append(contentsOf: try JCS.canonicalize(.string(ledgerID)))
        output.append(contentsOf: #","recorded_at":"#.utf8)
        output.append(contentsOf: try JCS.canonicalize(.string(recordedAt.description)))
        output.append(contentsOf: #","seq":"#.utf8)
        output.append(contentsOf: try JCS.serialize(number: Double(sequence)).utf8)
        output.append(contentsOf: #","signer":"#.utf8)
        output.append(contentsOf: try JCS.canonicalize(.string(signerKeyID)))
        output.append(contentsOf: #","v":"#.utf8)
        output.append(contentsOf: try JCS.serialize(number: Double(Self.formatVersion)).utf8)
        output.append(UInt8(ascii: "}"))
        return output
    }

    /// Returns the deepest nesting of arrays and objects in canonical JSON text, 1 for a flat object.
    ///
    /// Canonical text escapes every `"` and `\` inside strings and writes
    /// bytes above 0x7F only inside strings, so tracking quotes and
    /// backslashes is enough to skip the brackets within strings.
    static func nestingDepth(ofCanonical text: [UInt8]) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in text {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            default:
                break
            }
        }
        return deepest
    }
}
