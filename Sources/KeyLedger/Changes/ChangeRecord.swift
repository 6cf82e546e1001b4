import JOSE

/// The criticality of a change, C1 the highest. C1 and C2 changes need a manager's approval.
public enum Criticality: String, Sendable, CaseIterable {
    case c1 = "C1", c2 = "C2", c3 = "C3", c4 = "C4"

    public var needsManagerApproval: Bool { self == .c1 || self == .c2 }
}

/// The state of a change in the change process.
public enum ChangeState: String, Sendable, CaseIterable {
    /// Opened and waiting for approval.
    case open
    case approved
    case inProgress = "in_progress"
    case complete
    /// Aborted, or rolled back.
    case aborted
}

/// The checklist items a change records with `change attest`.
public enum ChecklistItem: String, Sendable, CaseIterable {
    case testedInStaging = "tested_in_staging"
    case dryRun = "dry_run"
    case rollbackPlanReviewed = "rollback_plan_reviewed"
    /// Monitoring in place, for example the rate of HTTP 401 responses at the validating service.
    case monitoring = "monitoring"
    case changeWindowAgreed = "change_window_agreed"
    case noChangeLockOverlap = "no_change_lock_overlap"
}

/// A change as recorded in the ledger, rebuilt from its entries in sequence order.
public struct ChangeRecord: Sendable {
    /// One checklist attestation.
    public struct Attestation: Sendable {
        public let item: String
        public let passed: Bool
        public let evidence: String?
        public let actor: String
        public let time: Timestamp
        public let sequence: Int64
    }

    /// One step of the change, for reports: its entry and when it happened.
    public struct Step: Sendable {
        public let kind: EntryKind
        public let actor: String
        /// The claimed time (`--at`) when one was given, else the recorded time.
        public let time: Timestamp
        public let sequence: Int64
        public let hash: [UInt8]
        /// The reason given for an emergency step, which bypassed change control.
        public let emergency: String?
    }

    public let id: String
    public private(set) var summary = ""
    public private(set) var technician = ""
    public private(set) var reviewer = ""
    public private(set) var criticality: Criticality?
    public private(set) var windowStart: Timestamp?
    public private(set) var windowEnd: Timestamp?
    public private(set) var rollbackPlan: String?
    public private(set) var state: ChangeState = .open
    public private(set) var opened: Step?
    public private(set) var approval: Step?
    public private(set) var approvedBy: String?
    public private(set) var managerApproval: String?
    public private(set) var started: Step?
    public private(set) var finished: Step?
    public private(set) var rolledBack = false
    public private(set) var attestations: [Attestation] = []
    /// Every entry of the change, in order.
    public private(set) var steps: [Step] = []

    public init(id: String) {
        self.id = id
    }

    /// Folds one of the change's entries into the record, without judging it: the
    /// rules are checked before an append (`ChangeRules`) and again by reports.
    public mutating func apply(_ entry: Entry) {
        let step = Step(kind: entry.kind, actor: entry.actor, time: entry.effectiveTime,
                        sequence: entry.sequence, hash: entry.hash, emergency: entry.body["emergency"]?.stringValue)
        steps.append(step)
        let body = entry.body
        switch entry.kind {
        case .changeOpened:
            opened = step
            summary = body["summary"]?.stringValue ?? ""
            technician = body["technician"]?.stringValue ?? ""
            reviewer = body["reviewer"]?.stringValue ?? ""
            criticality = body["criticality"]?.stringValue.flatMap(Criticality.init(rawValue:))
            windowStart = body["window_start"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
            windowEnd = body["window_end"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
            rollbackPlan = body["rollback_plan"]?.stringValue
            state = .open
        case .changeApproved:
            approval = step
            approvedBy = entry.actor
            managerApproval = body["manager_approval"]?.stringValue
            if state == .open { state = .approved }
        case .changeAttested:
            attestations.append(Attestation(
                item: body["item"]?.stringValue ?? "", passed: body["result"]?.stringValue != "fail",
                evidence: body["evidence"]?.stringValue, actor: entry.actor, time: step.time, sequence: entry.sequence))
        case .changeStarted:
            started = step
            state = .inProgress
        case .changeCompleted:
            finished = step
            state = .complete
        case .changeAborted:
            finished = step
            state = .aborted
        case .changeRolledBack:
            finished = step
            rolledBack = true
            state = .aborted
        default:
            break
        }
    }

    /// Whether key steps may run under this change without an emergency reason.
    public var allowsKeySteps: Bool { state == .inProgress }
}

extension Entry {
    /// The time the event happened: the claimed `occurred_at` for an imported past event, else the recorded time.
    public var effectiveTime: Timestamp {
        body["occurred_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) ?? recordedAt
    }
}
