import Foundation
import JOSE

/// An event to append: what happened, who caused it, and its details.
///
/// Creating an `Event` checks everything that can be checked without the
/// ledger, so a rejected event never reaches the database. The public
/// initializers build only `note` and custom `x-` events. Key, change, JWKS
/// and report events come only from their own library calls, such as
/// `Ledger.publishKey` or `Ledger.approveChange`, which check the step first.
public struct Event: Sendable {
    /// The largest body accepted, measured as RFC 8785 canonical JSON: 64 KiB.
    public static let maximumBodyBytes = 65_536
    /// The maximum length of an actor name, in Unicode scalars.
    public static let maximumActorLength = 256

    public let kind: EntryKind
    public let actor: String
    public let body: [String: JSONValue]
    /// The RFC 8785 canonical JSON of `body`, kept from the size check so
    /// that the append does not serialize the body again. Nil for the
    /// ledger's own events, whose bodies are not checked.
    let canonicalBody: [UInt8]?

    /// Validates a `note` or custom `x-` event for `Ledger.append`.
    ///
    /// Every other built-in kind has its own library call, which checks the
    /// key lifecycle or the change process against the ledger before it
    /// appends, so this initializer rejects those kinds. The ledger's own kinds
    /// (`genesis`, `signing_key_rotated`, `checkpoint_key_rotated`) are
    /// rejected too.
    ///
    /// - Throws: `LedgerError` with `.invalidKind` for a kind that has its own
    ///   call (the message names the call) or that is neither `note` nor a valid
    ///   custom kind. `.invalidActor` when the actor is empty, too long or
    ///   contains control, format or other invisible characters. `.bodyTooLarge` or `.invalidBody` when the
    ///   body's canonical form is larger than `maximumBodyBytes` or contains a
    ///   number JSON cannot represent.
    public init(kind: EntryKind, actor: String, body: [String: JSONValue] = [:]) throws {
        if let call = EntryKind.dedicatedLibraryCalls[kind] {
            throw LedgerError(.invalidKind,
                "event kind \(quoted(kind.rawValue)) has its own library call, `\(call)`, which checks the step against the ledger before it is appended: use that call, or a note or x- kind for other events")
        }
        guard kind == .note || kind.isCustom else {
            throw LedgerError(.invalidKind,
                "unknown event kind \(quoted(kind.rawValue)): `Event(kind:actor:body:)` takes \"note\" or a custom kind such as \"x-deploy\" (x- then lowercase letters, digits, '.', '_' or '-')")
        }
        try self.init(checkedKind: kind, actor: actor, body: body)
    }

    /// Parses `kind` and a JSON body as given on a command line or in an NDJSON line.
    ///
    /// Only `note` and `x-` kinds are accepted here; see `EntryKind(validatingForGenericAppend:)`.
    /// - Throws: `LedgerError` for an unknown or dedicated kind, JSON that does not parse
    ///   (including invalid UTF-8), an integer literal outside ±9007199254740991 (2^53 − 1), or JSON that is not an object.
    public init(kind: String, actor: String, bodyJSON: [UInt8]) throws {
        let parsedKind = try EntryKind(validatingForGenericAppend: kind)
        let value: JSONValue
        do {
            // An integer beyond 2^53 - 1 would be stored rounded to a nearby double, recording another value than the one sent.
            value = try JSONValue(parsing: bodyJSON, rejectingUnsafeIntegers: true)
        } catch let error as JSONError where error.code == .unsafeInteger {
            throw LedgerError(.invalidBody, "the event body is rejected: \(error.reason)")
        } catch {
            throw LedgerError(.invalidBody, "the event body is not valid JSON (\(error)): give a JSON object in UTF-8, such as {\"ticket\":\"CHG-1\"}")
        }
        guard let object = value.objectValue else {
            throw LedgerError(.invalidBody, "the event body must be a JSON object such as {\"ticket\":\"CHG-1\"}, not \(Self.describe(value))")
        }
        try self.init(kind: parsedKind, actor: actor, body: object)
    }

