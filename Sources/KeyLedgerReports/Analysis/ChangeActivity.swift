import KeyLedger

/// The facts a report needs about one change, folded from its entries in sequence order.
///
/// The change's fields and state come from the library's own fold,
/// `ChangeRecord.apply`, so a report and `keyledger change show` agree. This
/// adds what a report also prints: each step's entry hash and recorded time,
/// the keys the change touched, and how the change stood when the period began.
struct ChangeActivity {
    var record: ChangeRecord
    var opened: StepReference?
    var approval: StepReference?
    var started: StepReference?
    var finished: StepReference?
    var lastStep: StepReference?
    var criticality: String?
    var reason: String?
    var attestations: [AttestationRecord] = []
    var rolledBackKeys: [(keyID: String, environment: String)] = []
    /// The keys a rollback returned from retired to `state`, from the `restored` member of `change_rolled_back`.
    var restoredKeys: [(keyID: String, environment: String, state: String)] = []
    /// The keys the change touched, as `kid (env)`, in the order first seen.
    var keys: [String] = []
    var environments: [String] = []
    var stateAtStart: String?
    var entriesInPeriod: Int64 = 0
    var hasFindingInPeriod = false

    init(id: String) {
        record = ChangeRecord(id: id)
    }

    var id: String { record.id }

    /// `open`, `approved`, `in_progress`, `complete`, `aborted` or `rolled_back`.
    var outcome: String { record.rolledBack ? "rolled_back" : record.state.rawValue }

    var isUnfinished: Bool { [.open, .approved, .inProgress].contains(record.state) }

    /// Returns why the change process does not allow `entry` now, or nil when it does.
    ///
    /// These are the checks the library makes before it appends a change step;
    /// a report repeats them because entries can also be appended raw.
    /// Starting an open change is left to `change.started_without_approval`.
    func transitionViolation(_ entry: Entry) -> String? {
        let subject = "\(entry.kind) of change \(id)"
        if entry.kind == .changeOpened {
            return opened.map { "\(subject) repeats its change_opened entry \($0.sequence)" }
        }
        guard opened != nil else { return "\(subject), which was never opened" }
        let allowed: [ChangeState]
        switch entry.kind {
        case .changeApproved: allowed = [.open]
        case .changeAttested, .changeAborted: allowed = [.open, .approved, .inProgress]
        case .changeStarted: allowed = [.open, .approved]
        case .changeCompleted: allowed = [.inProgress]
        case .changeRolledBack: allowed = [.approved, .inProgress, .complete]
        default: return nil
        }
        return allowed.contains(record.state) ? nil : "\(subject), which was \(outcome)"
    }

    /// Folds one of the change's entries in, without judging it.
    mutating func apply(_ entry: Entry, inPeriod: Bool) {
        let step = StepReference(entry)
        record.apply(entry)
        lastStep = step
        switch entry.kind {
        case .changeOpened:
            if opened == nil {
                opened = step
                criticality = entry.body["criticality"]?.stringValue
            }
        case .changeApproved:
            approval = step
        case .changeAttested:
            attestations.append(AttestationRecord(
                item: entry.body["item"]?.stringValue ?? "",
                passed: entry.body["result"]?.stringValue != "fail",
                evidence: entry.body["evidence"]?.stringValue,
                step: step))
        case .changeStarted:
            started = step
        case .changeCompleted:
            finished = step
        case .changeAborted, .changeRolledBack:
            finished = step
            reason = entry.body["reason"]?.stringValue
            for key in entry.body["keys"]?.arrayValue ?? [] {
                if let keyID = key["kid"]?.stringValue, let environment = key["env"]?.stringValue {
                    rolledBackKeys.append((keyID, environment))
                }
            }
            for key in entry.body["restored"]?.arrayValue ?? [] {
                if let keyID = key["kid"]?.stringValue, let environment = key["env"]?.stringValue {
                    restoredKeys.append((keyID, environment, key["state"]?.stringValue ?? ""))
                }
            }
        default:
            break
        }
        if inPeriod {
            entriesInPeriod += 1
        } else {
            stateAtStart = outcome
        }
    }

    /// Notes a key step that names this change.
    mutating func noteKey(_ keyID: String, environment: String) {
        let label = "\(keyID) (\(environment))"
        if !keys.contains(label) { keys.append(label) }
        if !environments.contains(environment) { environments.append(environment) }
    }

    /// Returns whether `time` lies outside the change's window, and false when it has none.
    func isOutsideWindow(_ time: Timestamp) -> Bool {
        guard let start = record.windowStart, let end = record.windowEnd else { return false }
        return time < start || time > end
    }

    /// The latest attestation of each item that failed, in the order the items were first attested.
    var failedLatestAttestations: [AttestationRecord] {
        var latest: [String: AttestationRecord] = [:]
        var order: [String] = []
        for attestation in attestations {
            if latest[attestation.item] == nil { order.append(attestation.item) }
            latest[attestation.item] = attestation
        }
        return order.compactMap { latest[$0] }.filter { !$0.passed }
    }
}
