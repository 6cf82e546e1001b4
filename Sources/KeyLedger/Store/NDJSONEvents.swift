import JOSE

/// Events read from newline-delimited JSON, one object per line:
/// `{"kind": "note", "actor": "deploy-bot", "body": {"text": "..."}}`.
///
/// `actor` may be left out when a default is given, and `body` defaults to
/// an empty object. Blank lines are skipped. Other members are rejected so
/// that a typo cannot silently drop data.
public enum NDJSONEvents {
    /// Parses every line, or throws for the first bad one, naming its line number.
    public static func parse(_ bytes: [UInt8], defaultActor: String?) throws -> [Event] {
        var events: [Event] = []
        var lineNumber = 0
        var lineStart = 0
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            lineNumber += 1
            var line = Array(bytes[lineStart..<lineEnd])
            if line.last == 0x0D { line.removeLast() }
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                do {
                    events.append(try parseLine(line, defaultActor: defaultActor))
                } catch let error as LedgerError {
                    throw LedgerError(error.code, "line \(lineNumber): \(error.message)")
                }
            }
            lineStart = lineEnd + 1
        }
        return events
    }

    static func parseLine(_ line: [UInt8], defaultActor: String?) throws -> Event {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: line, rejectingUnsafeIntegers: true)
        } catch let error as JSONError where error.code == .unsafeInteger {
            throw LedgerError(.invalidBody, "the event is rejected: \(error.reason)")
        } catch {
            throw LedgerError(.invalidBody, "not valid JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw LedgerError(.invalidBody, "each line must be a JSON object with \"kind\", \"actor\" and \"body\"")
        }
        if let unknown = Set(object.keys).subtracting(["kind", "actor", "body"]).sorted().first {
            throw LedgerError(.invalidBody, "unknown member \(quoted(unknown)): a line has only \"kind\", \"actor\" and \"body\"")
        }
        guard let kind = object["kind"]?.stringValue else {
            throw LedgerError(.invalidKind, "\"kind\" is missing or not a string")
        }
        let actor: String
        if let given = object["actor"] {
            guard let text = given.stringValue else { throw LedgerError(.invalidActor, "\"actor\" is not a string") }
            actor = text
        } else if let defaultActor {
            actor = defaultActor
        } else {
            throw LedgerError(.invalidActor, "\"actor\" is missing: add it to the line or pass --actor")
        }
        var body: [String: JSONValue] = [:]
        if let given = object["body"] {
            guard let members = given.objectValue else {
                throw LedgerError(.invalidBody, "\"body\" must be a JSON object")
            }
            body = members
        }
        return try Event(kind: EntryKind(validatingForGenericAppend: kind), actor: actor, body: body)
    }
}
