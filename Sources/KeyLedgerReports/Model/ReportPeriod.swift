import Foundation
import KeyLedger

/// The span of time a report covers: from `start` (inclusive) to `end` (exclusive), in UTC.
///
/// An entry belongs to the period when its recorded time (not a claimed
/// `occurred_at`) lies in that span. `Ledger.append` never records an entry
/// earlier than the one before it, so the entries of a period form one run of
/// consecutive sequence numbers. A report flags an entry that breaks this
/// order as `ledger.time_out_of_order`.
public struct ReportPeriod: Equatable, Sendable {
    /// A name for the period: `2026-Q4`, or `2026-10-01..2026-12-31` for a range of days.
    public let label: String
    /// The first millisecond of the period.
    public let start: Timestamp
    /// The first millisecond after the period.
    public let end: Timestamp

    static let millisecondsPerDay: Int64 = 86_400_000

    /// Creates the calendar quarter named like `2026-Q4` (the `Q` may be lowercase).
    ///
    /// - Throws: `ReportError` for any other form, a year before 1970, or
    ///   9999-Q4, which ends in a five-digit year that RFC 3339 cannot write.
    public init(quarter text: String) throws {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]),
              parts[1].count == 2, parts[1].uppercased().hasPrefix("Q"),
              let quarter = Int(parts[1].dropFirst()), (1...4).contains(quarter) else {
            throw ReportError(.invalidPeriod, "the period \(ReportError.quoted(text)) is not a quarter: use YEAR-QN, for example 2026-Q4")
        }
        guard year >= 1970 else {
            throw ReportError(.invalidPeriod,
                "the period \(ReportError.quoted(text)) ends before 1970, and no ledger entry is recorded before 1970: give a quarter from 1970-Q1 on")
        }
        guard year < 9999 || quarter < 4 else {
            throw ReportError(.invalidPeriod,
                "the period \(ReportError.quoted(text)) has not started yet, and it ends in the year 10000, which an RFC 3339 time cannot write: give a quarter that has started")
        }
        let firstMonth = (quarter - 1) * 3 + 1
        let start = Self.dayStart(year: year, month: firstMonth, day: 1)
        let end = quarter == 4 ? Self.dayStart(year: year + 1, month: 1, day: 1) : Self.dayStart(year: year, month: firstMonth + 3, day: 1)
        self.label = "\(year)-Q\(quarter)"
        self.start = start
        self.end = end
    }

    /// Creates the period of the days from `from` to `to`, both inclusive, each given as `YYYY-MM-DD`.
    ///
    /// - Throws: `ReportError` when a date is not a valid calendar date in that
    ///   form or is before 1970, when `to` is 9999-12-31 (the period would end in
    ///   the year 10000), or when `to` is before `from`.
    public init(from: String, to: String) throws {
        let first = try Self.parseDay(from, option: "--from")
        let last = try Self.parseDay(to, option: "--to")
        // The period ends at the midnight after `to`, which for 9999-12-31 falls in
        // the year 10000, a time that RFC 3339 and the report's JSON schema cannot write.
        guard to != "9999-12-31" else {
            throw ReportError(.invalidPeriod,
                "--to \(ReportError.quoted(to)) is the last day RFC 3339 can write, and the period would end in the year 10000: give a day up to 9999-12-30")
        }
        guard first <= last else {
            throw ReportError(.invalidPeriod, "--to \(to) is before --from \(from): give the first day of the period with --from and the last with --to")
        }
        self.label = "\(from)..\(to)"
        self.start = first
        self.end = Timestamp(millisecondsSinceEpoch: last.millisecondsSinceEpoch + Self.millisecondsPerDay)
    }

    /// The last day inside the period, as `YYYY-MM-DD`.
    public var lastDay: String {
        String(Timestamp(millisecondsSinceEpoch: end.millisecondsSinceEpoch - 1).description.prefix(10))
    }

    /// The first day inside the period, as `YYYY-MM-DD`.
    public var firstDay: String { String(start.description.prefix(10)) }

    /// Returns whether `time` lies inside the period.
    public func contains(_ time: Timestamp) -> Bool { start <= time && time < end }

    /// A form of the label that is safe in a file name.
    var fileLabel: String { label.replacingOccurrences(of: "..", with: "_to_") }

    private static func parseDay(_ text: String, option: String) throws -> Timestamp {
        let bytes = Array(text.utf8)
        let shaped = bytes.count == 10 && bytes[4] == UInt8(ascii: "-") && bytes[7] == UInt8(ascii: "-")
            && bytes.enumerated().allSatisfy { index, byte in index == 4 || index == 7 || (0x30...0x39).contains(byte) }
        guard shaped, let day = Timestamp(rfc3339: text) else {
            throw ReportError(.invalidPeriod, "\(option) \(ReportError.quoted(text)) is not a date: use YYYY-MM-DD, for example 2026-10-01")
        }
        guard day.millisecondsSinceEpoch >= 0 else {
            throw ReportError(.invalidPeriod,
                "\(option) \(ReportError.quoted(text)) is before 1970, and no ledger entry is recorded before 1970: give a day from 1970-01-01 on")
        }
        return day
    }

    private static func dayStart(year: Int, month: Int, day: Int) -> Timestamp {
        // Callers pass a year from 1970 to 9999 and a valid month and day, which always parse.
        Timestamp(rfc3339: dayText(year: year, month: month, day: day))!
    }

    /// `YYYY-MM-DD` for a year from 0 to 9999.
    static func dayText(year: Int, month: Int, day: Int) -> String {
        func padded(_ number: Int, _ width: Int) -> String {
            let digits = String(number)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }
}
