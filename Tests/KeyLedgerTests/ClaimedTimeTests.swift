import Foundation
import JOSE
import KeyLedger
import XCTest

/// A claimed time (`StepContext.claimedTime`, `--at`) that cannot be true is
/// rejected when the step is appended, and nothing is appended. A claimed
/// time before the ledger began is accepted.
final class ClaimedTimeTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var signingKey: SigningKey!
    private var ledger: Ledger!
    private var genesis: Timestamp!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        signingKey = try SigningKey.generate(.edDSA)
        ledger = try Ledger.create(at: directory.path("ledger.db"), signingKey: signingKey, actor: "init")
        genesis = try XCTUnwrap(ledger.entry(sequence: 1)).recordedAt
    }

    private func time(_ millisecondsFromNow: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: Timestamp.now().millisecondsSinceEpoch + millisecondsFromNow)
    }

    private func open(_ id: String = "CHG-1", claimed: Timestamp? = nil) throws -> Entry {
        try ledger.openChange(ChangeRequest(id: id, summary: "Rotate keys", technician: "tom", reviewer: "rita"),
                              context: StepContext(actor: "tom", claimedTime: claimed), signingKey: signingKey)
    }

    /// Runs `step`, expects an `invalidInput` rejection whose message contains `fragment`, and checks that nothing was appended.
    private func assertRejected(_ fragment: String, file: StaticString = #filePath, line: UInt = #line,
                                _ step: () throws -> Any) throws {
        let before = try ledger.head()?.sequence
        XCTAssertThrowsError(try step(), file: file, line: line) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .invalidInput, "\(error)", file: file, line: line)
            XCTAssertEqual((error as? LedgerError)?.exitStatus, 2, file: file, line: line)
            XCTAssertTrue("\(error)".contains(fragment), "\(error)", file: file, line: line)
        }
        XCTAssertEqual(try ledger.head()?.sequence, before, "a rejected step appended an entry", file: file, line: line)
    }

    /// A change already in service when the ledger was started keeps its real dates.
    func testClaimedTimeBeforeGenesisIsAccepted() throws {
        let lastYear = Timestamp(millisecondsSinceEpoch: genesis.millisecondsSinceEpoch - 365 * 86_400_000)
        let entry = try open(claimed: lastYear)
        XCTAssertEqual(entry.body["occurred_at"]?.stringValue, lastYear.description)
        XCTAssertEqual(entry.effectiveTime, lastYear)
    }

    func testClaimedTimeBeyondClockSkewIsRejected() throws {
        let late = time(ClaimedTime.maximumClockSkewMilliseconds + 60_000)
        try assertRejected("later than the recorded time") { try open(claimed: late) }
        try assertRejected(late.description) { try open(claimed: late) }
    }

    func testClaimedTimeWithinClockSkewIsAccepted() throws {
        let soon = time(ClaimedTime.maximumClockSkewMilliseconds - 60_000)
        let entry = try open(claimed: soon)
        XCTAssertEqual(entry.effectiveTime, soon)
    }

    func testClaimedTimeAtGenesisIsAccepted() throws {
        let entry = try open(claimed: genesis)
        XCTAssertEqual(entry.body["occurred_at"]?.stringValue, genesis.description)
    }

    func testRejectedGenerationWritesNoKeyFile() throws {
        _ = try open()
        try ledger.approveChange(id: "CHG-1", context: StepContext(actor: "rita"), signingKey: signingKey)
        try ledger.startChange(id: "CHG-1", context: StepContext(actor: "tom"), signingKey: signingKey)
        let path = directory.path("key.pem")
        let request = KeyGenerationRequest(name: "api_signing_key", environment: "production", algorithm: .es256,
                                           outputPath: path, change: "CHG-1")
        for claimed in [time(-3_600_000), time(3_600_000)] {
            try assertRejected("is generated now, so the claimed time \(claimed) (--at) does not apply") {
                try ledger.generateKey(request, context: StepContext(actor: "tom", claimedTime: claimed), signingKey: signingKey)
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "a rejected generation left its key file")
    }

    func testChangeStepsWithImpossibleClaimedTimesAreRejected() throws {
        _ = try open()
        let tomorrow = StepContext(actor: "rita", claimedTime: time(86_400_000))
        try assertRejected("change_approved entry") { try ledger.approveChange(id: "CHG-1", context: tomorrow, signingKey: signingKey) }
        try ledger.approveChange(id: "CHG-1", context: StepContext(actor: "rita"), signingKey: signingKey)
        let future = StepContext(actor: "tom", claimedTime: time(3_600_000))
        try assertRejected("change_started entry") { try ledger.startChange(id: "CHG-1", context: future, signingKey: signingKey) }
    }

    func testNoteWithImpossibleClaimedTimeIsRejected() throws {
        let note = try Event(kind: .note, actor: "ops", body: ["text": "dated later", "occurred_at": "2999-01-01T00:00:00Z"])
        try assertRejected("later than the recorded time") { try ledger.append(note, signingKey: signingKey) }
        let undated = try Event(kind: .note, actor: "ops", body: ["text": "undated", "occurred_at": "last Tuesday"])
        try assertRejected("not an RFC 3339 time") { try ledger.append(undated, signingKey: signingKey) }
        let dateOnly = try Event(kind: .note, actor: "ops", body: ["occurred_at": "2026-12-05"])
        try assertRejected("is a date without a time of day") { try ledger.append(dateOnly, signingKey: signingKey) }
        let numeric = try Event(kind: .note, actor: "ops", body: ["occurred_at": .number(20_261_205)])
        try assertRejected("the claimed time is a number, not a string") { try ledger.append(numeric, signingKey: signingKey) }
    }

    func testBatchWithOneImpossibleClaimedTimeAppendsNothing() throws {
        let good = try Event(kind: .note, actor: "ops", body: ["text": "now"])
        let bad = try Event(kind: .note, actor: "ops", body: ["text": "dated later", "occurred_at": "2999-01-01T00:00:00Z"])
        try assertRejected("note entry 4 (event 3 of the batch)") { try ledger.append([good, good, bad], signingKey: signingKey) }
    }
}
