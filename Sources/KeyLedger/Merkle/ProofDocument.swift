import JOSE

/// The saved form shared by ``InclusionProof`` and ``ConsistencyProof``.
///
/// The text form is a title line, header lines of `<name> <value>`, a blank
/// line, then one standard base64 hash per line, each line ending in a
/// newline. The JSON form is one object with the same names as members, a
/// `type` member, and the hashes in the array `proof`. Tree hashes are
/// standard base64 as in checkpoints; an entry hash is lowercase hex as
/// `keyledger log` prints it.
struct ProofDocument {
    /// The form's name: "inclusion" or "consistency".
    let type: String
    /// The header values in order, as text.
    var header: [(name: String, value: String)]
    var proof: [[UInt8]]

    var title: String { "keyledger \(type) proof" }

    var text: String {
        var lines = [title]
        lines += header.map { "\($0.name) \($0.value)" }
        lines.append("")
        lines += proof.map(NoteSyntax.base64)
        return lines.map { $0 + "\n" }.joined()
    }

    /// Builds the JSON object, with the numeric header values as JSON numbers.
    func jsonValue(numericNames: Set<String>) -> JSONValue {
        var object: [String: JSONValue] = ["type": .string(type), "proof": .array(proof.map { .string(NoteSyntax.base64($0)) })]
        for (name, value) in header {
            object[name] = numericNames.contains(name) ? .number(Double(Int(value) ?? 0)) : .string(value)
        }
        return .object(object)
    }

    /// Parses either form, by its first byte: `{` starts the JSON form.
    /// - Throws: `LedgerError.Code.invalidInput` naming what is wrong.
    init(parsing bytes: [UInt8], type: String, names: [String], numericNames: Set<String>) throws {
        self.type = type
        let firstByte = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if firstByte == UInt8(ascii: "{") {
            (header, proof) = try Self.parseJSON(bytes, type: type, names: names, numericNames: numericNames)
        } else {
            (header, proof) = try Self.parseText(bytes, title: "keyledger \(type) proof", names: names)
        }
    }

    init(type: String, header: [(name: String, value: String)], proof: [[UInt8]]) {
        self.type = type
        self.header = header
        self.proof = proof
    }

    func value(_ name: String) -> String? {
        header.first { $0.name == name }?.value
    }

    /// Reads a header value as a non-negative decimal integer.
    func integer(_ name: String) throws -> Int {
        guard let text = value(name), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = Int(text) else {
            throw LedgerError(.invalidInput, "the \(type) proof's \(name) \(quoted(value(name) ?? "")) is not a non-negative whole number")
        }
        return number
    }

    /// Reads a header value as the standard base64 of a 32-byte hash.
    func hash(_ name: String) throws -> [UInt8] {
        guard let text = value(name), let bytes = NoteSyntax.decodeBase64(text), bytes.count == MerkleTree.hashByteCount else {
            throw LedgerError(.invalidInput, "the \(type) proof's \(name) \(quoted(value(name) ?? "")) is not the standard base64 of 32 bytes")
        }
        return bytes
    }

    private static func parseText(_ bytes: [UInt8], title: String,
                                  names: [String]) throws -> ([(name: String, value: String)], [[UInt8]]) {
        let text = try NoteSyntax.decodeText(bytes, valueName: "proof file")
        guard text.hasSuffix("\n") else {
            throw LedgerError(.invalidInput, "the proof file does not end in a newline")
        }
        var lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == title else {
            throw LedgerError(.invalidInput, "the proof file does not start with the line \(quoted(title)): it is not a keyledger \(title.split(separator: " ")[1]) proof")
        }
        lines.removeFirst()
        guard let blank = lines.firstIndex(of: "") else {
            throw LedgerError(.invalidInput, "the proof file has no blank line between its header and its hashes")
        }
        var header: [(name: String, value: String)] = []
        for line in lines[..<blank] {
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, names.contains(String(parts[0])) else {
                throw LedgerError(.invalidInput,
                    "the proof header line \(quoted(line)) is not one of \(names.joined(separator: ", ")) followed by a space and a value")
            }
            guard !header.contains(where: { $0.name == parts[0] }) else {
                throw LedgerError(.invalidInput, "the proof header names \(parts[0]) more than once")
            }
            header.append((String(parts[0]), String(parts[1])))
        }
        let proof = try lines[(blank + 1)...].map { line in
            guard let hash = NoteSyntax.decodeBase64(line), hash.count == MerkleTree.hashByteCount else {
                throw LedgerError(.invalidInput, "the proof line \(quoted(line)) is not the standard base64 of a 32-byte hash")
            }
            return hash
        }
        return (header, proof)
    }

    private static func parseJSON(_ bytes: [UInt8], type: String, names: [String],
                                  numericNames: Set<String>) throws -> ([(name: String, value: String)], [[UInt8]]) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw LedgerError(.invalidInput, "the proof file is not valid JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw LedgerError(.invalidInput, "the proof file's JSON is not an object")
        }
        guard object["type"]?.stringValue == type else {
            throw LedgerError(.invalidInput, "the proof file's JSON has type \(quoted(object["type"]?.stringValue ?? "none")), not \(quoted(type))")
        }
        if let unknown = object.keys.filter({ $0 != "type" && $0 != "proof" && !names.contains($0) }).sorted().first {
            throw LedgerError(.invalidInput, "the proof file's JSON has the unknown member \(quoted(unknown))")
        }
        var header: [(name: String, value: String)] = []
        for name in names {
            guard let member = object[name] else { continue }
            if numericNames.contains(name) {
                guard let number = member.int64Value else {
                    throw LedgerError(.invalidInput, "the proof file's \(name) is not a whole number")
                }
                header.append((name, String(number)))
            } else {
                guard let text = member.stringValue else {
                    throw LedgerError(.invalidInput, "the proof file's \(name) is not a string")
                }
                header.append((name, text))
            }
        }
        guard let array = object["proof"]?.arrayValue else {
            throw LedgerError(.invalidInput, "the proof file's JSON has no array \"proof\"")
        }
        let proof = try array.map { item in
            guard let text = item.stringValue, let hash = NoteSyntax.decodeBase64(text), hash.count == MerkleTree.hashByteCount else {
                throw LedgerError(.invalidInput, "the proof array contains an item that is not the standard base64 of a 32-byte hash: give each hash as standard base64")
            }
            return hash
        }
        return (header, proof)
    }
}
