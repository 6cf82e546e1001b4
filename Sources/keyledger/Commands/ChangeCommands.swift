import Foundation
import JOSE
import KeyLedger

enum ChangeOpenCommand: Command {
    static let spec = CommandSpec(
        path: ["change", "open"],
        summary: "Open a change with a technician and a different reviewer.",
        usage: "--id ID --summary TEXT --technician WHO --reviewer WHO [--criticality C1|C2|C3|C4] [--window-start T --window-end T] [--rollback-plan TEXT] --actor WHO",
        options: CommonOptions.step + [
            .value("id", "ID", "The change id, for example CHG-1001."),
            .value("summary", "TEXT", "What the change does."),
            .value("technician", "WHO", "Who carries the change out."),
            .value("reviewer", "WHO", "Who must approve it; not the technician."),
            .value("criticality", "C1|C2|C3|C4", "C1 is the highest; C1 and C2 need a manager's approval. Default: C3."),
            .value("window-start", "T", "Start of the scheduled change window (RFC 3339)."),
            .value("window-end", "T", "End of the scheduled change window (RFC 3339)."),
            .value("rollback-plan", "TEXT", "How the change is undone."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let criticalityText = arguments.value("criticality") ?? "C3"
        guard let criticality = Criticality(rawValue: criticalityText.uppercased()) else {
            throw UsageError("--criticality \"\(criticalityText)\" is invalid: use C1, C2, C3 or C4")
        }
        let request = ChangeRequest(
            id: try arguments.required("id"), summary: try arguments.required("summary"),
            technician: try arguments.required("technician"), reviewer: try arguments.required("reviewer"),
            criticality: criticality, windowStart: try arguments.timestamp("window-start"),
            windowEnd: try arguments.timestamp("window-end"), rollbackPlan: arguments.value("rollback-plan"))
        let (ledger, key) = try CommonOptions.openForAppend(arguments)
        let entry = try ledger.openChange(request, context: try CommonOptions.context(arguments), signingKey: key)
        try CommonOptions.report([entry], arguments)
        return 0
    }
}

enum ChangeApproveCommand: Command {
    static let spec = CommandSpec(
        path: ["change", "approve"],
        summary: "Approve a change as its reviewer (never its technician).",
        usage: "--id ID --actor WHO [--manager-approval WHO]",
        options: CommonOptions.step + [
            .value("id", "ID", "The change id."),
            .value("manager-approval", "WHO", "The manager who also approved, neither the technician nor the reviewer; required for C1 and C2 changes."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let (ledger, key) = try CommonOptions.openForAppend(arguments)
        let entry = try ledger.approveChange(id: try arguments.required("id"), managerApproval: arguments.value("manager-approval"),
                                             context: try CommonOptions.context(arguments), signingKey: key)
        try CommonOptions.report([entry], arguments)
        return 0
    }
}

enum ChangeAttestCommand: Command {
    static let spec = CommandSpec(
        path: ["change", "attest"],
        summary: "Record a checklist item of a change.",
        usage: "--id ID --item ITEM --actor WHO [--result pass|fail] [--evidence TEXT]",
        discussion: "ITEM is one of: " + ChecklistItem.allCases.map(\.rawValue).joined(separator: ", ") + ".",
        options: CommonOptions.step + [
            .value("id", "ID", "The change id."),
            .value("item", "ITEM", "The checklist item."),
            .value("result", "pass|fail", "The outcome. Default: pass."),
            .value("evidence", "TEXT", "What shows it, for example a link or the measured 401 rate."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let itemText = try arguments.required("item")
        guard let item = ChecklistItem(rawValue: itemText) else {
            throw UsageError("--item \"\(itemText)\" is not a checklist item: use one of \(ChecklistItem.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let resultText = arguments.value("result") ?? "pass"
        guard resultText == "pass" || resultText == "fail" else {
            throw UsageError("--result \"\(resultText)\" is invalid: use pass or fail")
        }
        let (ledger, key) = try CommonOptions.openForAppend(arguments)
        let entry = try ledger.attestChange(id: try arguments.required("id"), item: item, passed: resultText == "pass",
                                            evidence: arguments.value("evidence"),
                                            context: try CommonOptions.context(arguments), signingKey: key)
        try CommonOptions.report([entry], arguments)
        return 0
    }
}

/// `change start`, `change complete` and `change abort`, which differ only in the step they append.
enum ChangeTransitionCommand {
    static func spec(_ name: String, summary: String, emergency: Bool = false, reason: Bool = false) -> CommandSpec {
        var options = CommonOptions.step + [OptionSpec.value("id", "ID", "The change id.")]
        if emergency { options.append(CommonOptions.emergency) }
        if reason { options.append(.value("reason", "TEXT", "Why.")) }
        return CommandSpec(path: ["change", name], summary: summary, usage: "--id ID --actor WHO", options: options)
    }
}

enum ChangeStartCommand: Command {
    static let spec = ChangeTransitionCommand.spec("start", summary: "Start an approved change.", emergency: true)
    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let (ledger, key) = try CommonOptions.openForAppend(arguments)
        try CommonOptions.report([try ledger.startChange(id: try arguments.required("id"), context: try CommonOptions.context(arguments), signingKey: key)], arguments)
        return 0
    }
}

enum ChangeCompleteCommand: Command {
    static let spec = ChangeTransitionCommand.spec("complete", summary: "Complete a change that is in progress.")
    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let (ledger, key) = try CommonOptions.openForAppend(arguments)
        try CommonOptions.report([try ledger.completeChange(id: try arguments.required("id"), context: try CommonOptions.context(arguments), signingKey: key)], arguments)
        return 0
    }
}

enum ChangeAbortCommand: Command {
    static let spec = ChangeTransitionCommand.spec("abort", summary: "Abort a change that is not finished.", reason: true)
    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let (ledger, key) = try CommonOptions.openForAppend(arguments)
        try CommonOptions.report([try ledger.abortChange(id: try arguments.required("id"), reason: arguments.value("reason"),
                                                         context: try CommonOptions.context(arguments), signingKey: key)], arguments)
        return 0
    }
}

enum ChangeRollbackCommand: Command {
    static let spec: CommandSpec = {
        var spec = ChangeTransitionCommand.spec(
            "rollback",
            summary: "Roll a change back: keys it generated or published become rolled_back, keys it retired return to published or verified, and the change is aborted.",
            reason: true)
        spec.discussion = """
            Roll changes back newest first: when a later change retired a key that this change generated,
            imported or published, roll that later change back first, or this rollback is rejected.
            """
        return spec
    }()
    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let (ledger, key) = try CommonOptions.openForAppend(arguments)
        let entries = try ledger.rollbackChange(id: try arguments.required("id"), reason: arguments.value("reason"),
                                                context: try CommonOptions.context(arguments), signingKey: key)
        try CommonOptions.report(entries, arguments)
        return 0
    }
}

enum ChangeShowCommand: Command {
    static let spec = CommandSpec(
        path: ["change", "show"],
        summary: "Show a change and its steps, or list every change without --id.",
        usage: "--ledger PATH [--id ID] [--json]",
        discussion: """
        It reads the ledger file as stored and does not verify hashes or signatures, so it shows whatever
        someone who can write the file put there. Run `keyledger verify --trust-anchor KID` first when the
        result must be trusted.
        """,
        options: [CommonOptions.ledger, .value("id", "ID", "The change id; omit it to list every change."),
                  .flag("json", "Print JSON.")])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let ledger = try Ledger(path: try arguments.required("ledger"), readOnly: true)
        let records: [ChangeRecord]
        if let id = arguments.value("id") {
            guard let record = try ledger.change(id: id) else {
                throw LedgerError(.notFound, "change \"\(id)\" does not exist: list changes with `keyledger change show --ledger PATH`")
            }
            records = [record]
        } else {
            records = try ledger.changes()
        }
        for record in records {
            if arguments.flag("json") {
                Terminal.output(try record.jsonValue.serialized(pretty: false))
            } else {
                let state = record.rolledBack ? "aborted (rolled back)" : record.state.rawValue
                var line = "\(printable(record.id))\t\(state)\t\(record.criticality?.rawValue ?? "-")"
                line += "\ttechnician=\(printable(record.technician))\treviewer=\(printable(record.reviewer))\t\(printable(record.summary))"
                Terminal.output(line)
                if arguments.value("id") != nil {
                    for step in record.steps {
                        Terminal.output("  \(step.sequence)\t\(step.time)\t\(step.kind)\t\(printable(step.actor))")
                    }
                }
            }
        }
        return 0
    }
}
