import Foundation
import JOSE
import KeyLedger

/// The text of every free-text field of a quarter, so the same history can be
/// built once with plain text and once with hostile text.
struct FieldText {
    /// Text for a field the library does not restrict (summaries, evidence, URLs, and any body member of a raw event).
    let text: (String) -> String
    /// Text for an actor, which may not contain control or formatting characters.
    let actor: (String) -> String

    static let plain = FieldText(text: { "plain \($0) text" }, actor: { "plain-\($0)" })

    /// Markup of HTML, Markdown and CSV, an attempt to end the inline
    /// stylesheet, a formula, a right-to-left override, zero-width and control
    /// characters (NUL included), a combining mark glued to "<", and padding
    /// that makes some values several thousand characters long.
    static let hostile = FieldText(
        text: { label in
            let payload = "=HYPERLINK(\"https://evil.example/\(label)\",\"x\")</style></td></tr></table><script>alert('\(label)')</script>"
                + "| a | b |\n# heading\n*em* _u_ `code` [link](javascript:alert(1)) <img src=x onerror=alert(1)> &amp; &#60; "
                + "\"quoted\",comma\r\n\t\u{202E}txt.exe\u{200B}\u{0007}\u{0000}\u{2028}<\u{0301}/td>"
            // The library limits summaries and plans to 4096 characters; raw events are limited only by the body size.
            return label.hasPrefix("raw") ? payload + String(repeating: " long|<>", count: 1000) : payload
        },
        actor: { label in
            "=cmd|'/C calc'!A0</style><b>\(label)</b>|x|&amp;\"quote\",[a](b)*\(label)*"
        })

    /// Text for a value stored in an indexed column (a kid or change id), which may hold no NUL.
    func column(_ label: String) -> String {
        text(label).replacingOccurrences(of: "\u{0000}", with: "")
    }
}

extension Scenario {
    /// Builds a quarter whose every free-text field comes from `fields`: a
    /// change made through the library, and a second one made of raw events
    /// so that its change id, key id, environment and names are free text too.
    func buildTextQuarter(_ fields: FieldText) throws {
        let technician = fields.actor("technician")
        let reviewer = fields.actor("reviewer")
        let day = "2026-10-05"

        try step(at: "\(day)T08:00:00Z") { ledger, key in
            try ledger.openChange(
                ChangeRequest(id: "CHG-1", summary: fields.text("summary"), technician: technician, reviewer: reviewer,
                              criticality: .c2, windowStart: try Scenario.time("\(day)T09:00:00Z"),
                              windowEnd: try Scenario.time("\(day)T13:00:00Z"), rollbackPlan: fields.text("plan")),
                context: StepContext(actor: technician), signingKey: key)
        }
        try attest("CHG-1", at: "\(day)T08:10:00Z", evidence: fields.text("evidence"), actor: technician)
        try attest("CHG-1", at: "\(day)T08:12:00Z", item: .dryRun, passed: false, evidence: fields.text("failed evidence"), actor: technician)
        try attest("CHG-1", at: "\(day)T08:14:00Z", item: .dryRun, evidence: fields.text("dry run evidence"), actor: technician)
        try approve("CHG-1", at: "\(day)T08:30:00Z", actor: reviewer, manager: fields.actor("manager"))
        try start("CHG-1", at: "\(day)T09:05:00Z", actor: technician)
        let key = try generate("CHG-1", at: "\(day)T09:10:00Z", actor: technician, custody: fields.text("custody"))
        try publish(key.keyID, "CHG-1", at: "\(day)T09:20:00Z", actor: technician, emergency: fields.text("emergency"))
        try checkJWKS(at: "\(day)T09:30:00Z", url: fields.text("url"), change: "CHG-1", actor: fields.actor("bot"))
        try complete("CHG-1", at: "\(day)T10:00:00Z", actor: technician)

        // A change made of raw events, so identifiers are free text too.
        let change = JSONValue.string("+" + fields.column("change id"))
        let kid = JSONValue.string("-" + fields.column("kid"))
        let environment = JSONValue.string("@" + fields.text("env"))
        let rawDay = "2026-10-12"
        try raw(at: "\(rawDay)T08:00:00Z", .changeOpened, actor: technician, [
            "change": change, "summary": .string(fields.text("raw summary")), "technician": .string(technician),
            "reviewer": .string(reviewer), "criticality": .string(fields.text("criticality")),
            "rollback_plan": .string(fields.text("raw plan")),
        ])
        try raw(at: "\(rawDay)T08:10:00Z", .changeAttested, actor: technician, [
            "change": change, "item": .string(fields.text("item")), "result": "pass", "evidence": .string(fields.text("raw evidence")),
        ])
        try raw(at: "\(rawDay)T08:20:00Z", .changeApproved, actor: reviewer, ["change": change])
        try raw(at: "\(rawDay)T08:30:00Z", .changeStarted, actor: technician, ["change": change])
        try raw(at: "\(rawDay)T08:40:00Z", .generated, actor: technician, [
            "kid": kid, "env": environment, "name": .string(fields.text("name")), "alg": .string(fields.text("alg")),
            "change": change, "custody": .string(fields.text("raw custody")), "provider_kid": .string(fields.text("provider kid")),
        ])
        try raw(at: "\(rawDay)T08:50:00Z", .published, actor: technician, ["kid": kid, "env": environment, "change": change])
        try raw(at: "\(rawDay)T09:00:00Z", .verified, actor: fields.actor("bot"), [
            "kid": kid, "env": environment, "url": .string(fields.text("raw url")), "jwks_sha256": .string(fields.text("digest")),
        ])
        try raw(at: "\(rawDay)T09:05:00Z", .jwksChecked, actor: fields.actor("bot"), [
            "env": environment, "url": .string(fields.text("raw url")), "result": "pass",
            "expected": .array([kid]), "served": .array([kid]), "missing": [], "unexpected": [], "absent_confirmed": [],
        ])
        try raw(at: "\(rawDay)T09:10:00Z", .changeAborted, actor: technician, ["change": change, "reason": .string(fields.text("reason"))])
        try raw(at: "\(rawDay)T09:20:00Z", .note, actor: fields.actor("note author"), ["text": .string(fields.text("note"))])
    }
}
