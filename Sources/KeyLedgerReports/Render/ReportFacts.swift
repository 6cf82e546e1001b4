import KeyLedger

/// One labelled value in a facts table. The value is plain text; each renderer escapes it.
struct Fact {
    let label: String
    let value: String
    /// Whether the value is an identifier or hash that reads best in a monospace font.
    var isCode = false
}

/// The wording the HTML and Markdown renderers share, so both formats state the same facts the same way.
enum ReportFacts {
    static let none = "—"

    static func entry(_ reference: EntryReference) -> String {
        "entry \(reference.sequence), hash \(reference.hashHex)"
    }

    /// Describes a step as "TIME by ACTOR under CHANGE, entry N", with its claimed and recorded times and any emergency.
    static func step(_ step: StepReference?, change: String? = nil) -> String {
        guard let step else { return none }
        var text = "\(step.time) by \(step.actor)"
        if let change { text += " under \(change)" }
        text += ", entry \(step.sequence)"
        if step.isClaimed { text += " (claimed time; recorded \(step.recordedAt))" }
        if let emergency = step.emergency { text += "; emergency: \(emergency)" }
        return text
    }

    static func verification(_ verification: VerificationStep?) -> String {
        guard let verification else { return none }
        var text = "\(verification.step.time) by \(verification.step.actor), entry \(verification.step.sequence)"
        if let source = verification.source { text += "; served by \(source)" }
        if let digest = verification.jwksSHA256 { text += "; JWKS SHA-256 \(digest)" }
        return text
    }

    static func keyState(_ state: KeyState?) -> String {
        state?.rawValue ?? "not yet recorded"
    }

    static func period(_ period: ReportPeriod) -> String {
        "\(period.label): \(period.start) to \(period.end) (exclusive), the days \(period.firstDay) to \(period.lastDay) in UTC"
    }

    static func title(_ cover: ReportCover) -> String {
        "\(ReportCover.title), \(cover.period.label)"
    }

    static func subtitle(_ cover: ReportCover) -> String {
        var text = "Quarterly SOX evidence of JWT signing-key custody and change control from keyledger ledger \(cover.ledgerID)"
        if let environment = cover.options.environment { text += ", environment \(environment)" }
        return text + "."
    }

    /// Returns the sentences for the top of the report: whether the ledger verified, and how many exceptions there are.
    static func status(_ report: Report) -> (isValid: Bool, lines: [String]) {
        let integrity = report.integrity
        var lines = previousCheckpointStatus(report.cover)
        if let failure = integrity.failure {
            let hash = failure.storedHashHex.map { ", stored hash \($0)" } ?? ""
            lines.append("VERIFICATION FAILED at entry \(failure.sequence)\(hash): \(failure.reason). \(failure.detail)")
            lines.append(failure.sequence > 1
                ? "This report covers only entries 1 to \(failure.sequence - 1), which verified; nothing from entry \(failure.sequence) on is reported or can be trusted."
                : "No entry verified, so this report covers none.")
        } else {
            let anchor = integrity.trustAnchorChecked
                ? "from the trust anchor \(report.cover.options.trustAnchor ?? "")"
                : "against the ledger's own genesis key only, because no trust anchor was given"
            lines.append("Ledger verified: \(integrity.entriesChecked) entries and \(integrity.signaturesVerified) signatures checked \(anchor).")
        }
        lines.append(exceptionSummary(report.findings))
        return (integrity.isValid && report.cover.previousCheckpoint?.holds != false, lines)
    }

    static func exceptionSummary(_ findings: [Finding]) -> String {
        guard !findings.isEmpty else { return "No exceptions." }
        let parts = Severity.allCases.compactMap { severity -> String? in
            let count = findings.filter { $0.rule.severity == severity }.count
            return count == 0 ? nil : "\(count) \(severity.rawValue)"
        }
        return "\(findings.count) exception\(findings.count == 1 ? "" : "s"): \(parts.joined(separator: ", "))."
    }

    static func cover(_ cover: ReportCover) -> [Fact] {
        let options = cover.options
        var facts = [
            Fact(label: "Ledger id", value: cover.ledgerID, isCode: true),
            Fact(label: "Trust anchor", value: options.trustAnchor ?? "not given; the genesis entry is signed by \(cover.genesisKeyID ?? none)", isCode: options.trustAnchor != nil),
            Fact(label: "Period", value: period(cover.period)),
            Fact(label: "First entry in the period", value: cover.firstEntry.map(entry) ?? "no entries were recorded in the period", isCode: cover.firstEntry != nil),
            Fact(label: "Last entry in the period", value: cover.lastEntry.map(entry) ?? "no entries were recorded in the period", isCode: cover.lastEntry != nil),
            Fact(label: "Last entry before the period", value: cover.previousEntry.sequence == 0
                ? "none: the period starts with the ledger's first entry (previous hash \(cover.previousEntry.hashHex))"
                : entry(cover.previousEntry), isCode: true),
            Fact(label: "Chain head when generated", value: cover.head.map(entry) ?? "the ledger is empty", isCode: cover.head != nil),
        ] + checkpoint(cover)
        if let head = cover.head, cover.analysedThrough < head.sequence {
            facts.append(Fact(label: "Analysed through", value: "entry \(cover.analysedThrough); later entries are not analysed because verification failed"))
        }
        facts += self.options(options)
        facts.append(Fact(label: "Generated by", value: cover.generator))
        return facts
    }

