import JOSE

/// The rules for a claimed time (`occurred_at`, the `--at` option), checked
/// when an entry is appended and again by reports.
///
/// A claimed time records when a step really happened outside keyledger, so
/// it may lie before the time the ledger records the entry. It may lie after
/// that time by no more than `maximumClockSkewMilliseconds`. It may never lie
/// before the ledger's genesis entry, because the ledger did not exist then.
public enum ClaimedTime {
    /// How much later than its recorded time a claimed time may be: 5 minutes,
    /// for clocks of different machines that disagree.
    public static let maximumClockSkewMilliseconds: Int64 = 300_000

    /// The body member that contains the claimed time.
    public static let member = "occurred_at"

    /// Returns why `value`, the `occurred_at` member of an entry recorded at
    /// `recordedAt`, cannot be true, or nil when it can.
    ///
    /// - Parameter genesis: the recorded time of the ledger's genesis entry,
    ///   or nil while the ledger has none.
    public static func problem(with value: JSONValue, recordedAt: Timestamp, genesis: Timestamp?) -> String? {
        guard let text = value.stringValue, let claimed = Timestamp(rfc3339: text) else {
            return "the claimed time \(value.stringValue.map { quoted($0) } ?? "of another JSON type") is not an RFC 3339 time"
        }
        let latest = recordedAt.millisecondsSinceEpoch + maximumClockSkewMilliseconds
        if claimed.millisecondsSinceEpoch > latest {
            return "the claimed time \(claimed) is later than the recorded time \(recordedAt) by more than the allowed clock skew of \(maximumClockSkewMilliseconds / 60_000) min"
        }
        if let genesis, claimed < genesis {
            return "the claimed time \(claimed) is earlier than the ledger's genesis entry, recorded at \(genesis)"
        }
        return nil
    }
}

extension Ledger {
    /// Throws when the claimed time of an event cannot be true at the time the
    /// entry is recorded. The caller must be inside the write transaction.
    ///
    /// - Parameters:
    ///   - batchPosition: the event's position in a batch of more than one
    ///     event, counted from 1 as the lines of an NDJSON batch are, else nil.
    ///   - genesis: the genesis entry's recorded time, read on the first call
    ///     and kept by the caller for the rest of the batch.
    func checkClaimedTime(of event: Event, sequence: Int64, batchPosition: Int?, recordedAt: Timestamp,
                          genesis: inout Timestamp??) throws {
        guard let value = event.body[ClaimedTime.member] else { return }
        if genesis == nil {
            genesis = .some(try genesisRecordedAtLocked())
        }
        guard let problem = ClaimedTime.problem(with: value, recordedAt: recordedAt, genesis: genesis!) else { return }
        let position = batchPosition.map { " (event \($0) of the batch)" } ?? ""
        throw LedgerError(.invalidInput,
            "\(problem), so the \(event.kind) entry \(sequence)\(position) was not appended and nothing else was: a claimed time (--at, or occurred_at in an event body) records when a step done outside keyledger really happened, so give that time or leave it out")
    }

    /// Returns the recorded time of entry 1, or nil when the ledger is empty.
    private func genesisRecordedAtLocked() throws -> Timestamp? {
        let text = try connection.withCachedStatement("SELECT recorded_at FROM entries WHERE seq = 1") {
            try $0.rows().first?.text(0)
        }
        return text.flatMap(Timestamp.init(rfc3339:))
    }
}
