import KeyLedger

/// The deadline rules about JWKS checks after a key step, judged when the period ends.
extension LedgerAnalysis {
    /// Flags a published key whose first verification missed the deadline, or that has none.
    mutating func checkVerification(of key: KeyActivity, publishedAt published: StepReference, due: StepDeadline) {
        let hours = options.verifyWithinHours
        let subject = "key \(key.keyID) in \(key.environment) was published at \(published.describedTime)"
        if let first = key.firstVerification {
            if !due.isMet(by: first.step) {
                addFinding(.keyNotVerifiedInTime, published.entry,
                           "\(subject) and first verified at \(first.step.describedTime), \(Durations.describe(first.step.time.millisecondsSinceEpoch - published.time.millisecondsSinceEpoch)) later; the deadline is \(hours) h",
                           key: key)
            }
        } else if let ended = key.ended, due.isMet(by: ended) {
            // Withdrawn before it was due to be seen: the rollback or retirement is the
            // response, and keyAbsenceNotConfirmed checks that the endpoint dropped the key.
        } else {
            addFinding(.keyNotVerifiedInTime, published.entry,
                       "\(subject) and not verified by the deadline \(due) (\(hours) h)", key: key)
        }
    }

    /// Flags a restored key not seen in the JWKS again by the deadline.
    mutating func checkVerification(of key: KeyActivity, restoredAt restored: StepReference, due: StepDeadline) {
        let subject = "key \(key.keyID) in \(key.environment) was restored by the rollback of change \(key.restoredChange ?? "none") at \(restored.describedTime)"
        if let first = key.firstVerificationAfterRestore {
            if !due.isMet(by: first) {
                addFinding(.keyNotVerifiedInTime, restored.entry,
                           "\(subject) and first verified again at \(first.describedTime), after the deadline \(due)", key: key)
            }
        } else if key.ended == nil {
            addFinding(.keyNotVerifiedInTime, restored.entry,
                       "\(subject) and not verified again by the deadline \(due) (\(options.verifyWithinHours) h)", key: key)
        }
    }

    /// Flags a retired or rolled-back key that no JWKS check showed absent by the deadline.
    mutating func checkAbsence(of key: KeyActivity, endedAt ended: StepReference, due: StepDeadline) {
        let subject = "key \(key.keyID) in \(key.environment) was \(ended.kind == EntryKind.retired.rawValue ? "retired" : "rolled back") at \(ended.describedTime)"
        if let confirmed = key.absenceConfirmed {
            if !due.isMet(by: confirmed) {
                addFinding(.keyAbsenceNotConfirmed, ended.entry,
                           "\(subject) and first shown absent from the JWKS at \(confirmed.describedTime) (entry \(confirmed.sequence)), after the deadline \(due)",
                           key: key)
            }
        } else {
            addFinding(.keyAbsenceNotConfirmed, ended.entry,
                       "\(subject) and no JWKS check showed it absent by the deadline \(due) (\(options.verifyWithinHours) h)", key: key)
        }
    }
}