    static func options(_ options: ReportOptions) -> [Fact] {
        [
            Fact(label: "Environment", value: options.environment ?? "all environments"),
            Fact(label: "Maximum key age", value: "\(options.maximumKeyAgeDays) days"),
            Fact(label: "Verification deadline", value: "\(options.verifyWithinHours) hours after publication, retirement or rollback"),
            Fact(label: "Sample", value: options.sample.map { "\($0.size) changes, seed \($0.seed)" } ?? "none requested"),
        ]
    }

    static func integrity(_ integrity: IntegrityAttestation, cover: ReportCover) -> [Fact] {
        var facts = [
            Fact(label: "Result", value: integrity.isValid ? "valid" : "FAILED"),
            Fact(label: "Entries checked", value: "\(integrity.entriesChecked)"),
            Fact(label: "Signatures verified", value: "\(integrity.signaturesVerified)"),
            Fact(label: "Trust anchor checked", value: integrity.trustAnchorChecked
                ? "yes: the genesis entry is signed by \(cover.options.trustAnchor ?? none)"
                : "no: only the chain's internal consistency is proven"),
            Fact(label: "Genesis signing key", value: cover.genesisKeyID ?? none, isCode: true),
        ]
        if let failure = integrity.failure {
            facts.append(Fact(label: "First failing entry", value: "\(failure.sequence)"))
            facts.append(Fact(label: "Reason", value: failure.reason))
            facts.append(Fact(label: "Detail", value: failure.detail))
            facts.append(Fact(label: "Stored hash of the failing entry", value: failure.storedHashHex ?? "unreadable", isCode: true))
        }
        return facts
    }

    static func signerRange(_ signer: VerificationResult.SignerPeriod) -> String {
        guard let first = signer.firstSigned else { return "none yet" }
        return "\(first) to \(signer.lastSigned ?? first)"
    }

    /// Returns the heading of a key's section: its name, environment and the start of its id, since names repeat across rotations.
    static func keyTitle(_ key: KeyCustody) -> String {
        let name = key.name.isEmpty ? "unnamed key" : key.name
        return "\(name) in \(key.environment), \(VisibleText.truncated(key.keyID, limit: 13))"
    }

    static func key(_ key: KeyCustody, cover: ReportCover) -> [Fact] {
        let originLabel = key.origin?.kind == EntryKind.imported.rawValue ? "Imported" : "Generated"
        var facts = [
            Fact(label: "Key id", value: key.keyID, isCode: true),
            Fact(label: "Environment", value: key.environment),
            Fact(label: "Name", value: key.name.isEmpty ? none : key.name),
            Fact(label: "Algorithm", value: key.algorithm ?? none),
        ]
        if let provider = key.providerKeyID { facts.append(Fact(label: "Provider key id", value: provider, isCode: true)) }
        facts += [
            Fact(label: originLabel, value: key.origin == nil ? "no generated or imported entry" : step(key.origin, change: key.originChange)),
            Fact(label: "Custody", value: key.custody ?? "not recorded"),
            Fact(label: "Published", value: key.published == nil ? "not published" : step(key.published, change: key.publishedChange)),
            Fact(label: "First verification", value: firstVerification(key)),
            Fact(label: "Verifications in the period", value: "\(key.verificationsInPeriod)"),
            Fact(label: "Last verification in the period", value: verification(key.lastVerification)),
            Fact(label: key.ended?.kind == EntryKind.rolledBack.rawValue ? "Rolled back" : "Retired",
                 value: key.ended == nil ? "not retired or rolled back" : step(key.ended, change: key.endedChange)),
        ]
        if key.ended != nil {
            facts.append(Fact(label: "Shown absent from the JWKS", value: key.absenceConfirmed.map {
                "\($0.time) by \($0.actor), \($0.kind) entry \($0.sequence)"
            } ?? "no JWKS check has shown it absent"))
        }
        let ageReference = key.ended.map { $0.time < cover.period.end ? "when it ended" : "at the end of the period" } ?? "at the end of the period"
        facts += [
            Fact(label: "Age", value: key.ageDays.map { "\($0) days \(ageReference)" } ?? none),
            Fact(label: "State", value: "\(keyState(key.stateAtStart)) at the start of the period, \(key.stateAtEnd.rawValue) at its end"),
            Fact(label: "Entries in the period", value: "\(key.entriesInPeriod)"),
        ]
        return facts
    }

