import Foundation
import JOSE
import KeyLedger

/// The events every benchmark appends, so the library, the CLI and the raw
/// SQLite baseline all write entries of the same size.
///
/// Event `i` is a custom event named like a key-lifecycle step, about key
/// `bench-key-i`, in change `CHG-i`, with a short note: about 400 bytes of
/// canonical entry content. The real lifecycle kinds are appended only by
/// their own commands, which check the lifecycle, so the batch uses `x-` kinds.
enum BenchEvents {
    static let actor = "deploy-bot@example.com"
    private static let kinds: [EntryKind] = ["x-generated", "x-published", "x-verified", "x-retired", "note"]
        .map(EntryKind.init(rawValue:))

    static func kind(_ index: Int) -> EntryKind { kinds[index % kinds.count] }

    static func body(_ index: Int) -> [String: JSONValue] {
        let number = String(format: "%06d", index)
        return [
            "kid": .string("bench-key-\(number)"),
            "change": .string("CHG-\(number)"),
            "jwks_uri": .string("https://idp.example.com/.well-known/jwks.json"),
            "note": .string("benchmark event \(number), recorded by keyledger-bench"),
        ]
    }

    static func event(_ index: Int) throws -> Event {
        try Event(kind: kind(index), actor: actor, body: body(index))
    }

    /// Events `first` to `first + count - 1`.
    static func events(first: Int, count: Int) throws -> [Event] {
        try (first..<(first + count)).map(event)
    }

    /// Returns the NDJSON line of event `index`, as `keyledger append --ndjson` reads it.
    static func ndjsonLine(_ index: Int) throws -> String {
        try JCS.canonicalString(.object([
            "kind": .string(kind(index).rawValue),
            "actor": .string(actor),
            "body": .object(body(index)),
        ]))
    }

    /// `write-ndjson`: writes events `--first` to `--first + --entries - 1` to `--output`, one per line.
    static func writeNDJSON(_ options: BenchOptions) throws {
        let count = try options.positiveInteger("entries")
        let first = try options.positiveInteger("first", default: 1)
        let path = try options.string("output")
        var text = ""
        for index in first..<(first + count) {
            text += try ndjsonLine(index) + "\n"
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw BenchFailure("cannot write \(path)")
        }
        printResult("lines", count)
    }

    /// Canonical JSON with the members and sizes of entry `index`'s content,
    /// for rows written without the ledger (the raw SQLite baseline).
    static func contentLike(_ index: Int, recordedAt: String, ledgerID: String, signerKeyID: String) throws -> [UInt8] {
        try JCS.canonicalize(.object([
            "v": .number(1),
            "seq": .number(Double(index)),
            "recorded_at": .string(recordedAt),
            "kind": .string(kind(index).rawValue),
            "actor": .string(actor),
            "body": .object(body(index)),
            "ledger": .string(ledgerID),
            "signer": .string(signerKeyID),
            "alg": .string("RS256"),
        ]))
    }
}
