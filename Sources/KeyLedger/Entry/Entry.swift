import JOSE

/// One stored ledger entry: its content, its place in the hash chain and its signature.
///
/// `canonical` contains the exact bytes that were hashed; every other content
/// property was decoded from them, so the two cannot disagree.
public struct Entry: Sendable {
    /// The position in the ledger, starting at 1 with no gaps.
    public let sequence: Int64
    /// When the ledger recorded the entry (UTC, millisecond precision).
    public let recordedAt: Timestamp
    public let kind: EntryKind
    /// The person or tool that caused the event, as the appender named it.
    public let actor: String
    /// The event's details, a JSON object whose members depend on the kind.
    public let body: [String: JSONValue]
    /// The identifier of the ledger the entry belongs to, so an entry cannot be moved into another ledger.
    public let ledgerID: String
    /// The RFC 7638 thumbprint of the ledger signing key that signed the entry.
    public let signerKeyID: String
    /// The JWS algorithm of the signature, for example "RS256".
    public let algorithm: String
    /// The RFC 8785 canonical JSON of the content above: the bytes that were hashed.
    public let canonical: [UInt8]
    /// The hash of the entry before this one (32 zero bytes for the first entry).
    public let previousHash: [UInt8]
    /// SHA-256 over the hash input described by `EntryHash`.
    public let hash: [UInt8]
    /// A compact JWS with a detached payload ("header..signature") over `hash`.
    public let signature: String

    /// The key the event is about, when its body names one in `kid`.
    public var keyID: String? { body["kid"]?.stringValue }
    /// The change the event belongs to, when its body names one in `change`.
    public var changeID: String? { body["change"]?.stringValue }

    /// The entry hash in lowercase hexadecimal.
    public var hashHex: String { hexString(hash) }
    public var previousHashHex: String { hexString(previousHash) }
}

/// The content members of an entry, the object whose canonical form is hashed.
///
/// The member names are part of the ledger format, documented in docs/FORMAT.md.
struct EntryContent {
    static let formatVersion: Int64 = 1

    var sequence: Int64
    var recordedAt: Timestamp
    var kind: EntryKind
    var actor: String
    var body: [String: JSONValue]
    var ledgerID: String
    var signerKeyID: String
    var algorithm: String
    /// The RFC 8785 canonical JSON of `body`, when the caller has it already.
    var canonicalBody: [UInt8]?

    var jsonValue: JSONValue {
        .object([
            "v": .number(Double(Self.formatVersion)),
            "seq": .number(Double(sequence)),
            "recorded_at": .string(recordedAt.description),
            "kind": .string(kind.rawValue),
            "actor": .string(actor),
            "body": .object(body),
            "ledger": .string(ledgerID),
            "signer": .string(signerKeyID),
            "alg": .string(algorithm),
        ])
    }

    /// Decodes content from canonical bytes, checking that every member is present and well formed.
    init(canonical: [UInt8]) throws {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: canonical)
        } catch {
            throw EntryDecodingError("the stored canonical JSON does not parse: \(error)")
        }
        guard let object = value.objectValue else {
            throw EntryDecodingError("the stored canonical JSON is not an object")
        }
        func member(_ name: String) throws -> JSONValue {
            guard let member = object[name] else { throw EntryDecodingError("member \"\(name)\" is missing") }
            return member
        }
        func string(_ name: String) throws -> String {
            let value = try member(name)
            guard let text = value.stringValue else { throw EntryDecodingError("member \"\(name)\" is not a string") }
            return text
        }
        guard let version = try member("v").int64Value, version == Self.formatVersion else {
            throw EntryDecodingError("member \"v\" is not format version \(Self.formatVersion)")
        }
        guard let sequence = try member("seq").int64Value, sequence >= 1 else {
            throw EntryDecodingError("member \"seq\" is not a positive integer")
        }
        guard let recordedAt = Timestamp(rfc3339: try string("recorded_at")) else {
            throw EntryDecodingError("member \"recorded_at\" is not an RFC 3339 time")
        }
        guard let body = try member("body").objectValue else {
            throw EntryDecodingError("member \"body\" is not an object")
        }
        let expected: Set<String> = ["v", "seq", "recorded_at", "kind", "actor", "body", "ledger", "signer", "alg"]
        if let extra = Set(object.keys).subtracting(expected).sorted().first {
            throw EntryDecodingError("unexpected member \"\(extra)\"")
        }
        self.sequence = sequence
        self.recordedAt = recordedAt
        self.kind = try EntryKind(rawValue: string("kind"))
        self.actor = try string("actor")
        self.body = body
        self.ledgerID = try string("ledger")
        self.signerKeyID = try string("signer")
        self.algorithm = try string("alg")
    }

    init(sequence: Int64, recordedAt: Timestamp, kind: EntryKind, actor: String, body: [String: JSONValue],
         ledgerID: String, signerKeyID: String, algorithm: String, canonicalBody: [UInt8]? = nil) {
        self.sequence = sequence
        self.recordedAt = recordedAt
        self.kind = kind
        self.actor = actor
        self.body = body
        self.ledgerID = ledgerID
        self.signerKeyID = signerKeyID
        self.algorithm = algorithm
        self.canonicalBody = canonicalBody
    }
}

struct EntryDecodingError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var characters = [UInt8]()
    characters.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        characters.append(digits[Int(byte >> 4)])
        characters.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: characters, as: UTF8.self)
}

func bytes(fromHex text: String) -> [UInt8]? {
    let utf8 = Array(text.utf8)
    guard utf8.count % 2 == 0 else { return nil }
    func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x61...0x66: return byte - 0x61 + 10
        case 0x41...0x46: return byte - 0x41 + 10
        default: return nil
        }
    }
    var result = [UInt8]()
    result.reserveCapacity(utf8.count / 2)
    var index = 0
    while index < utf8.count {
        guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
        result.append(high << 4 | low)
        index += 2
    }
    return result
}
