import Foundation
import JOSE
import KeyLedger
import XCTest

final class ChangeControlTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var signingKey: SigningKey!
    private var ledger: Ledger!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        signingKey = try SigningKey.generate(.edDSA)
        ledger = try Ledger.create(at: directory.path("ledger.db"), signingKey: signingKey, actor: "init")
    }

    private func open(_ id: String = "CHG-1", criticality: Criticality = .c3) throws {
        try ledger.openChange(ChangeRequest(id: id, summary: "Rotate keys", technician: "tom", reviewer: "rita",
                                            criticality: criticality),
                              context: StepContext(actor: "tom"), signingKey: signingKey)
    }

    private func entryCount() throws -> Int64 { try ledger.head()?.sequence ?? 0 }

    /// Runs `step`, expects a `.notAllowed` (or `code`) rejection and checks that nothing was appended.
    private func assertRejected(_ code: LedgerError.Code = .notAllowed, _ message: String? = nil,
                                file: StaticString = #filePath, line: UInt = #line, _ step: () throws -> Any) throws {
        let before = try entryCount()
        XCTAssertThrowsError(try step(), file: file, line: line) { error in
            XCTAssertEqual((error as? LedgerError)?.code, code, "\(error)", file: file, line: line)
            if let message {
                XCTAssertTrue("\(error)".contains(message), "\(error)", file: file, line: line)
            }
        }
        XCTAssertEqual(try entryCount(), before, "a rejected step appended an entry", file: file, line: line)
    }

    func testFullChangeFlow() throws {
        try open(criticality: .c2)
        try ledger.attestChange(id: "CHG-1", item: .testedInStaging, evidence: "staging run 42",
                                context: StepContext(actor: "tom"), signingKey: signingKey)
        try ledger.approveChange(id: "CHG-1", managerApproval: "max", context: StepContext(actor: "rita"), signingKey: signingKey)
        try ledger.startChange(id: "CHG-1", context: StepContext(actor: "tom"), signingKey: signingKey)
        try ledger.completeChange(id: "CHG-1", context: StepContext(actor: "tom"), signingKey: signingKey)

        let change = try XCTUnwrap(ledger.change(id: "CHG-1"))
        XCTAssertEqual(change.state, .complete)
        XCTAssertEqual(change.approvedBy, "rita")
        XCTAssertEqual(change.managerApproval, "max")
        XCTAssertEqual(change.attestations.map(\.item), ["tested_in_staging"])
        XCTAssertEqual(change.attestations.first?.evidence, "staging run 42")
        XCTAssertEqual(change.steps.map(\.kind), [.changeOpened, .changeAttested, .changeApproved, .changeStarted, .changeCompleted])
        XCTAssertEqual(try ledger.changes().map(\.id), ["CHG-1"])
    }

    func testOpenRejectsSamePersonAsTechnicianAndReviewer() throws {
        try assertRejected(.notAllowed, "segregation of duties") {
            try ledger.openChange(ChangeRequest(id: "CHG-2", summary: "x", technician: "tom", reviewer: "tom"),
                                  context: StepContext(actor: "tom"), signingKey: signingKey)
        }
    }

    func testOpenRejectsDuplicateID() throws {
        try open()
        try assertRejected(.notAllowed, "already exists") { try open() }
    }

    func testOpenRejectsInvalidInput() throws {
        let cases: [(String, ChangeRequest)] = [
            ("bad id", ChangeRequest(id: "CHG 1", summary: "x", technician: "a", reviewer: "b")),
            ("empty summary", ChangeRequest(id: "CHG-3", summary: " ", technician: "a", reviewer: "b")),
            ("window reversed", ChangeRequest(id: "CHG-3", summary: "x", technician: "a", reviewer: "b",
                                              windowStart: Timestamp(rfc3339: "2026-10-02T00:00:00Z"),
                                              windowEnd: Timestamp(rfc3339: "2026-10-01T00:00:00Z"))),
            ("window half given", ChangeRequest(id: "CHG-3", summary: "x", technician: "a", reviewer: "b",
                                                windowStart: Timestamp(rfc3339: "2026-10-02T00:00:00Z"))),
        ]
        for (name, request) in cases {
            let before = try entryCount()
            XCTAssertThrowsError(try ledger.openChange(request, context: StepContext(actor: "a"), signingKey: signingKey), name) { error in
                XCTAssertEqual((error as? LedgerError)?.code, .invalidInput, "\(name): \(error)")
            }
            XCTAssertEqual(try entryCount(), before, name)
        }
    }

    func testApprovalByTechnicianIsRejected() throws {
        try open()
        try assertRejected(.notAllowed, "technician") {
            try ledger.approveChange(id: "CHG-1", context: StepContext(actor: "tom"), signingKey: signingKey)
        }
    }

    func testWhiteSpaceCannotDisguiseSamePerson() throws {
        try assertRejected(.invalidActor, "white space") {
            try ledger.openChange(ChangeRequest(id: "CHG-2", summary: "x", technician: "tom", reviewer: " tom"),
                                  context: StepContext(actor: "tom"), signingKey: signingKey)
        }
        try open()
        try assertRejected(.invalidActor, "white space") {
            try ledger.approveChange(id: "CHG-1", context: StepContext(actor: "rita "), signingKey: signingKey)
        }
    }

    func testInvisibleReviewerSuffixIsRejected() throws {
        try assertRejected(.invalidActor, "invisible") {
            try ledger.openChange(ChangeRequest(id: "CHG-1", summary: "x", technician: "tom", reviewer: "tom\u{FE0F}"),
                                  context: StepContext(actor: "tom"), signingKey: signingKey)
        }
    }

    func testManagerApprovalByReviewerIsRejected() throws {
        try open(criticality: .c1)
        try assertRejected(.notAllowed, "reviewer") {
            try ledger.approveChange(id: "CHG-1", managerApproval: "rita", context: StepContext(actor: "rita"), signingKey: signingKey)
        }
    }

    func testApprovalByOtherThanReviewerIsRejected() throws {
        try open()
        try assertRejected(.notAllowed, "only \"rita\"") {
            try ledger.approveChange(id: "CHG-1", context: StepContext(actor: "mallory"), signingKey: signingKey)
        }
    }

    func testHighCriticalityNeedsManagerApproval() throws {
        for criticality in [Criticality.c1, .c2] {
            let id = "CHG-\(criticality.rawValue)"
            try open(id, criticality: criticality)
            try assertRejected(.notAllowed, "manager") {
                try ledger.approveChange(id: id, context: StepContext(actor: "rita"), signingKey: signingKey)
            }
            try assertRejected(.notAllowed, "technician") {
                try ledger.approveChange(id: id, managerApproval: "tom", context: StepContext(actor: "rita"), signingKey: signingKey)
            }
            XCTAssertNoThrow(try ledger.approveChange(id: id, managerApproval: "max", context: StepContext(actor: "rita"), signingKey: signingKey))
        }
    }

    func testOptionalManagerApprovalIsChecked() throws {
        for criticality in [Criticality.c3, .c4] {
            let id = "CHG-\(criticality.rawValue)"
            try open(id, criticality: criticality)
            try assertRejected(.notAllowed, "technician") {
                try ledger.approveChange(id: id, managerApproval: "tom", context: StepContext(actor: "rita"), signingKey: signingKey)
            }
            try assertRejected(.notAllowed, "reviewer") {
                try ledger.approveChange(id: id, managerApproval: "rita", context: StepContext(actor: "rita"), signingKey: signingKey)
            }
            XCTAssertNoThrow(try ledger.approveChange(id: id, managerApproval: "max", context: StepContext(actor: "rita"), signingKey: signingKey))
        }
    }

    func testLowCriticalityNeedsNoManager() throws {
        try open(criticality: .c4)
        XCTAssertNoThrow(try ledger.approveChange(id: "CHG-1", context: StepContext(actor: "rita"), signingKey: signingKey))
    }

    func testStartNeedsApproval() throws {
        try open()
        try assertRejected(.notAllowed, "approve") {
            try ledger.startChange(id: "CHG-1", context: StepContext(actor: "tom"), signingKey: signingKey)
        }
        let entry = try ledger.startChange(id: "CHG-1", context: StepContext(actor: "tom", emergency: "outage"), signingKey: signingKey)
        XCTAssertEqual(entry.body["emergency"]?.stringValue, "outage")
        XCTAssertEqual(try ledger.change(id: "CHG-1")?.state, .inProgress)
    }

    func testStateMachineRejectsOutOfOrderSteps() throws {
        try open()
        try assertRejected { try ledger.completeChange(id: "CHG-1", context: StepContext(actor: "tom"), signingKey: signingKey) }
        try ledger.approveChange(id: "CHG-1", context: StepContext(actor: "rita"), signingKey: signingKey)
        try assertRejected { try ledger.approveChange(id: "CHG-1", context: StepContext(actor: "rita"), signingKey: signingKey) }
        try ledger.abortChange(id: "CHG-1", reason: "postponed", context: StepContext(actor: "tom"), signingKey: signingKey)
        try assertRejected { try ledger.startChange(id: "CHG-1", context: StepContext(actor: "tom"), signingKey: signingKey) }
        try assertRejected {
            try ledger.attestChange(id: "CHG-1", item: .dryRun, context: StepContext(actor: "tom"), signingKey: signingKey)
        }
        XCTAssertEqual(try ledger.change(id: "CHG-1")?.state, .aborted)
    }

    func testStepOnMissingChangeIsNotFound() throws {
        try assertRejected(.notFound) {
            try ledger.startChange(id: "CHG-404", context: StepContext(actor: "tom"), signingKey: signingKey)
        }
    }

    func testClaimedTimeIsRecordedBesideRecordedTime() throws {
        // A time after the genesis entry, as a claimed time must be.
        let genesis = try XCTUnwrap(ledger.entry(sequence: 1)).recordedAt
        let past = Timestamp(millisecondsSinceEpoch: genesis.millisecondsSinceEpoch + 1)
        Thread.sleep(forTimeInterval: 0.01)
        let entry = try ledger.openChange(ChangeRequest(id: "CHG-0990", summary: "Earlier rotation", technician: "tom", reviewer: "rita"),
                                          context: StepContext(actor: "tom", claimedTime: past), signingKey: signingKey)
        XCTAssertEqual(entry.body["occurred_at"]?.stringValue, past.description)
        XCTAssertGreaterThan(entry.recordedAt, past)
        XCTAssertEqual(entry.effectiveTime, past)
        XCTAssertEqual(try ledger.change(id: "CHG-0990")?.opened?.time, past)
    }
}
