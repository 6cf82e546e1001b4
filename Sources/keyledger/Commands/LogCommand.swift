import Foundation
import JOSE
import KeyLedger

enum LogCommand: Command {
    static let spec = CommandSpec(
        path: ["log"],
        summary: "List entries, optionally filtered by kind and time.",
        usage: "--ledger PATH [--kind K]... [--since T] [--until T] [--kid KID] [--change ID] [--json]",
        discussion: """
        Times are RFC 3339 (2026-10-01T00:00:00Z) or dates (2026-10-01, midnight UTC).
        --since includes its time; --until excludes it. The log does not verify: run `keyledger verify` for that.
        """,
        options: [
            .value("ledger", "PATH", "The ledger file.", environment: "KEYLEDGER_LEDGER"),
            .value("kind", "K", "Only entries of this kind; repeat for several.", repeatable: true),
            .value("since", "T", "Only entries recorded at or after T."),
            .value("until", "T", "Only entries recorded before T."),
            .value("kid", "KID", "Only entries about this key."),
            .value("change", "ID", "Only entries of this change."),
            .flag("json", "Print one JSON object per entry per line."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let ledger = try Ledger(path: try arguments.required("ledger"), readOnly: true)
        let kinds = arguments.values("kind")
        // A mistyped kind would match nothing and look like an empty ledger, so it is rejected.
        for kind in kinds where !(EntryKind(rawValue: kind).isBuiltIn || EntryKind(rawValue: kind).isCustom) {
            throw UsageError("--kind \"\(kind)\" is not an event kind: use a built-in kind such as published or change_approved, or an x- custom kind")
        }
        let filter = EntryFilter(
            kinds: kinds.isEmpty ? nil : Set(kinds.map(EntryKind.init(rawValue:))),
            since: try arguments.timestamp("since"),
            until: try arguments.timestamp("until"),
            keyID: arguments.value("kid"),
            changeID: arguments.value("change"))
        if let since = filter.since, let until = filter.until, until < since {
            throw UsageError("--until \(until) is before --since \(since): no entry can match, so give an --until later than --since")
        }
        let json = arguments.flag("json")
        try ledger.entries(filter) { entry in
            if json {
                Terminal.output(try JCS.canonicalString(entry.jsonValue))
            } else {
                var line = "\(entry.sequence)\t\(entry.recordedAt)\t\(printable(entry.kind.rawValue))\t\(printable(entry.actor))"
                if let kid = entry.keyID { line += "\tkid=\(printable(kid))" }
                if let change = entry.changeID { line += "\tchange=\(printable(change))" }
                line += "\t\(entry.hashHex.prefix(16))"
                Terminal.output(line)
            }
        }
        return 0
    }
}

/// Replaces control and format characters, so that stored text cannot rewrite
/// the terminal, and the other characters that display as nothing (Unicode
/// default ignorable code points such as U+FE0F), so that two names that
/// differ do not print alike.
func printable(_ text: String) -> String {
    String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
        let category = scalar.properties.generalCategory
        let hidden = category == .control || category == .format || scalar.properties.isDefaultIgnorableCodePoint
        return hidden ? "\u{FFFD}" : scalar
    }))
}