    /// Creates an event of a kind that has its own library call, such as
    /// `published` or `change_approved`, for that call to append.
    ///
    /// The caller must have checked the step against the ledger (the key's
    /// state, the change's state and its people), because `Ledger.append`
    /// checks nothing of that. It is `package`, not `internal`, so that the
    /// reports module can build its `report_generated` event.
    /// - Throws: `LedgerError` with `.invalidKind` for a kind without its own
    ///   call or one of the ledger's own kinds, and the actor and body errors
    ///   of `init(kind:actor:body:)`.
    package init(dedicatedKind kind: EntryKind, actor: String, body: [String: JSONValue]) throws {
        guard EntryKind.dedicatedLibraryCalls[kind] != nil, !EntryKind.reserved.contains(kind) else {
            throw LedgerError(.invalidKind,
                "event kind \(quoted(kind.rawValue)) is not a key, change, JWKS or report step: build a note or x- event with `Event(kind:actor:body:)`, and the ledger's own events with `init(reservedKind:actor:body:)`")
        }
        try self.init(checkedKind: kind, actor: actor, body: body)
    }

    /// Checks the actor and the body's canonical size for a kind the caller already checked.
    private init(checkedKind kind: EntryKind, actor: String, body: [String: JSONValue]) throws {
        try Self.validate(actor: actor)
        let canonicalBody: [UInt8]
        do {
            canonicalBody = try JCS.canonicalize(.object(body))
        } catch {
            throw LedgerError(.invalidBody, "the event body cannot be canonicalized: \(error)")
        }
        let size = canonicalBody.count
        guard size <= Self.maximumBodyBytes else {
            throw LedgerError(.bodyTooLarge,
                "the event body is \(size) bytes as canonical JSON, over the limit of \(Self.maximumBodyBytes) bytes: store large evidence elsewhere and record its digest")
        }
        self.kind = kind
        self.actor = actor
        self.body = body
        self.canonicalBody = canonicalBody
    }

    /// Creates one of the ledger's own events, skipping the reserved-kind check.
    init(reservedKind kind: EntryKind, actor: String, body: [String: JSONValue]) throws {
        try Self.validate(actor: actor)
        self.kind = kind
        self.actor = actor
        self.body = body
        self.canonicalBody = nil
    }

    /// Checks a person's or tool's name: the actor, or a technician, reviewer or manager.
    ///
    /// Names are compared exactly for segregation of duties, so leading or
    /// trailing white space, which would make one person look like two, is rejected.
    package static func validate(actor: String, role: String = "actor", option: String = "--actor") throws {
        if isPrintableASCIIName(actor) { return }
        let trimmed = actor.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw LedgerError(.invalidActor, "the \(role) is empty: name the person or tool responsible, for example \(option) alice@example.com")
        }
        guard trimmed == actor else {
            throw LedgerError(.invalidActor, "the \(role) \(quoted(actor)) starts or ends with white space: give the name without it")
        }
        guard actor.unicodeScalars.count <= maximumActorLength else {
            throw LedgerError(.invalidActor, "the \(role) \(quoted(actor)) is longer than \(maximumActorLength) characters: use a shorter identifier")
        }
        if actor.unicodeScalars.contains(where: isHiddenInName) {
            throw LedgerError(.invalidActor, "the \(role) \(quoted(actor)) contains control, formatting, invisible or replacement characters: use printable text only")
        }
    }

    /// Returns whether `scalar` is hidden or garbled in a displayed name.
    ///
    /// Besides control and format characters this takes every Unicode default
    /// ignorable code point, such as the variation selector U+FE0F, the
    /// combining grapheme joiner U+034F and the Hangul filler U+3164. These
    /// display as nothing, so "tina" followed by one would show as the
    /// technician "tina" while comparing as a different person.
    private static func isHiddenInName(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        return properties.generalCategory == .control || properties.generalCategory == .format
            || properties.isDefaultIgnorableCodePoint || scalar == "\u{FFFD}"
    }

    /// Returns whether `name` is 1 to `maximumActorLength` printable ASCII
    /// characters (U+0020 to U+007E) with no space at either end.
    ///
    /// Such a name passes every check in `validate(actor:role:option:)`, which
    /// can then skip Foundation's trimming and the Unicode property lookups.
    private static func isPrintableASCIIName(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard let first = utf8.first, let last = utf8.last, first != 0x20, last != 0x20,
              utf8.count <= maximumActorLength else { return false }
        return utf8.allSatisfy { (0x20...0x7E).contains($0) }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
