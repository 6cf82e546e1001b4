import Foundation
import JOSE
import KeyLedger

enum AppendCommand: Command {
    /// The largest --body-file read, in bytes. The body limit applies to the
    /// canonical JSON, which drops whitespace, so an indented file may be
    /// larger than the body it contains. Four times the limit leaves room for that.
    static let maximumBodyFileBytes = 4 * Event.maximumBodyBytes

    static let spec = CommandSpec(
        path: ["append"],
        summary: "Append one event, or a batch from NDJSON in one transaction.",
        usage: "--ledger PATH --signing-key PEM (--kind KIND --actor WHO [--body JSON | --body-file FILE] | --ndjson FILE|- [--actor WHO]) [--durability full|normal] [--json]",
        discussion: """
        KIND is note or a custom kind starting with x-. Key, change and JWKS events have their own
        commands (key generate, change approve, jwks check, ...), which check the lifecycle first. The body is a JSON object of at most \(Event.maximumBodyBytes) bytes as canonical JSON.
        An integer in the body must lie within ±9007199254740991 (2^53 - 1), the integers a JSON number
        holds exactly; send larger ones, such as 64-bit ids, as strings.
        With --ndjson, each line is {"kind": ..., "actor": ..., "body": {...}}; the whole batch is appended
        in one transaction, or nothing is appended and the error names the bad line. Every line is checked
        before anything is signed; a line may be at most \(NDJSONEvents.maximumLineBytes) bytes. A batch of any
        length is read a chunk of lines at a time, and from a pipe it is first copied to a temporary file in
        TMPDIR that is removed at once.
        """,
        options: [
            .value("ledger", "PATH", "The ledger file.", environment: "KEYLEDGER_LEDGER"),
            .value("signing-key", "PEM", "The ledger's current signing key (PKCS#8 PEM, mode 0600).", environment: "KEYLEDGER_SIGNING_KEY"),
            .value("kind", "KIND", "The event kind."),
            .value("actor", "WHO", "Who caused the event; with --ndjson, the default for lines without one."),
            .value("body", "JSON", "The event body, a JSON object. Default: {}."),
            .value("body-file", "FILE", "Read the event body from FILE (- for standard input), at most \(maximumBodyFileBytes) bytes."),
            .value("ndjson", "FILE", "Append every line of FILE (- for standard input) in one transaction."),
            .value("durability", "full|normal", "full (default) syncs every commit to disk; normal is faster but a power loss may drop the last appends."),
            .flag("json", "Print each appended entry as a JSON line."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let path = try arguments.required("ledger")
        let keyPath = try arguments.required("signing-key")
        let json = arguments.flag("json")

        if let source = arguments.value("ndjson") {
            for conflicting in ["kind", "body", "body-file"] where arguments.value(conflicting) != nil {
                throw UsageError("--ndjson takes kinds and bodies from its lines: remove --\(conflicting)")
            }
            return try appendBatch(from: source, arguments: arguments, path: path, keyPath: keyPath, json: json)
        }

        // Parse and validate the event before the ledger is touched, so bad input appends nothing.
        let kind = try arguments.required("kind")
        let actor = try arguments.required("actor")
        let body: [UInt8]
        switch (arguments.value("body"), arguments.value("body-file")) {
        case (let text?, nil): body = Array(text.utf8)
        case (nil, let file?): body = try readInput(file, maximumBytes: maximumBodyFileBytes, option: "--body-file")
        case (nil, nil): body = Array("{}".utf8)
        default: throw UsageError("give either --body or --body-file, not both")
        }
        let event = try Event(kind: kind, actor: actor, bodyJSON: body)

        let ledger = try Ledger(path: path, options: LedgerOptions(durability: try durability(arguments)))
        let entry = try ledger.append(event, signingKey: try ledger.loadSigningKey(path: keyPath))
        if json {
            Terminal.output(try JCS.canonicalString(entry.jsonValue))
        } else {
            Terminal.message("appended entry \(entry.sequence)")
            Terminal.output("\(entry.sequence):\(entry.hashHex)")
        }
        return 0
    }

    /// Appends every line of an NDJSON file, or of standard input for "-",
    /// in one transaction. The library reads the input a chunk at a time,
    /// so a batch of any length fits in memory.
    private static func appendBatch(from source: String, arguments: ParsedArguments, path: String, keyPath: String,
                                    json: Bool) throws -> Int32 {
        let input: FileHandle
        if source == "-" {
            input = FileHandle.standardInput
        } else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue {
                throw LedgerError(.invalidInput, "\"\(source)\" is a directory: give an NDJSON file, or - for standard input")
            }
            guard let handle = FileHandle(forReadingAtPath: source) else { throw unreadableInput(source) }
            input = handle
        }
        defer { if source != "-" { try? input.close() } }

        let ledger = try Ledger(path: path, options: LedgerOptions(durability: try durability(arguments)))
        let signingKey = try ledger.loadSigningKey(path: keyPath)
        let progress = Terminal.Progress("signing", json: json)
        let appended = try ledger.appendNDJSON(from: input, defaultActor: arguments.value("actor"), signingKey: signingKey,
                                               progress: { signed, total in if total > 1000 { progress.update(signed, total) } })
        progress.finish()
        guard let appended else {
            throw UsageError("\(source == "-" ? "standard input" : source) contains no events")
        }
        if json {
            // The entries are read back from the ledger, so that only one is held in memory at a time.
            try ledger.entries(EntryFilter(sequences: appended.firstSequence...appended.last.sequence)) { entry in
                Terminal.output(try JCS.canonicalString(entry.jsonValue))
            }
        } else {
            let last = appended.last
            Terminal.message(appended.count == 1 ? "appended entry \(last.sequence)" : "appended \(appended.count) entries, \(appended.firstSequence) to \(last.sequence)")
            Terminal.output("\(last.sequence):\(last.hashHex)")
        }
        return 0
    }
}

func durability(_ arguments: ParsedArguments) throws -> Durability {
    guard let text = arguments.value("durability") else { return .full }
    guard let value = Durability(rawValue: text) else {
        throw UsageError("--durability \"\(text)\" is not valid: use full or normal")
    }
    return value
}

/// Reads a file, or standard input for "-".
func readInput(_ source: String) throws -> [UInt8] {
    if source == "-" {
        return Array(FileHandle.standardInput.readDataToEndOfFile())
    }
    guard let data = FileManager.default.contents(atPath: source) else {
        throw unreadableInput(source)
    }
    return Array(data)
}

/// Reads a file, or standard input for "-", of at most `maximumBytes`,
/// reading no more than one byte past that limit.
/// - Throws: `LedgerError` naming `option` when the input is larger.
func readInput(_ source: String, maximumBytes: Int, option: String) throws -> [UInt8] {
    let bytes = source == "-"
        ? try BoundedRead.read(FileHandle.standardInput, maximumBytes: maximumBytes)
        : try BoundedRead.read(path: source, maximumBytes: maximumBytes, unreadable: unreadableInput(source))
    guard let bytes else {
        let name = source == "-" ? "standard input" : "\"\(source)\""
        throw LedgerError(.invalidInput,
            "\(option) \(name) is larger than the limit of \(maximumBytes) bytes: store large evidence elsewhere and record its digest")
    }
    return bytes
}

private func unreadableInput(_ source: String) -> LedgerError {
    LedgerError(.invalidInput, "cannot read \"\(source)\": check that the file exists and is readable")
}
