/// How much an exception weakens the controls a report evidences.
public enum Severity: String, Sendable, CaseIterable, Comparable {
    /// The evidence itself is in doubt, or a key changed with no authorization at all.
    case critical
    /// A control was bypassed or not performed.
    case high
    /// A control was performed late or incompletely.
    case medium
    /// Work that is still open and needs follow-up.
    case low

    /// The position in a report: critical first.
    var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One rule a report checks. The id is stable: auditors and tooling match on it.
public struct ExceptionRule: Hashable, Sendable, CustomStringConvertible {
    public let id: String
    public let severity: Severity
    /// One line that states what the rule finds.
    public let title: String

    public var description: String { id }

    // The ledger itself.

    public static let verificationFailed = ExceptionRule(
        id: "ledger.verification_failed", severity: .critical,
        title: "The ledger failed verification at this entry; nothing from it on can be trusted.")
    public static let signerHandoverGap = ExceptionRule(
        id: "ledger.signer_handover_gap", severity: .critical,
        title: "A signing-key handover does not name the key that signed the entries before it.")
    public static let timeOutOfOrder = ExceptionRule(
        id: "ledger.time_out_of_order", severity: .high,
        title: "An entry was recorded earlier than the entry before it.")

    // Authorization of key and change steps.

    public static let keyStepWithoutChange = ExceptionRule(
        id: "key.step_without_change", severity: .critical,
        title: "A key was generated, imported, published, retired or rolled back without an approved change in progress, and no emergency was declared.")
    public static let emergencyStep = ExceptionRule(
        id: "step.emergency", severity: .high,
        title: "A step declared an emergency and bypassed change control.")
    public static let claimedTimeInvalid = ExceptionRule(
        id: "step.claimed_time_invalid", severity: .high,
        title: "A step's claimed time (--at) cannot be true: it is not a time, or is later than the recorded time plus the allowed clock skew.")
    public static let claimedBeforeLedger = ExceptionRule(
        id: "step.claimed_before_ledger", severity: .low,
        title: "A step claims a time before the ledger's genesis entry, so the ledger shows only when it was recorded: obtain other evidence of the claimed time.")
    public static let keyGeneratedByNonTechnician = ExceptionRule(
        id: "key.generated_by_non_technician", severity: .high,
        title: "A key was generated or imported by someone other than the change's technician.")
    public static let keyLifecycleViolation = ExceptionRule(
        id: "key.lifecycle_violation", severity: .high,
        title: "A key step does not follow the lifecycle generated, published, verified, retired or rolled back.")
    public static let keyReusedAsLedgerKey = ExceptionRule(
        id: "key.reused_as_ledger_key", severity: .critical,
        title: "One key is both a managed JWT signing key and a signing or checkpoint key of the ledger.")

    // Testing and custody of keys.

    public static let keyNotVerifiedInTime = ExceptionRule(
        id: "key.not_verified_in_time", severity: .medium,
        title: "A published or restored key was not seen in the served JWKS within the verification deadline.")
    public static let verificationFailureUnresolved = ExceptionRule(
        id: "jwks.verification_failure_unresolved", severity: .high,
        title: "A failed JWKS check was not followed by a successful check of the same environment.")
    public static let keyAbsenceNotConfirmed = ExceptionRule(
        id: "key.absence_not_confirmed", severity: .medium,
        title: "A retired or rolled-back key was not shown absent from the served JWKS within the verification deadline.")
    public static let keyMaximumAgeExceeded = ExceptionRule(
        id: "key.max_age_exceeded", severity: .medium,
        title: "A key stayed published after it became older than the maximum key age.")

    // Change control.

    public static let approvedAfterStart = ExceptionRule(
        id: "change.approved_after_start", severity: .high,
        title: "A change was approved after it started.")
    public static let approvedByTechnician = ExceptionRule(
        id: "change.approved_by_technician", severity: .critical,
        title: "A change was approved by its own technician.")
    public static let approvedByNonReviewer = ExceptionRule(
        id: "change.approved_by_non_reviewer", severity: .high,
        title: "A change was approved by someone other than its named reviewer.")
    public static let missingManagerApproval = ExceptionRule(
        id: "change.missing_manager_approval", severity: .high,
        title: "A C1 or C2 change was approved without a manager's approval.")
    public static let managerApprovalByTechnician = ExceptionRule(
        id: "change.manager_approval_by_technician", severity: .high,
        title: "The manager approval of a change names the change's own technician.")
    public static let startedWithoutApproval = ExceptionRule(
        id: "change.started_without_approval", severity: .high,
        title: "A change started before it was approved, and no emergency was declared.")
    public static let startedWithFailedAttestation = ExceptionRule(
        id: "change.started_with_failed_attestation", severity: .medium,
        title: "A change started while its latest attestation of a checklist item had failed.")
    public static let changeInvalidTransition = ExceptionRule(
        id: "change.invalid_transition", severity: .high,
        title: "A change step is not allowed in the state the change was in.")
    public static let stepOutsideWindow = ExceptionRule(
        id: "change.step_outside_window", severity: .medium,
        title: "A change or key step happened or was recorded outside the change's scheduled window.")
    public static let stepClaimedBeforeOpening = ExceptionRule(
        id: "change.step_claimed_before_opening", severity: .high,
        title: "A change or key step claims a time (--at) earlier than the change's opening.")
    public static let openAtPeriodEnd = ExceptionRule(
        id: "change.open_at_period_end", severity: .low,
        title: "A change was still open, approved or in progress when the period ended.")

    /// Every rule, in the order reports and reports/CONTROLS.md list them.
    public static let all: [ExceptionRule] = [
        .verificationFailed, .signerHandoverGap, .timeOutOfOrder,
        .keyStepWithoutChange, .emergencyStep, .claimedTimeInvalid, .claimedBeforeLedger, .keyGeneratedByNonTechnician, .keyLifecycleViolation,
        .keyReusedAsLedgerKey,
        .keyNotVerifiedInTime, .verificationFailureUnresolved, .keyAbsenceNotConfirmed, .keyMaximumAgeExceeded,
        .approvedAfterStart, .approvedByTechnician, .approvedByNonReviewer, .missingManagerApproval,
        .managerApprovalByTechnician, .startedWithoutApproval, .startedWithFailedAttestation,
        .changeInvalidTransition, .stepOutsideWindow, .stepClaimedBeforeOpening, .openAtPeriodEnd,
    ]
}
