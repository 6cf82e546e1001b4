import JOSE

/// The details of a new change that `openChange` records.
public struct ChangeRequest: Sendable {
    public var id: String
    public var summary: String
    public var technician: String
    public var reviewer: String
    public var criticality: Criticality
    public var windowStart: Timestamp?
    public var windowEnd: Timestamp?
    public var rollbackPlan: String?

    public init(id: String, summary: String, technician: String, reviewer: String, criticality: Criticality = .c3,
                windowStart: Timestamp? = nil, windowEnd: Timestamp? = nil, rollbackPlan: String? = nil) {
        self.id = id
        self.summary = summary
        self.technician = technician
        self.reviewer = reviewer
        self.criticality = criticality
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.rollbackPlan = rollbackPlan
    }
}

extension Ledger {
    /// Rebuilds the change with `id` from its entries. Returns nil when no entry names it.
    public func change(id: String) throws -> ChangeRecord? {
        var record: ChangeRecord?
        try entries(EntryFilter(changeID: id)) { entry in
            guard entry.kind.isChangeStep else { return }
            if record == nil { record = ChangeRecord(id: id) }
            record!.apply(entry)
        }
        return record?.opened == nil ? nil : record
    }

    /// Rebuilds every change in the ledger, in the order they were opened.
    public func changes() throws -> [ChangeRecord] {
        var records: [String: ChangeRecord] = [:]
        var order: [String] = []
        try entries(EntryFilter(kinds: EntryKind.changeSteps)) { entry in
            guard let id = entry.changeID else { return }
            if records[id] == nil {
                records[id] = ChangeRecord(id: id)
                order.append(id)
            }
            records[id]!.apply(entry)
        }
        return order.compactMap { records[$0] }.filter { $0.opened != nil }
    }

    /// Opens a change. The technician and the reviewer must be different people.
    @discardableResult
    public func openChange(_ request: ChangeRequest, context: StepContext, signingKey: SigningKey) throws -> Entry {
        try validateIdentifier(request.id, what: "the change id", example: "CHG-1001")
        try validateText(request.summary, what: "the summary")
        try Event.validate(actor: request.technician, role: "technician", option: "--technician")
        try Event.validate(actor: request.reviewer, role: "reviewer", option: "--reviewer")
        guard request.technician != request.reviewer else {
            throw LedgerError(.notAllowed,
                "the technician and the reviewer are both \(quoted(request.technician)): segregation of duties needs a different reviewer")
        }
        switch (request.windowStart, request.windowEnd) {
        case (nil, nil):
            break
        case (let start?, let end?):
            guard start < end else {
                throw LedgerError(.invalidInput, "the change window ends (\(end)) before it starts (\(start)): give --window-start before --window-end")
            }
        default:
            throw LedgerError(.invalidInput, "a change window needs both --window-start and --window-end")
        }
        if let plan = request.rollbackPlan { try validateText(plan, what: "the rollback plan") }

        var body: [String: JSONValue] = [
            "change": .string(request.id),
            "summary": .string(request.summary),
            "technician": .string(request.technician),
            "reviewer": .string(request.reviewer),
            "criticality": .string(request.criticality.rawValue),
        ]
        if let start = request.windowStart { body["window_start"] = .string(start.description) }
        if let end = request.windowEnd { body["window_end"] = .string(end.description) }
        if let plan = request.rollbackPlan { body["rollback_plan"] = .string(plan) }
        let event = try Event(dedicatedKind: .changeOpened, actor: context.actor, body: context.decorate(body))
        return try append(signingKey: signingKey) {
            if try change(id: request.id) != nil {
                throw LedgerError(.notAllowed, "change \(quoted(request.id)) already exists: choose a new change id")
            }
            return [event]
        }[0]
    }

    /// Approves an open change. Only the change's reviewer may approve, never its
    /// technician, and a C1 or C2 change also needs a manager's approval. A
    /// manager approval, required or not, must name neither the technician nor the reviewer.
    @discardableResult
    public func approveChange(id: String, managerApproval: String? = nil, context: StepContext,
                              signingKey: SigningKey) throws -> Entry {
        if let manager = managerApproval { try Event.validate(actor: manager, role: "manager", option: "--manager-approval") }
        return try appendChangeStep(.changeApproved, id: id, context: context, signingKey: signingKey) { change in
            guard change.state == .open else {
                throw Self.wrongState(change, for: "approve", allowed: [.open])
            }
            guard context.actor != change.technician else {
                throw LedgerError(.notAllowed,
                    "\(quoted(context.actor)) is the technician of change \(change.id) and cannot approve it: the reviewer \(quoted(change.reviewer)) must approve")
            }
            guard context.actor == change.reviewer else {
                throw LedgerError(.notAllowed,
                    "\(quoted(context.actor)) is not the reviewer of change \(change.id): only \(quoted(change.reviewer)) may approve it")
            }
            if change.criticality?.needsManagerApproval == true && managerApproval == nil {
                throw LedgerError(.notAllowed,
                    "change \(change.id) is \(change.criticality!.rawValue) and needs a manager's approval: add --manager-approval WHO")
            }
            // A C3 or C4 change needs no manager approval, but one that is
            // given must still come from a third person.
            guard let manager = managerApproval else { return [:] }
            guard manager != change.technician else {
                throw LedgerError(.notAllowed, "the manager approval cannot come from the technician \(quoted(manager)): name another manager")
            }
            guard manager != change.reviewer else {
                throw LedgerError(.notAllowed, "the manager approval cannot come from the reviewer \(quoted(manager)), who already approved: name another manager")
            }
            return ["manager_approval": .string(manager)]
        }
    }

