import KeyLedger

/// A deadline that runs from a step, measured both from its claimed time and from its recorded time.
///
/// The one who appends a step chooses its claimed time (`--at`), so a
/// response meets the deadline only when it is on time by claimed times and
/// by recorded times. Without claimed times the two measures are the same.
struct StepDeadline: CustomStringConvertible {
    /// The step's claimed time (its recorded time when it has none) plus the allowance.
    let byClaimedTime: Timestamp
    /// The step's recorded time plus the allowance.
    let byRecordedTime: Timestamp

    init(after step: StepReference, milliseconds: Int64) {
        byClaimedTime = step.time.adding(milliseconds)
        byRecordedTime = step.recordedAt.adding(milliseconds)
    }

    /// The time at which both measures have passed. A report judges the
    /// deadline in the period that contains this time, so each late step is
    /// reported once, also when its claimed time lies in an earlier period.
    var passes: Timestamp { max(byClaimedTime, byRecordedTime) }

    /// Returns whether `response` came by the deadline on both measures.
    func isMet(by response: StepReference) -> Bool {
        response.time <= byClaimedTime && response.recordedAt <= byRecordedTime
    }

    /// The deadline, with the recorded-time measure added when it differs.
    var description: String {
        byClaimedTime == byRecordedTime ? "\(byClaimedTime)" : "\(byClaimedTime) (\(byRecordedTime) by recorded times)"
    }
}

extension StepReference {
    /// The step's time, with its recorded time added when the time is claimed.
    var describedTime: String {
        isClaimed ? "\(time) (claimed with --at; recorded at \(recordedAt))" : "\(time)"
    }
}
