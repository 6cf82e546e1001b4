import KeyLedger

/// The rules about claimed times (`occurred_at`, given with `--at`).
///
/// A claimed time is chosen by the one who appends the step, while the recorded
/// time is set by the ledger when it signs the entry. These rules flag claimed
/// times that cannot be true, claimed times before the ledger began, and
/// steps claimed before their change existed. `checkWindow` judges a step's
/// recorded time against the change window too.
extension LedgerAnalysis {
    /// Flags an entry of the period whose claimed time is not a time or is
    /// later than its recorded time plus the allowed clock skew, and one whose
    /// claimed time is earlier than the genesis entry.
    mutating func checkClaimedTime(_ entry: Entry) {
        guard let value = entry.body[ClaimedTime.member] else { return }
        let environment = entry.body["env"]?.stringValue
        let keyID = environment == nil ? nil : entry.keyID
        if let problem = ClaimedTime.problem(with: value, recordedAt: entry.recordedAt) {
            addFinding(.claimedTimeInvalid, entry, "\(entry.kind) entry \(entry.sequence) by \(entry.actor): \(problem)",
                       change: entry.changeID, keyID: keyID, environment: environment)
        } else if let genesisRecordedAt, let claimed = ClaimedTime.precedingLedger(value, genesis: genesisRecordedAt) {
            addFinding(.claimedBeforeLedger, entry,
                       "\(entry.kind) entry \(entry.sequence) by \(entry.actor) claims \(claimed) (claimed time; recorded at \(entry.recordedAt)), before the ledger's genesis entry, recorded at \(genesisRecordedAt)",
                       change: entry.changeID, keyID: keyID, environment: environment)
        }
    }

    /// Flags a step of `change` whose claimed time is earlier than the change's
    /// opening, which is its claimed time when the opening has one.
    mutating func checkClaimedAfterOpening(_ entry: Entry, change: ChangeActivity, subject: String,
                                           keyID: String? = nil, environment: String? = nil) {
        let step = StepReference(entry)
        guard step.isClaimed, let opened = change.opened, step.time < opened.time else { return }
        let early = Durations.describe(opened.time.millisecondsSinceEpoch - step.time.millisecondsSinceEpoch)
        addFinding(.stepClaimedBeforeOpening, entry,
                   "\(subject) claims \(step.time) (claimed time; recorded at \(step.recordedAt)), \(early) before change \(change.id) was opened at \(opened.time) (entry \(opened.sequence))",
                   change: change.id, keyID: keyID, environment: environment)
    }
}