    /// Records a checklist item of a change that is not yet finished.
    @discardableResult
    public func attestChange(id: String, item: ChecklistItem, passed: Bool = true, evidence: String? = nil,
                             context: StepContext, signingKey: SigningKey) throws -> Entry {
        if let evidence { try validateText(evidence, what: "the evidence") }
        return try appendChangeStep(.changeAttested, id: id, context: context, signingKey: signingKey) { change in
            guard [.open, .approved, .inProgress].contains(change.state) else {
                throw Self.wrongState(change, for: "attest", allowed: [.open, .approved, .inProgress])
            }
            var body: [String: JSONValue] = ["item": .string(item.rawValue), "result": .string(passed ? "pass" : "fail")]
            if let evidence { body["evidence"] = .string(evidence) }
            return body
        }
    }

    /// Starts an approved change. An unapproved change may start only with an emergency reason.
    @discardableResult
    public func startChange(id: String, context: StepContext, signingKey: SigningKey) throws -> Entry {
        try appendChangeStep(.changeStarted, id: id, context: context, signingKey: signingKey) { change in
            let allowed = change.state == .approved || (change.state == .open && context.emergency != nil)
            guard allowed else {
                if change.state == .open {
                    throw LedgerError(.notAllowed,
                        "change \(change.id) is not approved: the reviewer \(quoted(change.reviewer)) must approve it first, or give --emergency REASON")
                }
                throw Self.wrongState(change, for: "start", allowed: [.approved])
            }
            return [:]
        }
    }

    /// Completes a change that is in progress.
    @discardableResult
    public func completeChange(id: String, context: StepContext, signingKey: SigningKey) throws -> Entry {
        try appendChangeStep(.changeCompleted, id: id, context: context, signingKey: signingKey) { change in
            guard change.state == .inProgress else { throw Self.wrongState(change, for: "complete", allowed: [.inProgress]) }
            return [:]
        }
    }

    /// Aborts a change that is not finished.
    @discardableResult
    public func abortChange(id: String, reason: String? = nil, context: StepContext, signingKey: SigningKey) throws -> Entry {
        if let reason { try validateText(reason, what: "the reason") }
        return try appendChangeStep(.changeAborted, id: id, context: context, signingKey: signingKey) { change in
            guard [.open, .approved, .inProgress].contains(change.state) else {
                throw Self.wrongState(change, for: "abort", allowed: [.open, .approved, .inProgress])
            }
            return reason.map { ["reason": .string($0)] } ?? [:]
        }
    }

    /// Appends one change step after `check` has approved it against the change's current record.
    func appendChangeStep(_ kind: EntryKind, id: String, context: StepContext, signingKey: SigningKey,
                          _ check: @escaping (ChangeRecord) throws -> [String: JSONValue]) throws -> Entry {
        try validateIdentifier(id, what: "the change id", example: "CHG-1001")
        try Event.validate(actor: context.actor)
        return try append(signingKey: signingKey) {
            guard let change = try change(id: id) else {
                throw LedgerError(.notFound, "change \(quoted(id)) does not exist: open it first with `keyledger change open`")
            }
            var body = try check(change)
            body["change"] = .string(id)
            return [try Event(dedicatedKind: kind, actor: context.actor, body: context.decorate(body))]
        }[0]
    }

    static func wrongState(_ change: ChangeRecord, for action: String, allowed: [ChangeState]) -> LedgerError {
        let states = allowed.map(\.rawValue).joined(separator: " or ")
        // A rolled-back change is stored as aborted, but `change show` and reports call it rolled back.
        let current = change.rolledBack ? "rolled back" : change.state.rawValue
        return LedgerError(.notAllowed,
            "cannot \(action) change \(change.id): it is \(current), and this step needs a change that is \(states)")
    }
}

extension EntryKind {
    /// The kinds that make up a change's own history.
    public static let changeSteps: Set<EntryKind> = [
        .changeOpened, .changeApproved, .changeAttested, .changeStarted, .changeCompleted, .changeAborted, .changeRolledBack,
    ]

