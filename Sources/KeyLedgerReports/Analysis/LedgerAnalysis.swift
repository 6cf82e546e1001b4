import KeyLedger

/// One pass over a ledger's entries, in sequence order, up to the end of the
/// period: folds keys and changes and applies the exception rules.
///
/// Entries recorded after the period are never read, so a report on a closed
/// period finds the same exceptions however long the ledger grows afterwards.
///
/// Rules about a single step (an emergency, an unauthorized key step, an
/// approval by the technician) apply to steps recorded in the period. Rules
/// about a deadline (verification, absence) apply in the period in which the
/// deadline passed. Rules about a standing state (a change still open, a key
/// past its maximum age, an unresolved JWKS failure) apply at the end of
/// every period in which the state holds.
struct LedgerAnalysis {
    let options: ReportOptions
    var period: ReportPeriod { options.period }

    private(set) var keys: [String: KeyActivity] = [:]
    private(set) var keyOrder: [String] = []
    private(set) var changes: [String: ChangeActivity] = [:]
    private(set) var changeOrder: [String] = []
    private(set) var findings: [Finding] = []

    private(set) var entriesInPeriod: Int64 = 0
    private(set) var kindCounts: [String: Int64] = [:]
    private(set) var firstInPeriod: EntryReference?
    private(set) var lastInPeriod: EntryReference?
    private(set) var lastBeforePeriod: EntryReference?
    private(set) var genesisKeyID: String?
    /// The recorded time of the genesis entry, before which no claimed time can be true.
    private(set) var genesisRecordedAt: Timestamp?
    /// The first entry that gave each key id its ledger role or its managed-key role, by key id.
    var ledgerKeyEntries: [String: KeyRoleEntry] = [:]
    var managedKeyEntries: [String: KeyRoleEntry] = [:]

    /// Per environment, the first failed JWKS check since the last one that passed.
    private var unresolvedFailures: [String: Entry] = [:]
    private var previousRecordedAt: (sequence: Int64, time: Timestamp)?

    init(options: ReportOptions) {
        self.options = options
    }

    static func keySlot(_ keyID: String, _ environment: String) -> String { environment + "\u{0}" + keyID }

    // MARK: - Folding

    mutating func apply(_ entry: Entry) {
        let inPeriod = period.contains(entry.recordedAt)
        if inPeriod {
            entriesInPeriod += 1
            kindCounts[entry.kind.rawValue, default: 0] += 1
            if firstInPeriod == nil { firstInPeriod = EntryReference(entry) }
            lastInPeriod = EntryReference(entry)
        } else if entry.recordedAt < period.start {
            lastBeforePeriod = EntryReference(entry)
        }
        checkLedgerEntry(entry, inPeriod: inPeriod)

        if entry.kind.isChangeStep {
            applyChangeStep(entry, inPeriod: inPeriod)
        } else if EntryKind.keySteps.contains(entry.kind) {
            applyKeyStep(entry, inPeriod: inPeriod)
        } else if entry.kind == .jwksChecked || entry.kind == .verificationFailed {
            applyJWKSCheck(entry)
        }
    }

    private mutating func checkLedgerEntry(_ entry: Entry, inPeriod: Bool) {
        if entry.kind == .genesis {
            genesisKeyID = entry.signerKeyID
            genesisRecordedAt = entry.recordedAt
        }
        if inPeriod {
            checkClaimedTime(entry)
        }
        checkKeyRoles(entry, inPeriod: inPeriod)
        if inPeriod, let previous = previousRecordedAt, entry.recordedAt < previous.time {
            addFinding(.timeOutOfOrder, entry,
                       "entry \(entry.sequence) was recorded at \(entry.recordedAt), earlier than entry \(previous.sequence) at \(previous.time)")
        }
        previousRecordedAt = (entry.sequence, entry.recordedAt)

        if inPeriod, entry.kind == .signingKeyRotated {
            // The verifier proved that the outgoing key signed this entry; the
            // body must name that same key, or the chain of signers has a hole.
            let named = entry.body["previous_kid"]?.stringValue
            if named != entry.signerKeyID {
                let claim = named.map { "names previous key \($0)" } ?? "names no previous key"
                addFinding(.signerHandoverGap, entry,
                           "the handover at entry \(entry.sequence) \(claim), but the key that signed up to it is \(entry.signerKeyID)")
            }
        }
    }

    private mutating func applyChangeStep(_ entry: Entry, inPeriod: Bool) {
        guard let id = entry.changeID else { return }
        if changes[id] == nil {
            changes[id] = ChangeActivity(id: id)
            changeOrder.append(id)
        }
        if inPeriod {
            checkChangeStep(entry, change: changes[id]!)
        }
        changes[id]!.apply(entry, inPeriod: inPeriod)
        if inPeriod {
            checkApprovalOrder(entry, change: changes[id]!)
        }
    }