    static func firstVerification(_ key: KeyCustody) -> String {
        guard let first = key.firstVerification else {
            return key.published == nil ? none : "not verified"
        }
        var text = verification(first)
        if let published = key.published {
            text += "; \(Durations.describe(first.step.time.millisecondsSinceEpoch - published.time.millisecondsSinceEpoch)) after publication"
        }
        return text
    }

    static func change(_ change: ChangeControl) -> [Fact] {
        var facts = [
            Fact(label: "Change", value: change.id, isCode: true),
            Fact(label: "Summary", value: change.summary.isEmpty ? none : change.summary),
            Fact(label: "Technician", value: change.technician.isEmpty ? none : change.technician),
            Fact(label: "Reviewer", value: change.reviewer.isEmpty ? none : change.reviewer),
            Fact(label: "Criticality", value: (change.criticality ?? none) + (change.needsManagerApproval ? " (needs a manager's approval)" : "")),
            Fact(label: "Scheduled window", value: window(change)),
        ]
        if let plan = change.rollbackPlan { facts.append(Fact(label: "Rollback plan", value: plan)) }
        facts += [
            Fact(label: "Opened", value: step(change.opened)),
            Fact(label: "Approved", value: approval(change)),
            Fact(label: "Manager approval", value: change.managerApproval ?? (change.needsManagerApproval ? "missing" : "not required")),
            Fact(label: "Started", value: step(change.started)),
            Fact(label: "Finished", value: change.finished.map { "\($0.kind): " + step($0) } ?? "not finished"),
            Fact(label: "Actual times against the window", value: actualAgainstWindow(change)),
            Fact(label: "Outcome", value: change.outcome),
        ]
        if let reason = change.reason { facts.append(Fact(label: "Reason", value: reason)) }
        facts += [
            Fact(label: "Keys", value: change.keys.isEmpty ? "none" : change.keys.joined(separator: ", ")),
            Fact(label: "State at the start of the period", value: change.stateAtStart ?? "not yet opened"),
            Fact(label: "Entries in the period", value: "\(change.entriesInPeriod)"),
            Fact(label: "Sample", value: change.sampleRank.map { "selected, rank \($0)" } ?? "not selected"),
        ]
        return facts
    }

    static func window(_ change: ChangeControl) -> String {
        guard let start = change.windowStart, let end = change.windowEnd else { return "none scheduled" }
        return "\(start) to \(end)"
    }

    static func approval(_ change: ChangeControl) -> String {
        guard let approval = change.approval else { return "not approved" }
        var text = step(approval)
        if let started = change.started {
            let difference = started.time.millisecondsSinceEpoch - approval.time.millisecondsSinceEpoch
            text += difference >= 0
                ? "; \(Durations.describe(difference)) before the start"
                : "; \(Durations.describe(-difference)) AFTER the start"
        }
        return text
    }

    static func actualAgainstWindow(_ change: ChangeControl) -> String {
        guard let start = change.windowStart, let end = change.windowEnd else { return "no window to compare with" }
        var parts: [String] = []
        for (label, step) in [("started", change.started), ("finished", change.finished)] {
            guard let step else { continue }
            let position: String
            if step.time < start {
                position = "\(Durations.describe(start.millisecondsSinceEpoch - step.time.millisecondsSinceEpoch)) before the window"
            } else if step.time > end {
                position = "\(Durations.describe(step.time.millisecondsSinceEpoch - end.millisecondsSinceEpoch)) after the window"
            } else {
                position = "inside the window"
            }
            parts.append("\(label) \(position)")
        }
        return parts.isEmpty ? "not started" : parts.joined(separator: "; ")
    }

    static func absence(_ key: RolledBackKey) -> String {
        key.absenceConfirmed.map { "\($0.time) by \($0.actor), \($0.kind) entry \($0.sequence)" } ?? "not shown absent by any JWKS check"
    }

    static func servedAgain(_ key: RestoredKey) -> String {
        key.servedAgain.map { "\($0.time) by \($0.actor), \($0.kind) entry \($0.sequence)" } ?? "not shown served by any JWKS check"
    }

    static func appendixKey(_ row: AppendixRow) -> String {
        switch (row.keyID, row.environment) {
        case (let keyID?, let environment?): return "\(keyID) (\(environment))"
        case (let keyID?, nil): return keyID
        case (nil, let environment?): return "(\(environment))"
        case (nil, nil): return ""
        }
    }
}
