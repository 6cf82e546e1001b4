import KeyLedger

/// Turns a finished `LedgerAnalysis` and a verification result into a `Report`,
/// applying the environment scope and choosing the sample.
struct ReportAssembly {
    let options: ReportOptions
    let ledgerID: String
    let generator: String
    let analysis: LedgerAnalysis
    let verification: VerificationResult
    let head: LedgerHead?
    let analysedThrough: Int64
    let handovers: [IntegrityAttestation.Handover]
    /// The stored hash of the entry that failed verification, in hex.
    let failureHashHex: String?

    var period: ReportPeriod { options.period }

    func assemble() -> Report {
        let keyActivities = analysis.keyOrder.compactMap { analysis.keys[$0] }.filter(isReported)
        let changeActivities = analysis.changeOrder.compactMap { analysis.changes[$0] }.filter(isReported)
        let anchor = analysis.lastInPeriod ?? analysis.lastBeforePeriod ?? .beforeGenesis
        let sample = options.sample.map { SampleSelection.select($0, from: changeActivities.map(\.id), anchor: anchor) }
        let ranks = Dictionary(uniqueKeysWithValues: (sample?.selected ?? []).map { ($0.change, $0.rank) })

        let keys = keyActivities.map(custody)
        let changes = changeActivities.map { control($0, sampleRank: ranks[$0.id]) }
        return Report(
            cover: cover(),
            integrity: integrity(),
            population: population(keys: keyActivities, changes: changeActivities),
            keys: keys,
            changes: changes,
            findings: findings(),
            sample: sample)
    }

    // MARK: - Scope

    private func isInScope(_ key: KeyActivity) -> Bool {
        options.environment.map { $0 == key.environment } ?? true
    }

    private func isInScope(_ change: ChangeActivity) -> Bool {
        options.environment.map { change.environments.contains($0) } ?? true
    }

    /// Returns whether a key in scope is reported: when it has entries in the
    /// period, was in service when the period began, or has an exception in the period.
    private func isReported(_ key: KeyActivity) -> Bool {
        guard isInScope(key) else { return false }
        let liveAtStart = key.stateAtStart.map { $0 != .retired && $0 != .rolledBack } ?? false
        return key.entriesInPeriod > 0 || liveAtStart || key.hasFindingInPeriod
    }

    /// Returns whether a change in scope is reported: when it has entries in
    /// the period, was unfinished when the period began, or has an exception in the period.
    private func isReported(_ change: ChangeActivity) -> Bool {
        guard isInScope(change) else { return false }
        let unfinishedAtStart = change.stateAtStart.map { ["open", "approved", "in_progress"].contains($0) } ?? false
        return change.entriesInPeriod > 0 || unfinishedAtStart || change.hasFindingInPeriod
    }

    private func isInScope(_ finding: Finding) -> Bool {
        guard let environment = options.environment else { return true }
        if let findingEnvironment = finding.environment { return findingEnvironment == environment }
        if let change = finding.change { return analysis.changes[change].map(isInScope) ?? false }
        return true
    }

    // MARK: - Sections

    private func cover() -> ReportCover {
        ReportCover(
            generator: generator,
            ledgerID: ledgerID,
            options: options,
            genesisKeyID: verification.genesisKeyID ?? analysis.genesisKeyID,
            firstEntry: analysis.firstInPeriod,
            lastEntry: analysis.lastInPeriod,
            previousEntry: analysis.lastBeforePeriod ?? .beforeGenesis,
            head: head.map { EntryReference(sequence: $0.sequence, hashHex: Self.hex($0.hash)) },
            analysedThrough: analysedThrough)
    }

    private func integrity() -> IntegrityAttestation {
        let failure = verification.failure.map { failure in
            IntegrityAttestation.Failure(sequence: failure.sequence, reason: failure.reason.rawValue,
                                         detail: failure.detail, storedHashHex: failureHashHex)
        }
        return IntegrityAttestation(
            isValid: verification.isValid,
            entriesChecked: verification.entriesChecked,
            signaturesVerified: verification.signaturesVerified,
            trustAnchorChecked: verification.trustAnchorChecked,
            signers: verification.signers,
            handovers: handovers,
            failure: failure,
            warnings: warnings())
    }

    /// States what the verification could not prove, in the report's terms.
    ///
    /// The verifier's own warnings name options of `keyledger verify`, which
    /// a report does not take, so the report words its own from the same facts.
    private func warnings() -> [String] {
        var warnings: [String] = []
        if !verification.trustAnchorChecked {
            warnings.append("No trust anchor was given, so the chain was checked only against its own genesis key \(verification.genesisKeyID ?? "(none)"): generate the report with --trust-anchor and the key id recorded when the ledger was created.")
        }
        if let newest = head?.recordedAt, newest < options.period.end {
            // The report cannot read the clock and stay reproducible, so it judges
            // every rule as of the period's end and warns when the ledger stops short of it.
            warnings.append("The newest entry (\(newest)) is earlier than the end of the period: every deadline and open change is judged as of the period's end, so if the period is still running, findings about later deadlines and open changes may yet resolve.")
        }
        if verification.isValid {
            warnings.append("A hash chain cannot show entries removed from its end: compare the chain head on the cover with a head recorded earlier, such as the head of the previous report's report_generated entry.")
        }
        return warnings
    }