    private mutating func applyKeyStep(_ entry: Entry, inPeriod: Bool) {
        guard let keyID = entry.keyID, let environment = entry.body["env"]?.stringValue else { return }
        let slot = Self.keySlot(keyID, environment)
        if keys[slot] == nil {
            keys[slot] = KeyActivity(keyID: keyID, environment: environment)
            keyOrder.append(slot)
        }
        if let changeID = entry.changeID, entry.kind != .verified, changes[changeID] != nil {
            changes[changeID]!.noteKey(keyID, environment: environment)
        }
        if inPeriod {
            checkKeyStep(entry, key: keys[slot]!)
        }
        keys[slot]!.apply(entry, inPeriod: inPeriod)
    }

    private mutating func applyJWKSCheck(_ entry: Entry) {
        guard let environment = entry.body["env"]?.stringValue else { return }
        if entry.kind == .jwksChecked {
            unresolvedFailures[environment] = nil
        } else if unresolvedFailures[environment] == nil {
            unresolvedFailures[environment] = entry
        }
        for value in entry.body["absent_confirmed"]?.arrayValue ?? [] {
            guard let keyID = value.stringValue else { continue }
            keys[Self.keySlot(keyID, environment)]?.noteAbsence(entry)
        }
    }

    // MARK: - Rules about one step

    private mutating func checkChangeStep(_ entry: Entry, change: ChangeActivity) {
        if let reason = entry.body["emergency"]?.stringValue {
            addFinding(.emergencyStep, entry,
                       "\(entry.kind) of change \(change.id) by \(entry.actor) declared an emergency (\(reason)) while the change was \(change.outcome)",
                       change: change.id)
        }
        if let violation = change.transitionViolation(entry) {
            addFinding(.changeInvalidTransition, entry, violation, change: change.id)
        }
        if entry.kind != .changeOpened {
            checkClaimedAfterOpening(entry, change: change, subject: "\(entry.kind) of change \(change.id)")
        }
        let time = StepReference(entry).time
        switch entry.kind {
        case .changeApproved:
            checkApproval(entry, change: change)
        case .changeStarted:
            if change.opened != nil && change.record.state == .open && entry.body["emergency"] == nil {
                addFinding(.startedWithoutApproval, entry,
                           "change \(change.id) was started at \(time) by \(entry.actor) while it was open and not approved",
                           change: change.id)
            }
            for attestation in change.failedLatestAttestations {
                addFinding(.startedWithFailedAttestation, attestation.step.entry,
                           "change \(change.id) started at \(time) while its latest \(attestation.item) attestation (entry \(attestation.step.sequence)) had failed",
                           change: change.id)
            }
            checkWindow(entry, change: change, subject: "change_started of change \(change.id)")
        case .changeCompleted:
            checkWindow(entry, change: change, subject: "change_completed of change \(change.id)")
        default:
            break
        }
    }

    private mutating func checkApproval(_ entry: Entry, change: ChangeActivity) {
        let approver = entry.actor
        let record = change.record
        if approver == record.technician {
            addFinding(.approvedByTechnician, entry,
                       "change \(change.id) was approved by its own technician \(approver)", change: change.id)
        } else if approver != record.reviewer {
            addFinding(.approvedByNonReviewer, entry,
                       "change \(change.id) was approved by \(approver), but its reviewer is \(record.reviewer)", change: change.id)
        }
        let manager = entry.body["manager_approval"]?.stringValue
        if let criticality = record.criticality, criticality.needsManagerApproval, manager == nil {
            addFinding(.missingManagerApproval, entry,
                       "change \(change.id) is \(criticality.rawValue) and was approved by \(approver) without a manager approval",
                       change: change.id)
        }
        if let manager, manager == record.technician {
            addFinding(.managerApprovalByTechnician, entry,
                       "change \(change.id) names its own technician \(manager) as the manager approval", change: change.id)
        }
    }

    /// Compares approval and start times once both are known, after the later of the two entries is folded in.
    private mutating func checkApprovalOrder(_ entry: Entry, change: ChangeActivity) {
        guard entry.kind == .changeApproved || entry.kind == .changeStarted,
              let approval = change.approval, let started = change.started, approval.time > started.time else { return }
        addFinding(.approvedAfterStart, approval.entry,
                   "change \(change.id) was approved at \(approval.time), \(Durations.describe(approval.time.millisecondsSinceEpoch - started.time.millisecondsSinceEpoch)) after it started at \(started.time)",
                   change: change.id)
    }

