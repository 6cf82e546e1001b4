import Foundation
import XCTest

/// `keyledger log` filters and output formats.
final class LogFilterTests: CLITestCase {
    private var created: CreatedLedger!
    /// Every entry as `log --json` prints it without filters.
    private var all: [[String: Any]] = []

    override func setUpWithError() throws {
        try super.setUpWithError()
        created = try createLedger()
        // One process per append, so that entries get distinct recorded_at times.
        try append(created, kind: "x-generated", body: #"{"kid":"api-2026"}"#)
        try append(created, kind: "note", body: #"{"text":"first note"}"#)
        try append(created, kind: "x-published", body: #"{"kid":"api-2026"}"#)
        try append(created, kind: "x-deploy", actor: "deploy-bot", body: #"{"change":"CHG-7"}"#)
        try append(created, kind: "note", body: #"{"text":"second note"}"#)
        try append(created, kind: "x-retired", body: #"{"kid":"api-2025"}"#)
        all = try logEntries(created.ledger)
        XCTAssertEqual(all.count, 7)
    }

    private func sequences(_ filters: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [Int] {
        try logEntries(created.ledger, filters, file: file, line: line).compactMap { $0["seq"] as? Int }
    }

    private func sequences(where predicate: ([String: Any]) -> Bool) -> [Int] {
        all.filter(predicate).compactMap { $0["seq"] as? Int }
    }

    private func recordedAt(_ sequence: Int) throws -> String {
        try XCTUnwrap(all[sequence - 1]["recorded_at"] as? String)
    }

    func testRepeatedKindSelectsEachKind() throws {
        XCTAssertEqual(try sequences(["--kind", "note"]), [3, 6])
        XCTAssertEqual(try sequences(["--kind", "note", "--kind", "x-retired"]), [3, 6, 7])
        XCTAssertEqual(try sequences(["--kind", "genesis", "--kind", "x-deploy", "--kind", "x-published"]), [1, 4, 5])
        XCTAssertEqual(try sequences(["--kind", "x-never-used"]), [])
    }

    func testSinceIncludesItsTime() throws {
        let time = try recordedAt(4)
        let selected = try sequences(["--since", time])
        XCTAssertTrue(selected.contains(4), "the entry recorded exactly at --since is left out")
        XCTAssertEqual(selected, sequences { ($0["recorded_at"] as? String ?? "") >= time })
    }

    func testUntilExcludesItsTime() throws {
        let time = try recordedAt(4)
        let selected = try sequences(["--until", time])
        XCTAssertFalse(selected.contains(4), "the entry recorded exactly at --until is included")
        XCTAssertEqual(selected, sequences { ($0["recorded_at"] as? String ?? "") < time })
    }

    func testSinceAndUntilTogether() throws {
        let start = try recordedAt(3)
        let end = try recordedAt(6)
        XCTAssertEqual(try sequences(["--since", start, "--until", end]),
                       sequences { ($0["recorded_at"] as? String ?? "") >= start && ($0["recorded_at"] as? String ?? "") < end })
        XCTAssertEqual(try sequences(["--since", end, "--until", end]), [])
        XCTAssertEqual(try sequences(["--since", start, "--until", end, "--kind", "note"]), [3])
    }

    func testTimeWithOffsetMeansTheSameInstant() throws {
        let time = try recordedAt(4)
        let shifted = try XCTUnwrap(Self.sameInstantWithOffset(time), "cannot parse \(time)")
        XCTAssertEqual(try sequences(["--since", shifted]), try sequences(["--since", time]))
        XCTAssertEqual(try sequences(["--until", shifted]), try sequences(["--until", time]))
    }

    func testDateOnlyMeansMidnightUTC() throws {
        let today = String(try recordedAt(1).prefix(10))
        XCTAssertEqual(try sequences(["--until", today]), sequences { ($0["recorded_at"] as? String ?? "") < today })
        XCTAssertEqual(try sequences(["--since", "2000-01-01"]), Array(1...7))
        XCTAssertEqual(try sequences(["--since", "2999-01-01"]), [])
    }

    func testKeyAndChangeFilters() throws {
        XCTAssertEqual(try sequences(["--kid", "api-2026"]), [2, 4])
        XCTAssertEqual(try sequences(["--change", "CHG-7"]), [5])
    }

    func testJSONPrintsOneObjectPerLine() throws {
        let run = try keyledgerSucceeds(["log", "--ledger", created.ledger, "--json"])
        XCTAssertEqual(run.standardError, "")
        XCTAssertTrue(run.standardOutput.hasSuffix("}\n"), run.summary)
        XCTAssertEqual(run.outputLines.count, 7, run.summary)
        for (index, line) in run.outputLines.enumerated() {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "line \(index + 1): \(line)")
            XCTAssertEqual(object["seq"] as? Int, index + 1)
            for member in ["recorded_at", "kind", "actor", "ledger", "prev_hash", "hash", "signer", "alg", "signature"] {
                XCTAssertNotNil(object[member] as? String, "line \(index + 1) lacks \(member): \(line)")
            }
            XCTAssertNotNil(object["body"] as? [String: Any], "line \(index + 1) lacks the body object: \(line)")
        }
    }

    func testTextPrintsOneLinePerEntry() throws {
        let run = try keyledgerSucceeds(["log", "--ledger", created.ledger, "--kind", "x-deploy"])
        XCTAssertEqual(run.outputLines.count, 1, run.summary)
        let fields = try XCTUnwrap(run.outputLines.first).split(separator: "\t").map(String.init)
        XCTAssertEqual(fields.count, 6, run.summary)
        XCTAssertEqual(fields[0], "5")
        XCTAssertEqual(fields[1], try recordedAt(5))
        XCTAssertEqual(fields[2], "x-deploy")
        XCTAssertEqual(fields[3], "deploy-bot")
        XCTAssertEqual(fields[4], "change=CHG-7")
        XCTAssertEqual(fields[5], String((all[4]["hash"] as? String ?? "").prefix(16)))
    }

    /// Rewrites a time such as `2026-12-04T19:52:23.123Z` as the same instant with
    /// a UTC offset of two hours (`2026-12-04T21:52:23.123+02:00`), by string
    /// arithmetic so that no date formatter rounds the milliseconds.
    static func sameInstantWithOffset(_ time: String) -> String? {
        guard time.count == 24, time.hasSuffix("Z"), let hour = Int(time.dropFirst(11).prefix(2)) else { return nil }
        // Both directions stay within the same day: east before 22:00 UTC, west from then on.
        let (localHour, offset) = hour < 22 ? (hour + 2, "+02:00") : (hour - 2, "-02:00")
        return String(time.prefix(11)) + String(format: "%02d", localHour) + String(time.dropFirst(13).dropLast()) + offset
    }

    func testUntilBeforeSinceIsUsageError() throws {
        let run = try keyledger(["log", "--ledger", created.ledger, "--since", "2026-10-02", "--until", "2026-10-01"])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.contains("is before --since"), run.summary)
    }

    func testUnknownKindIsUsageError() throws {
        let run = try keyledger(["log", "--ledger", created.ledger, "--kind", "publishd"])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.contains("\"publishd\" is not an event kind"), run.summary)
    }
}
