import JOSE

/// The rules for a claimed time (`occurred_at`, the `--at` option), checked
/// when an entry is appended and again by reports.
///
/// A claimed time records when a step really happened outside keyledger, so
/// it may lie before the time the ledger records the entry. It may even lie
/// before the ledger's genesis entry, for a key already in service when the
/// ledger was started, and reports list such a step for other evidence. It
/// may lie after the recorded time by no more than `maximumClockSkewMilliseconds`.
public enum ClaimedTime {
    /// How much later than its recorded time a claimed time may be: 5 minutes,
    /// for clocks of different machines that disagree.
    public static let maximumClockSkewMilliseconds: Int64 = 300_000

    /// The body member that contains the claimed time.
    public static let member = "occurred_at"

    /// Returns why `value`, the `occurred_at` member of an entry recorded at
    /// `recordedAt`, cannot be true, or nil when it can.
    public static func problem(with value: JSONValue, recordedAt: Timestamp) -> String? {
        problem(with: value, reference: recordedAt, referenceName: "the recorded time")
    }

    /// Returns why `value` cannot be true when compared with `reference`,
    /// which `referenceName` names in the message, or nil when it can.
    static func problem(with value: JSONValue, reference: Timestamp, referenceName: String) -> String? {
        guard let text = value.stringValue else {
            return "the claimed time is \(value.kindName), not a string with an RFC 3339 time"
        }
        guard let claimed = Timestamp(rfc3339: text) else {
            return "the claimed time \(quoted(text)) is not an RFC 3339 time"
        }
        // `Timestamp(rfc3339:)` also reads a plain date (10 characters), which names no time of day.
        guard text.utf8.count > 10 else {
            return "the claimed time \(quoted(text)) is a date without a time of day: give an RFC 3339 date-time such as \(text)T00:00:00Z"
        }
        let latest = reference.millisecondsSinceEpoch + maximumClockSkewMilliseconds
        if claimed.millisecondsSinceEpoch > latest {
            return "the claimed time \(claimed) is later than \(referenceName) \(reference) by more than the allowed clock skew of \(maximumClockSkewMilliseconds / 60_000) min"
        }
        return nil
    }

    /// Returns the claimed time in `value` when it is a time earlier than
    /// `genesis`, the recorded time of the ledger's genesis entry, else nil.
    public static func precedingLedger(_ value: JSONValue, genesis: Timestamp?) -> Timestamp? {
        guard let genesis, let claimed = value.stringValue.flatMap(Timestamp.init(rfc3339:)), claimed < genesis else { return nil }
        return claimed
    }
}

extension Ledger {
    /// Throws when the claimed time of an event cannot be true at the time the
    /// entry is recorded. The caller must be inside the write transaction.
    ///
    /// - Parameter batchPosition: the event's position in a batch of more than
    ///   one event, counted from 1, else nil. NDJSON batches are checked by line
    ///   before this, so that their errors name the line of the file.
    func checkClaimedTime(of event: Event, sequence: Int64, batchPosition: Int?, recordedAt: Timestamp) throws {
        guard let value = event.body[ClaimedTime.member],
              let problem = ClaimedTime.problem(with: value, recordedAt: recordedAt) else { return }
        let position = batchPosition.map { " (event \($0) of the batch)" } ?? ""
        throw LedgerError(.invalidInput,
            "\(problem), so the \(event.kind) entry \(sequence)\(position) was not appended and nothing else was: a claimed time (--at, or occurred_at in an event body) records when a step done outside keyledger really happened, so give that time or leave it out")
    }
}