    private mutating func checkKeyStep(_ entry: Entry, key: KeyActivity) {
        let keyID = key.keyID
        let environment = key.environment
        if let violation = key.lifecycleViolation(entry) {
            addFinding(.keyLifecycleViolation, entry, violation, change: entry.changeID, keyID: keyID, environment: environment)
        } else if entry.kind == .restored, let introducing = rolledBackIntroduction(of: key) {
            // `keyledger change rollback` rejects this order; a ledger written by other tooling may still contain it.
            addFinding(.keyLifecycleViolation, entry,
                       "restored of key \(keyID) in \(environment) by the rollback of change \(entry.changeID ?? "none") serves the key again, although change \(introducing), which introduced it, was rolled back",
                       change: entry.changeID, keyID: keyID, environment: environment)
        }
        // A verification is evidence, not a change to the key, and needs no authorization.
        guard entry.kind != .verified else { return }

        let subject = "\(entry.kind) of key \(keyID) in \(environment) by \(entry.actor)"
        let change = entry.changeID.flatMap { changes[$0] }
        if let reason = entry.body["emergency"]?.stringValue {
            addFinding(.emergencyStep, entry, "\(subject) declared an emergency (\(reason))",
                       change: entry.changeID, keyID: keyID, environment: environment)
        } else {
            // A rollback, and the restorations it makes, run while the change is approved, in progress
            // or complete; other key steps need it in progress.
            let byRollback = entry.kind == .rolledBack || entry.kind == .restored
            let authorizing: [ChangeState] = byRollback ? [.approved, .inProgress, .complete] : [.inProgress]
            if let change, authorizing.contains(change.record.state), change.opened != nil {
                // Authorized.
            } else {
                let reason: String
                if let change {
                    reason = "under change \(change.id), which was \(change.outcome)"
                } else if let id = entry.changeID {
                    reason = "under change \(id), which was never opened"
                } else {
                    reason = "without naming a change"
                }
                addFinding(.keyStepWithoutChange, entry, "\(subject) \(reason)",
                           change: entry.changeID, keyID: keyID, environment: environment)
            }
        }
        if let change, entry.kind == .generated || entry.kind == .imported, entry.actor != change.record.technician {
            addFinding(.keyGeneratedByNonTechnician, entry,
                       "\(entry.actor) \(entry.kind) key \(keyID) in \(environment) under change \(change.id), whose technician is \(change.record.technician)",
                       change: change.id, keyID: keyID, environment: environment)
        }
        if let change {
            let subject = "\(entry.kind) of key \(keyID) in \(environment)"
            checkWindow(entry, change: change, subject: subject, keyID: keyID, environment: environment)
            checkClaimedAfterOpening(entry, change: change, subject: subject, keyID: keyID, environment: environment)
        }
    }

    /// Returns the change that generated, imported or published `key` when that change was rolled back, else nil.
    private func rolledBackIntroduction(of key: KeyActivity) -> String? {
        [key.originChange, key.publishedChange].compactMap { $0 }.first { changes[$0]?.record.rolledBack == true }
    }

    /// Flags a step whose time, claimed or recorded, lies outside the change's window.
    ///
    /// The recorded time is judged too, because the ledger set it when it
    /// signed the entry, while anyone appending may choose a claimed time.
    private mutating func checkWindow(_ entry: Entry, change: ChangeActivity, subject: String,
                                      keyID: String? = nil, environment: String? = nil) {
        guard let start = change.record.windowStart, let end = change.record.windowEnd else { return }
        let step = StepReference(entry)
        let window = "the window of change \(change.id), \(start) to \(end)"
        let explanation: String
        if !step.isClaimed {
            guard change.isOutsideWindow(step.time) else { return }
            explanation = "\(subject) at \(step.time) is outside \(window)"
        } else if change.isOutsideWindow(step.time) {
            explanation = "\(subject) at \(step.time) (claimed with --at; recorded at \(step.recordedAt)) is outside \(window)"
        } else if change.isOutsideWindow(step.recordedAt) {
            explanation = "\(subject) was recorded at \(step.recordedAt), outside \(window), although it claims \(step.time) (--at)"
        } else {
            return
        }
        addFinding(.stepOutsideWindow, entry, explanation, change: change.id, keyID: keyID, environment: environment)
    }

    // MARK: - Rules about deadlines and standing states, applied when the period ends

