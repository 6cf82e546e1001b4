import Foundation
import JOSE

/// The actor of a change or key step, and how the step is recorded.
public struct StepContext: Sendable {
    public var actor: String
    /// When the step really happened, for a step done outside keyledger.
    /// The entry then records both this claimed time (`occurred_at`) and the time it was recorded.
    /// The append throws `invalidInput` for a claimed time later than the
    /// recorded time plus `ClaimedTime.maximumClockSkewMilliseconds`. Reports
    /// judge change windows by both times and list claimed times before the
    /// ledger's genesis entry.
    public var claimedTime: Timestamp?
    /// A reason to perform a key step outside an approved, in-progress change.
    /// The step is appended and reported as an exception.
    public var emergency: String?

    public init(actor: String, claimedTime: Timestamp? = nil, emergency: String? = nil) {
        self.actor = actor
        self.claimedTime = claimedTime
        self.emergency = emergency
    }

    /// Adds the members every step records to `body`.
    /// - Throws: `LedgerError.Code.invalidInput` for an empty or over-long
    ///   emergency reason, because an emergency lets a step skip change control.
    func decorate(_ body: [String: JSONValue]) throws -> [String: JSONValue] {
        var body = body
        if let claimedTime { body["occurred_at"] = .string(claimedTime.description) }
        if let emergency {
            try validateText(emergency, what: "the emergency reason")
            body["emergency"] = .string(emergency)
        }
        return body
    }
}

/// Checks an identifier such as a change id, key name or environment.
func validateIdentifier(_ value: String, what: String, example: String) throws {
    let allowed = value.utf8.allSatisfy { byte in
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == 0x2D || byte == 0x2E || byte == 0x5F
    }
    guard !value.isEmpty, value.utf8.count <= 128, allowed else {
        throw LedgerError(.invalidInput,
            "\(what) \(quoted(value)) is invalid: use 1 to 128 letters, digits, '.', '_' or '-', for example \(example)")
    }
}

/// Checks a free-text field such as a summary or an evidence note.
func validateText(_ value: String, what: String, maximumLength: Int = 4096, required: Bool = true) throws {
    if required && value.trimmingCharacters(in: .whitespaces).isEmpty {
        throw LedgerError(.invalidInput, "\(what) is empty: give a short description")
    }
    guard value.unicodeScalars.count <= maximumLength else {
        throw LedgerError(.invalidInput, "\(what) is longer than \(maximumLength) characters: shorten it and link to the full text")
    }
}