    public var isChangeStep: Bool { Self.changeSteps.contains(self) }

    /// The kinds that move a key through its lifecycle.
    public static let keySteps: Set<EntryKind> = [.generated, .imported, .published, .verified, .retired, .rolledBack, .restored]
}

extension Ledger {
    /// The states in which a change may be rolled back.
    static let rollbackStates: [ChangeState] = [.approved, .inProgress, .complete]

    /// Rolls a change back: every key the change generated, imported or
    /// published that is still live becomes `rolled_back`, every key the
    /// change retired returns to the state it had before (`restored`), and
    /// the change becomes aborted.
    ///
    /// The expected JWKS then excludes the rolled-back keys and again
    /// includes the restored ones; a later JWKS check proves the endpoint
    /// followed. The keys are chosen inside the append's write lock, so a
    /// concurrent key step cannot slip between the choice and the entries.
    /// A key the change retired but also generated, imported or published
    /// stays retired, because it was not served before the change.
    /// - Returns: one `rolled_back` or `restored` entry per key, then the
    ///   `change_rolled_back` entry, whose `keys` member lists the rolled-back
    ///   keys and whose `restored` member, present when there are any, the restored ones.
    /// - Throws: `notAllowed` when a later change that can still be rolled
    ///   back retired a key this change introduced. That change must be
    ///   rolled back first, because rolling it back afterwards would restore the key.
    @discardableResult
    public func rollbackChange(id: String, reason: String? = nil, context: StepContext,
                               signingKey: SigningKey) throws -> [Entry] {
        try validateIdentifier(id, what: "the change id", example: "CHG-1001")
        try Event.validate(actor: context.actor)
        if let reason { try validateText(reason, what: "the reason") }
        return try append(signingKey: signingKey) {
            guard let change = try change(id: id) else {
                throw LedgerError(.notFound, "change \(quoted(id)) does not exist: check the change id")
            }
            guard Self.rollbackStates.contains(change.state) else {
                throw Self.wrongState(change, for: "roll back", allowed: Self.rollbackStates)
            }
            let keys = try keys()
            try checkNoLaterRetirement(of: keys, introducedBy: id)
            let rolledBack = keys.filter { key in
                let touched = key.origin?.change == id || key.published?.change == id
                return touched && key.state.allowedTransitions.contains(.rolledBack)
            }
            let restored = keys.compactMap { key in key.stateRestored(byRollbackOf: id).map { (key, $0) } }

            var events: [Event] = []
            for key in rolledBack {
                let body: [String: JSONValue] = [
                    "kid": .string(key.keyID), "env": .string(key.environment), "change": .string(id),
                ]
                events.append(try Event(dedicatedKind: .rolledBack, actor: context.actor, body: context.decorate(body)))
            }
            for (key, state) in restored {
                let body: [String: JSONValue] = [
                    "kid": .string(key.keyID), "env": .string(key.environment), "change": .string(id),
                    "state": .string(state.rawValue), "retired_seq": .number(Double(key.ended!.sequence)),
                ]
                events.append(try Event(dedicatedKind: .restored, actor: context.actor, body: context.decorate(body)))
            }
            var body: [String: JSONValue] = [
                "change": .string(id),
                "keys": .array(rolledBack.map { .object(["kid": .string($0.keyID), "env": .string($0.environment)]) }),
            ]
            // Present only when the rollback restored a key, so rollbacks that restore none keep their old form.
            if !restored.isEmpty {
                body["restored"] = .array(restored.map { key, state in
                    .object(["kid": .string(key.keyID), "env": .string(key.environment), "state": .string(state.rawValue)])
                })
            }
            if let reason { body["reason"] = .string(reason) }
            events.append(try Event(dedicatedKind: .changeRolledBack, actor: context.actor, body: context.decorate(body)))
            return events
        }
    }

    /// Throws when a later change retired a key that change `id` generated,
    /// imported or published, and that later change can still be rolled back.
    ///
    /// Rolling `id` back leaves such a key retired. Rolling the later change
    /// back afterwards would then restore the key to the JWKS although the
    /// change that introduced it was rolled back. A retirement that names no
    /// change, or whose change was aborted, can never be undone, so it does not block.
    func checkNoLaterRetirement(of keys: [KeyRecord], introducedBy id: String) throws {
        for key in keys where key.origin?.change == id || key.published?.change == id {
            guard key.state == .retired, let later = key.ended?.change, later != id,
                  let retiring = try change(id: later), Self.rollbackStates.contains(retiring.state) else { continue }
            throw LedgerError(.notAllowed,
                "cannot roll back change \(id): key \(key.keyID) in \(key.environment), which it introduced, was since retired by change \(later): roll back change \(later) first")
        }
    }
}