    private func population(keys: [KeyActivity], changes: [ChangeActivity]) -> Population {
        let kinds = analysis.kindCounts.keys.sorted().map { Population.KindCount(kind: $0, count: analysis.kindCounts[$0]!) }
        let changeStates = ["open", "approved", "in_progress", "complete", "aborted", "rolled_back"]
        let keyStates = KeyState.allCases.map(\.rawValue)
        return Population(
            entriesInPeriod: analysis.entriesInPeriod,
            entriesByKind: kinds,
            changeCount: changes.count,
            changesWithActivity: changes.filter { $0.entriesInPeriod > 0 }.count,
            changesByState: changeStates.map { state in
                Population.StateCount(state: state, count: changes.filter { $0.outcome == state }.count)
            },
            keyCount: keys.count,
            keysWithActivity: keys.filter { $0.entriesInPeriod > 0 }.count,
            keysByState: keyStates.map { state in
                Population.StateCount(state: state, count: keys.filter { $0.state?.rawValue == state }.count)
            })
    }

    private func custody(_ key: KeyActivity) -> KeyCustody {
        var ageDays: Int64?
        if let origin = key.origin {
            let reference = key.ended.map { min($0.time, period.end) } ?? period.end
            ageDays = (reference.millisecondsSinceEpoch - origin.time.millisecondsSinceEpoch) / ReportPeriod.millisecondsPerDay
        }
        return KeyCustody(
            keyID: key.keyID, environment: key.environment, name: key.name, algorithm: key.algorithm,
            custody: key.custody, providerKeyID: key.providerKeyID, origin: key.origin, originChange: key.originChange,
            published: key.published, publishedChange: key.publishedChange, firstVerification: key.firstVerification,
            lastVerification: key.lastVerification, verificationsInPeriod: key.verificationsInPeriod,
            ended: key.ended, endedChange: key.endedChange, absenceConfirmed: key.absenceConfirmed, ageDays: ageDays,
            stateAtStart: key.stateAtStart, stateAtEnd: key.state ?? .generated, entriesInPeriod: key.entriesInPeriod)
    }

    private func control(_ change: ChangeActivity, sampleRank: Int?) -> ChangeControl {
        let record = change.record
        let rolledBack = change.rolledBackKeys.map { key in
            RolledBackKey(keyID: key.keyID, environment: key.environment,
                          absenceConfirmed: analysis.keys[LedgerAnalysis.keySlot(key.keyID, key.environment)]?.absenceConfirmed)
        }
        let restored = change.restoredKeys.map { key in
            RestoredKey(keyID: key.keyID, environment: key.environment, state: key.state,
                        servedAgain: analysis.keys[LedgerAnalysis.keySlot(key.keyID, key.environment)]?.firstVerificationAfterRestore)
        }
        return ChangeControl(
            id: change.id, summary: record.summary, technician: record.technician, reviewer: record.reviewer,
            criticality: change.criticality, needsManagerApproval: record.criticality?.needsManagerApproval ?? false,
            windowStart: record.windowStart, windowEnd: record.windowEnd, rollbackPlan: record.rollbackPlan,
            opened: change.opened, approval: change.approval, managerApproval: record.managerApproval,
            attestations: change.attestations, started: change.started, finished: change.finished,
            reason: change.reason, outcome: change.outcome, stateAtStart: change.stateAtStart,
            rolledBackKeys: rolledBack, restoredKeys: restored, keys: change.keys, entriesInPeriod: change.entriesInPeriod,
            sampleRank: sampleRank)
    }

    private func findings() -> [Finding] {
        var all = analysis.findings.filter(isInScope)
        if let failure = verification.failure {
            all.append(Finding(
                rule: .verificationFailed,
                entry: EntryReference(sequence: failure.sequence, hashHex: failureHashHex ?? EntryReference.beforeGenesis.hashHex),
                explanation: "entry \(failure.sequence) failed verification (\(failure.reason.rawValue)): \(failure.detail)",
                change: nil, keyID: nil, environment: nil))
        }
        return all.sorted { lhs, rhs in
            (lhs.rule.severity.rank, lhs.entry.sequence, lhs.rule.id, lhs.explanation)
                < (rhs.rule.severity.rank, rhs.entry.sequence, rhs.rule.id, rhs.explanation)
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in byte < 0x10 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
    }
}
