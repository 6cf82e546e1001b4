import KeyLedger

/// The facts a report needs about one key in one environment, folded from its entries in sequence order.
///
/// `KeyRecord` keeps every step, including each `verified` entry, so its size
/// grows with every JWKS check. A key checked every few minutes collects tens
/// of thousands of them a quarter. This fold keeps a fixed set of steps and
/// counts instead, so a report's memory grows with the number of keys only.
/// The verifications themselves are streamed from the ledger again while rendering.
struct KeyActivity {
    let keyID: String
    let environment: String
    var name = ""
    var algorithm: String?
    var custody: String?
    var providerKeyID: String?
    /// nil until a `generated` or `imported` entry is seen.
    var state: KeyState?
    var stateAtStart: KeyState?
    var origin: StepReference?
    var originChange: String?
    var published: StepReference?
    var publishedChange: String?
    var firstVerification: VerificationStep?
    var lastVerification: VerificationStep?
    var verificationsInPeriod: Int64 = 0
    var ended: StepReference?
    var endedChange: String?
    var absenceConfirmed: StepReference?
    /// The latest `restored` entry: the rollback of the change that retired the key.
    var restored: StepReference?
    var restoredChange: String?
    /// The first `verified` entry after `restored`.
    var firstVerificationAfterRestore: StepReference?
    var entriesInPeriod: Int64 = 0
    var hasFindingInPeriod = false

    init(keyID: String, environment: String) {
        self.keyID = keyID
        self.environment = environment
    }

    /// Returns why the lifecycle does not allow `entry` now, or nil when it does.
    func lifecycleViolation(_ entry: Entry) -> String? {
        let subject = "\(entry.kind) of key \(keyID) in \(environment)"
        guard let next = KeyState(after: entry) else {
            return entry.kind == .restored ? "\(subject), which names no published or verified state to return to" : nil
        }
        if entry.kind == .generated || entry.kind == .imported {
            guard let origin else { return nil }
            return "\(subject) repeats its \(origin.kind) entry \(origin.sequence)"
        }
        guard let state else {
            return "\(subject), which was never generated or imported in \(environment)"
        }
        if entry.kind == .restored {
            // Only a rollback of the retiring change restores a key, and only from retired.
            guard state == .retired, let endedChange, endedChange == entry.changeID else {
                let retiredBy = state == .retired ? " by change \(endedChange ?? "none")" : ""
                return "\(subject), which was \(state.rawValue)\(retiredBy)"
            }
            return nil
        }
        guard state.allowedTransitions.contains(next) else {
            return "\(subject), which was \(state.rawValue)"
        }
        return nil
    }

    /// Folds one of the key's entries in, without judging it.
    mutating func apply(_ entry: Entry, inPeriod: Bool) {
        guard let next = KeyState(after: entry) else { return }
        let step = StepReference(entry)
        switch entry.kind {
        case .generated, .imported:
            if origin == nil {
                origin = step
                originChange = entry.changeID
                name = entry.body["name"]?.stringValue ?? ""
                algorithm = entry.body["alg"]?.stringValue
                custody = entry.body["custody"]?.stringValue
                providerKeyID = entry.body["provider_kid"]?.stringValue
            }
        case .published:
            published = step
            publishedChange = entry.changeID
        case .verified:
            let verification = VerificationStep(entry)
            if let published, published.sequence < entry.sequence, firstVerification == nil {
                firstVerification = verification
            }
            if restored != nil, firstVerificationAfterRestore == nil {
                firstVerificationAfterRestore = step
            }
            if inPeriod {
                verificationsInPeriod += 1
                lastVerification = verification
            }
        case .retired, .rolledBack:
            ended = step
            endedChange = entry.changeID
        case .restored:
            // Served again: the key no longer has to be shown absent.
            restored = step
            restoredChange = entry.changeID
            firstVerificationAfterRestore = nil
            ended = nil
            endedChange = nil
            absenceConfirmed = nil
        default:
            break
        }
        state = next
        if inPeriod {
            entriesInPeriod += 1
        } else {
            stateAtStart = next
        }
    }

    /// Records a JWKS check that named this key in `absent_confirmed`, when it is the first after the key ended.
    mutating func noteAbsence(_ entry: Entry) {
        guard let ended, absenceConfirmed == nil, entry.sequence > ended.sequence else { return }
        absenceConfirmed = StepReference(entry)
    }
}
