import Dispatch
import JOSE

/// Events read from newline-delimited JSON, one object per line:
/// `{"kind": "note", "actor": "deploy-bot", "body": {"text": "..."}}`.
///
/// `actor` may be left out when a default is given, and `body` defaults to
/// an empty object. Blank lines are skipped. Other members are rejected so
/// that a typo cannot silently drop data.
public enum NDJSONEvents {
    /// Parses every line, or throws for the first bad one, naming its line number.
    ///
    /// Lines are parsed on every core at once. The error reported is still
    /// that of the first bad line, because results are read in line order.
    ///
    /// A line whose body has a claimed time (`occurred_at`) that is not a time,
    /// or that is later than the current time plus the allowed clock skew, is
    /// rejected too. The ledger checks the claimed time again when it appends.
    public static func parse(_ bytes: [UInt8], defaultActor: String?) throws -> [Event] {
        try parseLines(lineRanges(bytes), of: bytes, firstLineNumber: 1, defaultActor: defaultActor)
    }

    /// Parses the lines at `lines` in `bytes`, whose first is line
    /// `firstLineNumber` of the input, or throws for the first bad one.
    static func parseLines(_ lines: [Range<Int>], of bytes: [UInt8], firstLineNumber: Int,
                           defaultActor: String?) throws -> [Event] {
        let results = parseInParallel(bytes, lines: lines, defaultActor: defaultActor, readAt: Timestamp.now())
        var events: [Event] = []
        events.reserveCapacity(lines.count)
        for (index, result) in results.enumerated() {
            switch result {
            case nil:
                continue
            case .success(let event)?:
                events.append(event)
            case .failure(let error as LedgerError)?:
                throw LedgerError(error.code, "line \(firstLineNumber + index): \(error.message)")
            case .failure(let error)?:
                throw error
            }
        }
        return events
    }

    /// Returns the byte range of each line without its line feed, and without
    /// a carriage return before it. Text after the last line feed counts as
    /// one more line, which is empty when the input ends with a line feed.
    static func lineRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var lineStart = 0
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            var contentEnd = lineEnd
            if contentEnd > lineStart && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            lines.append(lineStart..<contentEnd)
            lineStart = lineEnd + 1
        }
        return lines
    }

    /// Parses each line that is not blank into an event or an error, nil for
    /// blank lines, spreading chunks of lines over every core.
    private static func parseInParallel(_ bytes: [UInt8], lines: [Range<Int>], defaultActor: String?,
                                        readAt: Timestamp) -> [Result<Event, Error>?] {
        func parse(_ range: Range<Int>) -> Result<Event, Error>? {
            let line = bytes[range]
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
            return Result {
                let event = try parseLine(Array(line), defaultActor: defaultActor)
                try checkClaimedTime(of: event, readAt: readAt)
                return event
            }
        }
        let chunkSize = 256
        guard lines.count > chunkSize else {
            return lines.map(parse)
        }
        let chunkCount = (lines.count + chunkSize - 1) / chunkSize
        return [Result<Event, Error>?](unsafeUninitializedCapacity: lines.count) { buffer, initializedCount in
            let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                // The chunks' index ranges are disjoint and cover every line, so each element is initialized once.
                for index in chunk * chunkSize..<min(lines.count, (chunk + 1) * chunkSize) {
                    (base + index).initialize(to: parse(lines[index]))
                }
            }
            initializedCount = lines.count
        }
    }

    /// Throws when the event's claimed time cannot be true at `readAt`, the
    /// time the batch was read, so that the error names the line.
    private static func checkClaimedTime(of event: Event, readAt: Timestamp) throws {
        guard let value = event.body[ClaimedTime.member],
              let problem = ClaimedTime.problem(with: value, reference: readAt, referenceName: "the current time") else { return }
        throw LedgerError(.invalidInput,
            "\(problem): a claimed time (occurred_at) records when a step done outside keyledger really happened, so give that time or leave it out")
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
        let isKnownMember = { (name: String) in name == "kind" || name == "actor" || name == "body" }
        if let unknown = object.keys.filter({ !isKnownMember($0) }).min() {
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