    mutating func finish() {
        let deadline = options.verifyWithinMilliseconds
        for slot in keyOrder {
            let key = keys[slot]!
            if let published = key.published {
                let due = StepDeadline(after: published, milliseconds: deadline)
                if period.contains(due.passes) {
                    checkVerification(of: key, publishedAt: published, due: due)
                }
            }
            if let restored = key.restored {
                // A restored key is expected in the JWKS again, so a check must show it served.
                let due = StepDeadline(after: restored, milliseconds: deadline)
                if period.contains(due.passes) {
                    checkVerification(of: key, restoredAt: restored, due: due)
                }
            }
            if let ended = key.ended {
                let due = StepDeadline(after: ended, milliseconds: deadline)
                if period.contains(due.passes) {
                    checkAbsence(of: key, endedAt: ended, due: due)
                }
            }
            checkMaximumAge(key)
        }

        for environment in unresolvedFailures.keys.sorted() {
            let failure = unresolvedFailures[environment]!
            let body = failure.body
            var counts: [String] = []
            for member in ["missing", "unexpected"] {
                counts.append("\(body[member]?.arrayValue?.count ?? 0) \(member)")
            }
            if let error = body["error"]?.stringValue { counts.append("error: \(error)") }
            addFinding(.verificationFailureUnresolved, failure,
                       "the JWKS check of \(environment) at \(failure.recordedAt) failed (\(counts.joined(separator: ", "))) and no later check of \(environment) passed before the period ended",
                       environment: environment)
        }

        for id in changeOrder {
            let change = changes[id]!
            guard change.opened != nil, change.isUnfinished, let last = change.lastStep else { continue }
            addFinding(.openAtPeriodEnd, last.entry,
                       "change \(id) was \(change.outcome) when the period ended; its last step was \(last.kind) at \(last.time)",
                       change: id)
        }
    }

    private mutating func checkMaximumAge(_ key: KeyActivity) {
        guard let origin = key.origin, let published = key.published else { return }
        let tooOld = origin.time.adding(options.maximumKeyAgeMilliseconds)
        let servedUntil = key.ended.map { $0.sequence > published.sequence ? $0.time : period.end } ?? period.end
        let from = max(tooOld, published.time, period.start)
        let until = min(servedUntil, period.end)
        guard from < until else { return }
        let still = until == period.end ? "still published when the period ended" : "published until \(until)"
        addFinding(.keyMaximumAgeExceeded, origin.entry,
                   "key \(key.keyID) in \(key.environment), \(origin.kind) at \(origin.time), became older than \(options.maximumKeyAgeDays) days at \(tooOld) and was \(still)",
                   key: key)
    }

    // MARK: - Findings

    mutating func addFinding(_ rule: ExceptionRule, _ entry: Entry, _ explanation: String,
                             change: String? = nil, keyID: String? = nil, environment: String? = nil) {
        addFinding(rule, EntryReference(entry), explanation, change: change, keyID: keyID, environment: environment)
    }

    mutating func addFinding(_ rule: ExceptionRule, _ entry: EntryReference, _ explanation: String, key: KeyActivity) {
        addFinding(rule, entry, explanation, change: nil, keyID: key.keyID, environment: key.environment)
    }

    // NOTE: findings are kept in memory. Their number grows with key and change
    // steps that break a rule, not with verifications, notes or reports, which
    // make up most entries of a long-lived ledger.
    private mutating func addFinding(_ rule: ExceptionRule, _ entry: EntryReference, _ explanation: String,
                                     change: String? = nil, keyID: String? = nil, environment: String? = nil) {
        findings.append(Finding(rule: rule, entry: entry, explanation: explanation,
                                change: change, keyID: keyID, environment: environment))
        if let keyID, let environment { keys[Self.keySlot(keyID, environment)]?.hasFindingInPeriod = true }
        if let change { changes[change]?.hasFindingInPeriod = true }
    }
}

extension Timestamp {
    func adding(_ milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }
}

/// Human-readable lengths of time, computed with integer arithmetic so the text never varies.
enum Durations {
    /// Describes `milliseconds` in its two largest units, truncated, such as
    /// `3 d 4 h`, `30 h 10 min`, `12 min 30 s` or `450 ms`; a zero second unit
    /// is left out (`47 min`). Up to two days are counted in hours.
    static func describe(_ milliseconds: Int64) -> String {
        let sign = milliseconds < 0 ? "-" : ""
        let value = abs(milliseconds)
        let seconds = value / 1000
        let minutes = seconds / 60
        let hours = minutes / 60
        let days = hours / 24
        func pair(_ large: Int64, _ largeUnit: String, _ small: Int64, _ smallUnit: String) -> String {
            small == 0 ? "\(sign)\(large) \(largeUnit)" : "\(sign)\(large) \(largeUnit) \(small) \(smallUnit)"
        }
        if days >= 2 { return pair(days, "d", hours % 24, "h") }
        if hours >= 1 { return pair(hours, "h", minutes % 60, "min") }
        if minutes >= 1 { return pair(minutes, "min", seconds % 60, "s") }
        if seconds >= 1 { return "\(sign)\(seconds) s" }
        return "\(sign)\(value) ms"
    }
}
