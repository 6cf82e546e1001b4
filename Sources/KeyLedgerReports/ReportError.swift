import Foundation
import KeyLedger

/// An error from report generation: a stable code and a message that names the bad value and the fix.
///
/// Errors compare equal by code, like `LedgerError`, so reworded messages do
/// not break callers that match on them.
public struct ReportError: Error, CustomStringConvertible, Equatable, Sendable, CodedMessageError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A period that is not a quarter or a valid range of days.
        public static let invalidPeriod = Code("invalid_period")
        /// An option value the report cannot use, such as a negative age.
        public static let invalidOption = Code("invalid_option")
        /// A report file or the manifest could not be written.
        public static let output = Code("output")
        /// A layout in `reports/layouts` names a slot the renderer does not fill, or misses one it needs.
        public static let layout = Code("layout")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Quotes a user-supplied value for a message, escaping control characters and shortening it.
    static func quoted(_ value: String, limit: Int = 80) -> String {
        var escaped = ""
        for scalar in value.unicodeScalars.prefix(limit) {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case _ where VisibleText.needsMarker(scalar):
                escaped += String(format: "\\u{%X}", scalar.value)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        if value.unicodeScalars.count > limit { escaped += "…" }
        return "\"\(escaped)\""
    }
}
