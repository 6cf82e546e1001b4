import Foundation
import JOSE
import KeyLedger
import KeyLedgerReports
import OpenSSLBridge
import XCTest

/// Each test builds a ledger that breaks one rule once, on top of a clean
/// history, and expects the report to name exactly that rule with the
/// sequence number and hash of the entry that proves it.
final class ExceptionRuleTests: XCTestCase {
    private var scenario: Scenario!

    override func setUpWithError() throws {
        scenario = try Scenario(self)
    }

    /// Forges the scenario, writes the JSON report and checks its exceptions, in the model and in the file.
    private func assertOnlyFinding(_ rule: ExceptionRule, at sequence: Int64, maximumKeyAgeDays: Int = 365,
                                   file: StaticString = #filePath, line: UInt = #line) throws {
        let forged = try scenario.forge()
        let options = try ReportTesting.options(scenario, maximumKeyAgeDays: maximumKeyAgeDays)
        let outcome = try ReportTesting.write(forged, options, format: .json, scenario: scenario)
        let findings = outcome.report.findings
        XCTAssertEqual(findings.map(\.rule.id), [rule.id], findings.map(\.explanation).joined(separator: "\n"), file: file, line: line)
        guard let finding = findings.first, findings.count == 1 else { return }
        XCTAssertEqual(finding.entry.sequence, sequence, finding.explanation, file: file, line: line)
        XCTAssertEqual(finding.entry.hashHex, forged.hash(of: sequence), file: file, line: line)
        XCTAssertFalse(finding.explanation.isEmpty, file: file, line: line)

        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: outcome.files[0].url)) as? [String: Any]
        let exceptions = try XCTUnwrap(document?["exceptions"] as? [[String: Any]], file: file, line: line)
        XCTAssertEqual(exceptions.count, 1, file: file, line: line)
        XCTAssertEqual(exceptions.first?["rule"] as? String, rule.id, file: file, line: line)
        let entry = exceptions.first?["entry"] as? [String: Any]
        XCTAssertEqual(entry?["seq"] as? Int, Int(sequence), file: file, line: line)
        XCTAssertEqual(entry?["hash"] as? String, forged.hash(of: sequence), file: file, line: line)
    }

    /// Records the opening steps of a change on 5 October 2026 with the window 09:00 to 13:00, up to its approval.
    private func openAndApprove(_ id: String = "CHG-1", criticality: Criticality = .c3, manager: String? = nil) throws {
        try scenario.open(id, at: "2026-10-05T08:00:00Z", criticality: criticality)
        try scenario.attest(id, at: "2026-10-05T08:10:00Z")
        try scenario.approve(id, at: "2026-10-05T08:30:00Z", manager: manager)
    }

    /// Records the key steps and the completion of a change that is in progress, inside its window.
    private func rotateAndComplete(_ id: String = "CHG-1") throws {
        let key = try scenario.generate(id, at: "2026-10-05T09:10:00Z")
        try scenario.publish(key.keyID, id, at: "2026-10-05T09:20:00Z")
        try scenario.checkJWKS(at: "2026-10-05T09:30:00Z", change: id)
        try scenario.complete(id, at: "2026-10-05T10:00:00Z")
    }

    // MARK: - The ledger itself

    func testVerificationFailure() throws {
        try scenario.cleanRotation()
        let note = try scenario.raw(at: "2026-10-06T08:00:00Z", .note, actor: "ops", ["text": "quarterly review"])
        let forged = try scenario.forge()
        try forged.tamper(sequence: note)

        let outcome = try ReportTesting.write(forged, try ReportTesting.options(scenario), format: .json, scenario: scenario)
        XCTAssertFalse(outcome.isValid)
        XCTAssertEqual(outcome.report.findings.map(\.rule.id), [ExceptionRule.verificationFailed.id])
        XCTAssertEqual(outcome.report.findings.first?.entry.sequence, note)
        XCTAssertEqual(outcome.report.findings.first?.entry.hashHex, forged.hash(of: note), "the stored hash of the failing entry")
        XCTAssertEqual(outcome.report.integrity.failure?.reason, "hash_mismatch")
        XCTAssertEqual(outcome.report.cover.analysedThrough, note - 1)
    }

    func testSignerHandoverGap() throws {
        try scenario.cleanRotation()
        let handover = try scenario.handOver(at: "2026-10-06T08:00:00Z", to: try SigningKey.generate(.es256),
                                             previousKeyID: "a-key-that-never-signed")
        // Verification itself rejects such a handover, so the report names it as the failing entry.
        try assertVerificationFails(at: handover, reason: "malformed_entry")
    }

    func testTimeOutOfOrder() throws {
        try scenario.cleanRotation()
        let note = try scenario.raw(at: "2026-10-05T09:45:00Z", .note, actor: "ops", ["text": "recorded before the completion"])
        // Verification itself rejects an entry recorded before the one it follows.
        try assertVerificationFails(at: note, reason: "malformed_entry")
    }

    private func assertVerificationFails(at sequence: Int64, reason: String,
                                         file: StaticString = #filePath, line: UInt = #line) throws {
        let forged = try scenario.forge()
        let outcome = try ReportTesting.write(forged, try ReportTesting.options(scenario), format: .json, scenario: scenario)
        XCTAssertFalse(outcome.isValid, file: file, line: line)
        XCTAssertEqual(outcome.report.findings.map(\.rule.id), [ExceptionRule.verificationFailed.id], file: file, line: line)
        XCTAssertEqual(outcome.report.findings.first?.entry.sequence, sequence, file: file, line: line)
        XCTAssertEqual(outcome.report.integrity.failure?.reason, reason, file: file, line: line)
    }

    // MARK: - Authorization of key steps

    func testKeyStepWithoutChange() throws {
        try scenario.cleanRotation()
        let generated = try scenario.raw(at: "2026-10-05T11:00:00Z", .generated, actor: "tina", [
            "kid": "raw-generated-key", "env": "production", "name": "api_jwt_signing_key", "alg": "ES256", "change": "CHG-1",
        ])
        try assertOnlyFinding(.keyStepWithoutChange, at: generated)
    }

    func testEmergencyKeyStep() throws {
        try openAndApprove()
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        let key = try scenario.generate("CHG-1", at: "2026-10-05T09:10:00Z")
        let published = try scenario.publish(key.keyID, "CHG-1", at: "2026-10-05T09:20:00Z", emergency: "JWKS endpoint outage")
        try scenario.checkJWKS(at: "2026-10-05T09:30:00Z", change: "CHG-1")
        try scenario.complete("CHG-1", at: "2026-10-05T10:00:00Z")
        try assertOnlyFinding(.emergencyStep, at: published)
    }

    func testEmergencyStartOfUnapprovedChange() throws {
        try scenario.open("CHG-1", at: "2026-10-05T08:00:00Z")
        try scenario.attest("CHG-1", at: "2026-10-05T08:10:00Z")
        let started = try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z", emergency: "signing key leaked")
        try rotateAndComplete()
        try assertOnlyFinding(.emergencyStep, at: started)
    }

    func testKeyGeneratedByNonTechnician() throws {
        try openAndApprove()
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        let key = try scenario.generate("CHG-1", at: "2026-10-05T09:10:00Z", actor: "mallory")
        try scenario.publish(key.keyID, "CHG-1", at: "2026-10-05T09:20:00Z")
        try scenario.checkJWKS(at: "2026-10-05T09:30:00Z", change: "CHG-1")
        try scenario.complete("CHG-1", at: "2026-10-05T10:00:00Z")
        try assertOnlyFinding(.keyGeneratedByNonTechnician, at: key.sequence)
    }

    func testKeyLifecycleViolation() throws {
        let keyID = try scenario.cleanRotation(complete: false)
        let republished = try scenario.raw(at: "2026-10-05T09:40:00Z", .published, actor: "tina",
                                           ["kid": .string(keyID), "env": "production", "change": "CHG-1"])
        try scenario.complete("CHG-1", at: "2026-10-05T10:00:00Z")
        try assertOnlyFinding(.keyLifecycleViolation, at: republished)
    }

    // MARK: - Testing and custody of keys

    func testKeyNotVerifiedInTime() throws {
        try openAndApprove()
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        let key = try scenario.generate("CHG-1", at: "2026-10-05T09:10:00Z")
        let published = try scenario.publish(key.keyID, "CHG-1", at: "2026-10-05T09:20:00Z")
        try scenario.complete("CHG-1", at: "2026-10-05T10:00:00Z")
        try scenario.checkJWKS(at: "2026-10-06T15:30:00Z")
        try assertOnlyFinding(.keyNotVerifiedInTime, at: published)
    }

    func testVerificationRecordedLateButClaimedInTime() throws {
        try openAndApprove()
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        let key = try scenario.generate("CHG-1", at: "2026-10-05T09:10:00Z")
        let published = try scenario.publish(key.keyID, "CHG-1", at: "2026-10-05T09:20:00Z")
        try scenario.complete("CHG-1", at: "2026-10-05T10:00:00Z")
        try scenario.checkJWKS(at: "2026-10-06T15:30:00Z", claimed: "2026-10-05T09:30:00Z")
        try assertOnlyFinding(.keyNotVerifiedInTime, at: published)

        let finding = try XCTUnwrap(scenario.findings().first)
        XCTAssertTrue(finding.explanation.contains("recorded at 2026-10-06T15:30:00.000Z"), finding.explanation)
    }

    func testPublicationClaimedInEarlierPeriodIsJudged() throws {
        try scenario.open("CHG-1", at: "2026-10-05T08:00:00Z", window: nil)
        try scenario.claim("2026-09-29T07:00:00Z", at: scenario.nextSequence - 1)
        try scenario.approve("CHG-1", at: "2026-10-05T08:30:00Z", claimed: "2026-09-29T07:30:00Z")
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z", claimed: "2026-09-29T07:40:00Z")
        let key = try scenario.generate("CHG-1", at: "2026-10-05T09:10:00Z", claimed: "2026-09-29T07:50:00Z")
        // Due on 30 September by the claimed time, in the quarter before, and on 6 October by the recorded time.
        let published = try scenario.publish(key.keyID, "CHG-1", at: "2026-10-05T09:20:00Z", claimed: "2026-09-29T08:00:00Z")
        try scenario.complete("CHG-1", at: "2026-10-05T10:00:00Z")
        try assertOnlyFinding(.keyNotVerifiedInTime, at: published)

        let finding = try XCTUnwrap(scenario.findings().first)
        XCTAssertTrue(finding.explanation.contains(
            "not verified by the deadline 2026-09-30T08:00:00.000Z (2026-10-06T09:20:00.000Z by recorded times)"), finding.explanation)
        XCTAssertFalse(finding.explanation.contains("StepDeadline"), finding.explanation)
    }

    func testAbsenceRecordedLateButClaimedInTime() throws {
        let retired = try rotateThenRetire()
        try scenario.checkJWKS(at: "2026-11-12T10:00:00Z", claimed: "2026-11-10T09:40:00Z")
        try assertOnlyFinding(.keyAbsenceNotConfirmed, at: retired)

        let finding = try XCTUnwrap(scenario.findings().first)
        XCTAssertTrue(finding.explanation.contains("after the deadline 2026-11-11T09:10:00.000Z"), finding.explanation)
        XCTAssertFalse(finding.explanation.contains("StepDeadline"), finding.explanation)
    }

    func testKeyRolledBackBeforeDeadlineIsNoException() throws {
        try openAndApprove()
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        let key = try scenario.generate("CHG-1", at: "2026-10-05T09:10:00Z")
        try scenario.publish(key.keyID, "CHG-1", at: "2026-10-05T09:20:00Z")
        try scenario.checkJWKS(at: "2026-10-05T09:25:00Z", serving: [])
        _ = try scenario.step(at: "2026-10-05T09:30:00Z") { ledger, signingKey in
            try ledger.rollbackChange(id: "CHG-1", context: StepContext(actor: "tina"), signingKey: signingKey)
        }
        try scenario.checkJWKS(at: "2026-10-05T09:40:00Z", serving: [])
        let outcome = try ReportTesting.write(try scenario.forge(), try ReportTesting.options(scenario), format: .json, scenario: scenario)
        XCTAssertEqual(outcome.report.findings.map(\.rule.id), [], "a key rolled back before its deadline, and shown gone, is handled")
    }

    func testVerificationFailureUnresolved() throws {
        try scenario.cleanRotation()
        let failed = try scenario.checkJWKS(at: "2026-10-07T09:00:00Z", serving: [])
        XCTAssertEqual(failed.count, 1, "a check that serves no expected key appends only its summary")
        try assertOnlyFinding(.verificationFailureUnresolved, at: failed[0])
    }

    func testVerificationFailureResolvedLaterIsNoException() throws {
        try scenario.cleanRotation()
        try scenario.checkJWKS(at: "2026-10-07T09:00:00Z", serving: [])
        try scenario.checkJWKS(at: "2026-10-07T09:15:00Z")
        let outcome = try ReportTesting.write(try scenario.forge(), try ReportTesting.options(scenario), format: .json, scenario: scenario)
        XCTAssertEqual(outcome.report.findings.map(\.rule.id), [])
    }

    /// Records a clean rotation, then retires its key under CHG-2 on 10 November with no JWKS check after it.
    ///
    /// - Returns: the sequence number of the `retired` entry.
    private func rotateThenRetire() throws -> Int64 {
        let keyID = try scenario.cleanRotation()
        try scenario.open("CHG-2", at: "2026-11-10T08:00:00Z", window: nil)
        try scenario.approve("CHG-2", at: "2026-11-10T08:30:00Z")
        try scenario.start("CHG-2", at: "2026-11-10T09:00:00Z")
        let retired = try scenario.retire(keyID, "CHG-2", at: "2026-11-10T09:10:00Z")
        try scenario.complete("CHG-2", at: "2026-11-10T09:30:00Z")
        return retired
    }

    func testKeyAbsenceNotConfirmed() throws {
        let retired = try rotateThenRetire()
        try assertOnlyFinding(.keyAbsenceNotConfirmed, at: retired)
    }

    func testKeyMaximumAgeExceeded() throws {
        try scenario.cleanRotation()
        let generated = try XCTUnwrap(scenario.items.firstIndex { $0.kind == .generated }).advanced(by: 1)
        try assertOnlyFinding(.keyMaximumAgeExceeded, at: Int64(generated), maximumKeyAgeDays: 30)
    }

    // MARK: - Change control

    func testApprovedAfterStart() throws {
        try scenario.open("CHG-1", at: "2026-10-05T08:00:00Z", window: ("2026-10-05T08:00:00Z", "2026-10-05T13:00:00Z"))
        try scenario.attest("CHG-1", at: "2026-10-05T08:10:00Z")
        let approval = try scenario.approve("CHG-1", at: "2026-10-05T08:30:00Z")
        // The start, recorded after the approval, claims a time before it.
        try scenario.start("CHG-1", at: "2026-10-05T08:40:00Z", claimed: "2026-10-05T08:20:00Z")
        try rotateAndComplete()
        try assertOnlyFinding(.approvedAfterStart, at: approval)
    }

    func testApprovedByTechnician() throws {
        try scenario.open("CHG-1", at: "2026-10-05T08:00:00Z")
        let approval = try scenario.raw(at: "2026-10-05T08:30:00Z", .changeApproved, actor: "tina", ["change": "CHG-1"])
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        try rotateAndComplete()
        try assertOnlyFinding(.approvedByTechnician, at: approval)
    }

    func testApprovedByNonReviewer() throws {
        try scenario.open("CHG-1", at: "2026-10-05T08:00:00Z")
        let approval = try scenario.raw(at: "2026-10-05T08:30:00Z", .changeApproved, actor: "mallory", ["change": "CHG-1"])
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        try rotateAndComplete()
        try assertOnlyFinding(.approvedByNonReviewer, at: approval)
    }

    func testMissingManagerApproval() throws {
        try scenario.open("CHG-1", at: "2026-10-05T08:00:00Z", criticality: .c2)
        let approval = try scenario.raw(at: "2026-10-05T08:30:00Z", .changeApproved, actor: "rui", ["change": "CHG-1"])
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        try rotateAndComplete()
        try assertOnlyFinding(.missingManagerApproval, at: approval)
    }

    func testManagerApprovalByTechnician() throws {
        try scenario.open("CHG-1", at: "2026-10-05T08:00:00Z", criticality: .c1)
        let approval = try scenario.raw(at: "2026-10-05T08:30:00Z", .changeApproved, actor: "rui",
                                        ["change": "CHG-1", "manager_approval": "tina"])
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        try rotateAndComplete()
        try assertOnlyFinding(.managerApprovalByTechnician, at: approval)
    }

    func testStartedWithoutApproval() throws {
        try scenario.open("CHG-1", at: "2026-10-05T08:00:00Z")
        try scenario.attest("CHG-1", at: "2026-10-05T08:10:00Z")
        let started = try scenario.raw(at: "2026-10-05T09:05:00Z", .changeStarted, actor: "tina", ["change": "CHG-1"])
        try rotateAndComplete()
        try assertOnlyFinding(.startedWithoutApproval, at: started)
    }

    func testStartedWithFailedAttestation() throws {
        try scenario.open("CHG-1", at: "2026-10-05T08:00:00Z")
        try scenario.attest("CHG-1", at: "2026-10-05T08:05:00Z", item: .testedInStaging)
        let failed = try scenario.attest("CHG-1", at: "2026-10-05T08:10:00Z", item: .dryRun, passed: false, evidence: "dry run 7 timed out")
        try scenario.approve("CHG-1", at: "2026-10-05T08:30:00Z")
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        try rotateAndComplete()
        try assertOnlyFinding(.startedWithFailedAttestation, at: failed)
    }

    func testFailedAttestationRepeatedAsPassIsNoException() throws {
        try scenario.open("CHG-1", at: "2026-10-05T08:00:00Z")
        try scenario.attest("CHG-1", at: "2026-10-05T08:05:00Z", item: .dryRun, passed: false)
        try scenario.attest("CHG-1", at: "2026-10-05T08:10:00Z", item: .dryRun, passed: true)
        try scenario.approve("CHG-1", at: "2026-10-05T08:30:00Z")
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        try rotateAndComplete()
        let outcome = try ReportTesting.write(try scenario.forge(), try ReportTesting.options(scenario), format: .json, scenario: scenario)
        XCTAssertEqual(outcome.report.findings.map(\.rule.id), [])
    }

    func testChangeInvalidTransition() throws {
        try scenario.cleanRotation()
        let completedAgain = try scenario.raw(at: "2026-10-05T11:00:00Z", .changeCompleted, actor: "tina", ["change": "CHG-1"])
        try assertOnlyFinding(.changeInvalidTransition, at: completedAgain)
    }

    func testStepOutsideWindow() throws {
        try openAndApprove()
        let started = try scenario.start("CHG-1", at: "2026-10-05T08:45:00Z")
        try rotateAndComplete()
        try assertOnlyFinding(.stepOutsideWindow, at: started)
    }

    func testCompletedAfterWindow() throws {
        try openAndApprove()
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        let key = try scenario.generate("CHG-1", at: "2026-10-05T09:10:00Z")
        try scenario.publish(key.keyID, "CHG-1", at: "2026-10-05T09:20:00Z")
        try scenario.checkJWKS(at: "2026-10-05T09:30:00Z", change: "CHG-1")
        let completed = try scenario.complete("CHG-1", at: "2026-10-05T13:30:00Z")
        try assertOnlyFinding(.stepOutsideWindow, at: completed)
    }

    func testStepRecordedAfterWindowWithClaimedTimeInside() throws {
        try openAndApprove()
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        let key = try scenario.generate("CHG-1", at: "2026-10-05T09:10:00Z")
        try scenario.publish(key.keyID, "CHG-1", at: "2026-10-05T09:20:00Z")
        try scenario.checkJWKS(at: "2026-10-05T09:30:00Z", change: "CHG-1")
        let completed = try scenario.complete("CHG-1", at: "2026-10-05T13:30:00Z", claimed: "2026-10-05T10:00:00Z")
        try assertOnlyFinding(.stepOutsideWindow, at: completed)

        let finding = try XCTUnwrap(scenario.findings().first)
        XCTAssertTrue(finding.explanation.contains("recorded at 2026-10-05T13:30:00.000Z"), finding.explanation)
        XCTAssertTrue(finding.explanation.contains("claims 2026-10-05T10:00:00.000Z"), finding.explanation)
    }

    func testKeyStepRecordedBeforeWindow() throws {
        try scenario.open("CHG-1", at: "2026-10-05T08:00:00Z")
        try scenario.attest("CHG-1", at: "2026-10-05T08:10:00Z")
        try scenario.approve("CHG-1", at: "2026-10-05T08:20:00Z")
        // Both steps claim times inside the window, 4 minutes after their recorded times: within the allowed clock skew.
        let started = try scenario.start("CHG-1", at: "2026-10-05T08:57:00Z", claimed: "2026-10-05T09:01:00Z")
        let key = try scenario.generate("CHG-1", at: "2026-10-05T08:58:00Z", claimed: "2026-10-05T09:02:00Z")
        try scenario.publish(key.keyID, "CHG-1", at: "2026-10-05T09:20:00Z")
        try scenario.checkJWKS(at: "2026-10-05T09:30:00Z", change: "CHG-1")
        try scenario.complete("CHG-1", at: "2026-10-05T10:00:00Z")

        let findings = try scenario.findings()
        XCTAssertEqual(findings.map(\.rule.id), [ExceptionRule.stepOutsideWindow.id, ExceptionRule.stepOutsideWindow.id],
                       findings.map(\.explanation).joined(separator: "\n"))
        XCTAssertEqual(findings.map(\.entry.sequence), [started, key.sequence])
    }

    func testLateRecordedStepsInWindow() throws {
        // Steps recorded after the window, each claiming a time inside it, as `--at` allowed before.
        try openAndApprove()
        let started = try scenario.start("CHG-1", at: "2026-10-05T14:00:00Z", claimed: "2026-10-05T09:05:00Z")
        let key = try scenario.generate("CHG-1", at: "2026-10-05T14:01:00Z", claimed: "2026-10-05T09:10:00Z")
        let findings = try scenario.findings().filter { $0.rule == .stepOutsideWindow }
        XCTAssertEqual(findings.map(\.entry.sequence), [started, key.sequence])
        XCTAssertEqual(findings.map(\.change), ["CHG-1", "CHG-1"])
    }

    func testStepClaimedBeforeOpening() throws {
        try scenario.open("CHG-1", at: "2026-10-05T08:00:00Z")
        try scenario.attest("CHG-1", at: "2026-10-05T08:10:00Z")
        let approval = try scenario.approve("CHG-1", at: "2026-10-05T08:30:00Z", claimed: "2026-10-05T07:30:00Z")
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        try rotateAndComplete()
        try assertOnlyFinding(.stepClaimedBeforeOpening, at: approval)

        let finding = try XCTUnwrap(scenario.findings().first)
        XCTAssertEqual(finding.change, "CHG-1")
        XCTAssertTrue(finding.explanation.contains("claims 2026-10-05T07:30:00.000Z"), finding.explanation)
        XCTAssertTrue(finding.explanation.contains("recorded at 2026-10-05T08:30:00.000Z"), finding.explanation)
        XCTAssertTrue(finding.explanation.contains("opened at 2026-10-05T08:00:00.000Z"), finding.explanation)
    }

    func testKeyStepClaimedBeforeOpeningOfClaimedChange() throws {
        // A past change imported with claimed times: the opening claims 07:00, and a key step claims 06:00.
        try scenario.open("CHG-1", at: "2026-10-05T08:00:00Z", window: ("2026-10-05T05:00:00Z", "2026-10-05T13:00:00Z"))
        try scenario.claim("2026-10-05T07:00:00Z", at: scenario.nextSequence - 1)
        try scenario.attest("CHG-1", at: "2026-10-05T08:10:00Z")
        try scenario.approve("CHG-1", at: "2026-10-05T08:30:00Z", claimed: "2026-10-05T07:10:00Z")
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z", claimed: "2026-10-05T07:20:00Z")
        let key = try scenario.generate("CHG-1", at: "2026-10-05T09:10:00Z", claimed: "2026-10-05T06:00:00Z")
        try scenario.publish(key.keyID, "CHG-1", at: "2026-10-05T09:20:00Z")
        try scenario.checkJWKS(at: "2026-10-05T09:30:00Z", change: "CHG-1")
        try scenario.complete("CHG-1", at: "2026-10-05T10:00:00Z")
        try assertOnlyFinding(.stepClaimedBeforeOpening, at: key.sequence)
    }

    func testClaimedTimesOfImportedChangeAreNoException() throws {
        try scenario.open("CHG-1", at: "2026-10-05T08:00:00Z", window: ("2026-10-05T05:00:00Z", "2026-10-05T13:00:00Z"))
        try scenario.claim("2026-10-05T06:00:00Z", at: scenario.nextSequence - 1)
        try scenario.approve("CHG-1", at: "2026-10-05T08:30:00Z", claimed: "2026-10-05T06:10:00Z")
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z", claimed: "2026-10-05T06:20:00Z")
        try rotateAndComplete()
        XCTAssertEqual(try scenario.findings().map(\.explanation), [])
    }

    func testClaimedTimeLaterThanRecorded() throws {
        try openAndApprove()
        let started = try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z", claimed: "2026-10-05T09:11:00Z")
        try rotateAndComplete()
        try assertOnlyFinding(.claimedTimeInvalid, at: started)
        let finding = try XCTUnwrap(scenario.findings().first)
        XCTAssertTrue(finding.explanation.contains("2026-10-05T09:11:00.000Z"), finding.explanation)
        XCTAssertTrue(finding.explanation.contains("2026-10-05T09:05:00.000Z"), finding.explanation)
    }

    func testClaimedTimeWithinClockSkewIsNoException() throws {
        try openAndApprove()
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z", claimed: "2026-10-05T09:10:00Z")
        try rotateAndComplete()
        XCTAssertEqual(try scenario.findings().map(\.explanation), [])
    }

    func testClaimedTimeBeforeGenesis() throws {
        try scenario.cleanRotation()
        let note = try scenario.raw(at: "2026-10-06T08:00:00Z", .note, actor: "ops", ["text": "in service since 1970"])
        try scenario.claim("1970-01-01T00:00:00Z", at: note)
        try assertOnlyFinding(.claimedBeforeLedger, at: note)
        let finding = try XCTUnwrap(scenario.findings().first)
        XCTAssertTrue(finding.explanation.contains("claims 1970-01-01T00:00:00.000Z"), finding.explanation)
        XCTAssertTrue(finding.explanation.contains("recorded at 2026-10-06T08:00:00.000Z"), finding.explanation)
    }

    func testClaimedTimeThatIsNoTime() throws {
        try scenario.cleanRotation()
        let note = try scenario.raw(at: "2026-10-06T08:00:00Z", .note, actor: "ops", ["text": "undated"])
        try scenario.setBody("occurred_at", to: "last Tuesday", at: note)
        try assertOnlyFinding(.claimedTimeInvalid, at: note)
    }

    // MARK: - Keys in two roles

    func testManagedKeyBecomesLedgerSigningKey() throws {
        try scenario.cleanRotation()
        let newSigner = try SigningKey.generate(.es256)
        try scenario.open("CHG-2", at: "2026-10-06T08:00:00Z", window: nil)
        try scenario.approve("CHG-2", at: "2026-10-06T08:30:00Z")
        try scenario.start("CHG-2", at: "2026-10-06T09:00:00Z")
        let imported = try scenario.raw(at: "2026-10-06T09:10:00Z", .imported, actor: "tina", [
            "kid": .string(newSigner.keyID), "env": "staging", "name": "idp_signing_key",
            "jwk": newSigner.publicJWK.jsonValue, "change": "CHG-2", "source": "kms",
        ])
        try scenario.complete("CHG-2", at: "2026-10-06T09:30:00Z")
        let handover = try scenario.handOver(at: "2026-10-07T08:00:00Z", to: newSigner, previousKeyID: scenario.signingKey.keyID)
        try assertOnlyFinding(.keyReusedAsLedgerKey, at: handover)

        let finding = try XCTUnwrap(scenario.findings().first)
        XCTAssertTrue(finding.explanation.contains("entry \(imported)"), finding.explanation)
        XCTAssertTrue(finding.explanation.contains("entry \(handover)"), finding.explanation)
        XCTAssertTrue(finding.explanation.contains(newSigner.keyID), finding.explanation)
    }

    func testLedgerSigningKeyRecordedAsManagedKey() throws {
        try openAndApprove()
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        let generated = try scenario.raw(at: "2026-10-05T09:10:00Z", .generated, actor: "tina", [
            "kid": .string(scenario.signingKey.keyID), "env": "production", "name": "api_jwt_signing_key", "alg": "ES256",
            "jwk": scenario.signingKey.publicJWK.jsonValue, "change": "CHG-1",
        ])
        try scenario.complete("CHG-1", at: "2026-10-05T10:00:00Z")
        try assertOnlyFinding(.keyReusedAsLedgerKey, at: generated)

        let finding = try XCTUnwrap(scenario.findings().first)
        XCTAssertEqual(finding.keyID, scenario.signingKey.keyID)
        XCTAssertEqual(finding.environment, "production")
        XCTAssertTrue(finding.explanation.contains("ledger signing key since entry 1"), finding.explanation)
    }

    func testCheckpointKeyRecordedAsManagedKey() throws {
        let checkpointKey = try PrivateKey.generate(.ed25519)
        try scenario.addCheckpointKey(checkpointKey, origin: "example.com/keyledger/test")
        var jwk = try JWK(publicKey: checkpointKey.publicKey())
        let keyID = try jwk.thumbprint()
        jwk.keyID = keyID
        try openAndApprove()
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        let imported = try scenario.raw(at: "2026-10-05T09:10:00Z", .imported, actor: "tina", [
            "kid": .string(keyID), "env": "production", "name": "api_jwt_signing_key",
            "jwk": jwk.jsonValue, "change": "CHG-1", "source": "hsm",
        ])
        try scenario.complete("CHG-1", at: "2026-10-05T10:00:00Z")
        try assertOnlyFinding(.keyReusedAsLedgerKey, at: imported)
        let finding = try XCTUnwrap(scenario.findings().first)
        XCTAssertTrue(finding.explanation.contains("ledger checkpoint key since entry 1"), finding.explanation)
    }

    // MARK: - Every format

    func testClaimedTimeRulesInEveryFormat() throws {
        try scenario.open("CHG-1", at: "2026-10-05T08:00:00Z")
        try scenario.attest("CHG-1", at: "2026-10-05T08:10:00Z")
        let approval = try scenario.approve("CHG-1", at: "2026-10-05T08:30:00Z", claimed: "2026-10-05T07:30:00Z")
        let started = try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z", claimed: "2026-10-05T09:20:00Z")
        let generated = try scenario.raw(at: "2026-10-05T09:10:00Z", .generated, actor: "tina", [
            "kid": .string(scenario.signingKey.keyID), "env": "production", "name": "api_jwt_signing_key", "alg": "ES256",
            "jwk": scenario.signingKey.publicJWK.jsonValue, "change": "CHG-1",
        ])
        let completed = try scenario.complete("CHG-1", at: "2026-10-05T14:00:00Z", claimed: "2026-10-05T12:00:00Z")
        let expected: [(rule: ExceptionRule, sequence: Int64)] = [
            (.keyReusedAsLedgerKey, generated), (.stepClaimedBeforeOpening, approval),
            (.claimedTimeInvalid, started), (.stepOutsideWindow, completed),
        ]

        let forged = try scenario.forge()
        let options = try ReportTesting.options(scenario)
        for format in ReportFormat.allCases {
            let (outcome, _) = try ReportTesting.assertDeterministic(forged, options, format: format, scenario: scenario)
            XCTAssertEqual(outcome.report.findings.map(\.rule.id), expected.map(\.rule.id), format.rawValue)
            XCTAssertEqual(outcome.report.findings.map(\.entry.sequence), expected.map(\.sequence), format.rawValue)
            let text = try outcome.files.map(ReportTesting.text).joined(separator: "\n")
            for (rule, sequence) in expected {
                XCTAssertTrue(text.contains(rule.id), "\(format.rawValue) lacks \(rule.id)")
                XCTAssertTrue(text.contains(forged.hash(of: sequence)), "\(format.rawValue) lacks the hash of entry \(sequence)")
            }
            XCTAssertTrue(text.contains("2026-10-05T14:00:00.000Z"), "\(format.rawValue) lacks the recorded time of the completion")
            XCTAssertTrue(text.contains("2026-10-05T12:00:00.000Z"), "\(format.rawValue) lacks the claimed time of the completion")
        }
    }

    func testChangeOpenAtPeriodEnd() throws {
        try scenario.cleanRotation(complete: false)
        let started = Int64(try XCTUnwrap(scenario.items.firstIndex { $0.kind == .changeStarted }) + 1)
        try assertOnlyFinding(.openAtPeriodEnd, at: started)
    }

    // MARK: - Clean ledgers

    func testCleanLedgerHasNoExceptions() throws {
        let oldKey = try scenario.cleanRotation()
        try scenario.handOver(at: "2026-10-20T08:00:00Z", to: try SigningKey.generate(.es256), previousKeyID: scenario.signingKey.keyID)

        // A second rotation that retires the first key and shows it gone.
        try scenario.open("CHG-2", at: "2026-11-10T08:00:00Z", criticality: .c2, window: ("2026-11-10T09:00:00Z", "2026-11-10T12:00:00Z"))
        try scenario.attest("CHG-2", at: "2026-11-10T08:05:00Z", item: .rollbackPlanReviewed)
        try scenario.approve("CHG-2", at: "2026-11-10T08:30:00Z", manager: "maria")
        try scenario.start("CHG-2", at: "2026-11-10T09:00:00Z")
        let newKey = try scenario.generate("CHG-2", at: "2026-11-10T09:05:00Z")
        try scenario.publish(newKey.keyID, "CHG-2", at: "2026-11-10T09:10:00Z")
        try scenario.checkJWKS(at: "2026-11-10T09:15:00Z", change: "CHG-2")
        try scenario.retire(oldKey, "CHG-2", at: "2026-11-10T10:00:00Z")
        try scenario.checkJWKS(at: "2026-11-10T10:05:00Z", change: "CHG-2")
        try scenario.complete("CHG-2", at: "2026-11-10T10:30:00Z")

        let forged = try scenario.forge()
        let outcome = try ReportTesting.write(forged, try ReportTesting.options(scenario), format: .json, scenario: scenario)
        XCTAssertTrue(outcome.isValid)
        XCTAssertEqual(outcome.report.findings.map(\.explanation), [])
        XCTAssertEqual(outcome.report.changes.map(\.id), ["CHG-1", "CHG-2"])
        XCTAssertEqual(outcome.report.changes.map(\.outcome), ["complete", "complete"])
        XCTAssertEqual(outcome.report.keys.map(\.keyID), [oldKey, newKey.keyID])
        XCTAssertEqual(outcome.report.keys.map(\.stateAtEnd), [.retired, .verified])
        XCTAssertNotNil(outcome.report.keys.first?.absenceConfirmed, "the check after the retirement shows the old key gone")
        XCTAssertEqual(outcome.report.integrity.handovers.map(\.isConsistent), [true])
        XCTAssertTrue(outcome.report.integrity.trustAnchorChecked)
    }

    func testRollbackShowsTheCheckThatProvedKeysGone() throws {
        try openAndApprove()
        try scenario.start("CHG-1", at: "2026-10-05T09:05:00Z")
        let key = try scenario.generate("CHG-1", at: "2026-10-05T09:10:00Z")
        try scenario.publish(key.keyID, "CHG-1", at: "2026-10-05T09:20:00Z")
        try scenario.checkJWKS(at: "2026-10-05T09:30:00Z", change: "CHG-1")
        try scenario.step(at: "2026-10-05T09:40:00Z") { ledger, signingKey in
            try ledger.rollbackChange(id: "CHG-1", reason: "clients rejected the new key", context: StepContext(actor: "tina"),
                                      signingKey: signingKey)
        }
        let proof = try scenario.checkJWKS(at: "2026-10-05T09:50:00Z", change: "CHG-1")

        let forged = try scenario.forge()
        let outcome = try ReportTesting.write(forged, try ReportTesting.options(scenario), format: .json, scenario: scenario)
        XCTAssertEqual(outcome.report.findings.map(\.rule.id), [])
        let change = try XCTUnwrap(outcome.report.changes.first)
        XCTAssertEqual(change.outcome, "rolled_back")
        XCTAssertEqual(change.reason, "clients rejected the new key")
        XCTAssertEqual(change.rolledBackKeys.map(\.keyID), [key.keyID])
        XCTAssertEqual(change.rolledBackKeys.first?.absenceConfirmed?.sequence, proof.last)
        XCTAssertEqual(change.rolledBackKeys.first?.absenceConfirmed?.entry.hashHex, proof.last.map(forged.hash))
    }

    // MARK: - Rollbacks that restore retired keys

    /// Records a second rotation, CHG-2, that retires `oldKey`, then rolls CHG-2 back at 10:10.
    ///
    /// - Returns: the new key and the sequence numbers of the rollback's entries.
    /// `beforeRollback` runs just before the rollback, at 10:07.
    private func rotateThenRollBack(retiring oldKey: String,
                                    beforeRollback: () throws -> Void = {}) throws -> (newKey: String, rollback: [Int64]) {
        try scenario.open("CHG-2", at: "2026-11-10T08:00:00Z", window: ("2026-11-10T09:00:00Z", "2026-11-10T12:00:00Z"))
        try scenario.attest("CHG-2", at: "2026-11-10T08:05:00Z")
        try scenario.approve("CHG-2", at: "2026-11-10T08:30:00Z")
        try scenario.start("CHG-2", at: "2026-11-10T09:00:00Z")
        let newKey = try scenario.generate("CHG-2", at: "2026-11-10T09:05:00Z")
        try scenario.publish(newKey.keyID, "CHG-2", at: "2026-11-10T09:10:00Z")
        try scenario.checkJWKS(at: "2026-11-10T09:15:00Z", change: "CHG-2")
        try scenario.retire(oldKey, "CHG-2", at: "2026-11-10T10:00:00Z")
        try scenario.checkJWKS(at: "2026-11-10T10:05:00Z", change: "CHG-2")
        try beforeRollback()
        let rollback = try scenario.step(at: "2026-11-10T10:10:00Z") { ledger, signingKey in
            try ledger.rollbackChange(id: "CHG-2", reason: "clients rejected the new key", context: StepContext(actor: "tina"),
                                      signingKey: signingKey)
        }
        return (newKey.keyID, rollback)
    }

    func testRollbackRestoresRetiredKeyInReport() throws {
        let oldKey = try scenario.cleanRotation()
        let (newKey, rollback) = try rotateThenRollBack(retiring: oldKey)
        let proof = try scenario.checkJWKS(at: "2026-11-10T10:20:00Z", change: "CHG-2")

        let forged = try scenario.forge()
        let outcome = try ReportTesting.write(forged, try ReportTesting.options(scenario), format: .json, scenario: scenario)
        XCTAssertTrue(outcome.isValid)
        XCTAssertEqual(outcome.report.findings.map(\.explanation), [])
        let change = try XCTUnwrap(outcome.report.changes.first { $0.id == "CHG-2" })
        XCTAssertEqual(change.outcome, "rolled_back")
        XCTAssertEqual(change.rolledBackKeys.map(\.keyID), [newKey])
        XCTAssertEqual(change.restoredKeys.map(\.keyID), [oldKey])
        XCTAssertEqual(change.restoredKeys.map(\.state), ["verified"])
        XCTAssertEqual(change.restoredKeys.first?.servedAgain?.sequence, proof.first, "the verified entry of the later check")
        let old = try XCTUnwrap(outcome.report.keys.first { $0.keyID == oldKey })
        XCTAssertEqual(old.stateAtEnd, .verified)
        XCTAssertNil(old.ended, "a restored key is no longer ended")
        XCTAssertEqual(rollback.count, 3, "rolled_back, restored, change_rolled_back")
    }

    func testRestoredKeyNotVerifiedInTime() throws {
        let oldKey = try scenario.cleanRotation()
        let (newKey, rollback) = try rotateThenRollBack(retiring: oldKey)
        // A check two days later shows both keys right, but too late for the restored key.
        try scenario.checkJWKS(at: "2026-11-12T12:00:00Z", change: "CHG-2")

        let outcome = try ReportTesting.write(try scenario.forge(), try ReportTesting.options(scenario), format: .json, scenario: scenario)
        let late = outcome.report.findings.filter { $0.rule.id == ExceptionRule.keyNotVerifiedInTime.id }
        XCTAssertEqual(late.map(\.keyID), [oldKey], late.map(\.explanation).joined(separator: "\n"))
        XCTAssertEqual(late.first?.entry.sequence, rollback[1], "the finding points at the restored entry")
        let absent = outcome.report.findings.filter { $0.rule.id == ExceptionRule.keyAbsenceNotConfirmed.id }
        XCTAssertEqual(absent.map(\.keyID), [newKey], "only the rolled-back key had to be shown absent")
    }

    func testRestoredEntryForUnretiredKeyIsLifecycleViolation() throws {
        let key = try scenario.cleanRotation()
        let restored = try scenario.raw(at: "2026-10-05T12:00:00Z", .restored, actor: "tina", [
            "kid": .string(key), "env": .string("production"), "change": .string("CHG-1"), "state": .string("verified"),
        ])
        try scenario.checkJWKS(at: "2026-10-05T12:05:00Z")
        try assertOnlyFinding(.keyLifecycleViolation, at: restored)
    }

    func testRestoredKeyOfRolledBackChangeIsLifecycleViolation() throws {
        let oldKey = try scenario.cleanRotation()
        // Other tooling rolled back CHG-1, which introduced the old key, while CHG-2 kept it retired.
        let (_, rollback) = try rotateThenRollBack(retiring: oldKey) {
            _ = try scenario.raw(at: "2026-11-10T10:07:00Z", .changeRolledBack, actor: "tina", [
                "change": .string("CHG-1"), "keys": .array([]),
            ])
        }
        try scenario.checkJWKS(at: "2026-11-10T10:20:00Z", change: "CHG-2")
        try assertOnlyFinding(.keyLifecycleViolation, at: rollback[1])
    }
}
