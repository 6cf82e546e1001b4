/// The parts of ``LedgerError`` and the report module's `ReportError` that
/// work the same way: a stable code that callers match on and a message that
/// names the bad value and the fix.
///
/// Conforming errors compare equal when their codes are equal, so new codes
/// and reworded messages do not break callers that match on them.
package protocol CodedMessageError: Error, CustomStringConvertible, Equatable, Sendable {
    associatedtype Code: Equatable

    var code: Code { get }
    var message: String { get }
}

extension CodedMessageError {
    public var description: String { message }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
}
