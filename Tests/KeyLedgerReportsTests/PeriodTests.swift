import Foundation
import KeyLedger
import KeyLedgerReports
import XCTest

final class PeriodTests: XCTestCase {
    func testQuartersStartAndEndInUTC() throws {
        let cases: [(text: String, start: String, end: String, label: String)] = [
            ("2026-Q1", "2026-01-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z", "2026-Q1"),
            ("2026-Q2", "2026-04-01T00:00:00.000Z", "2026-07-01T00:00:00.000Z", "2026-Q2"),
            ("2026-q3", "2026-07-01T00:00:00.000Z", "2026-10-01T00:00:00.000Z", "2026-Q3"),
            ("2026-Q4", "2026-10-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z", "2026-Q4"),
            ("2028-Q1", "2028-01-01T00:00:00.000Z", "2028-04-01T00:00:00.000Z", "2028-Q1"),
        ]
        for (text, start, end, label) in cases {
            let period = try ReportPeriod(quarter: text)
            XCTAssertEqual(period.start.description, start, text)
            XCTAssertEqual(period.end.description, end, text)
            XCTAssertEqual(period.label, label, text)
        }
    }

    func testInvalidQuartersAreRejected() {
        for text in ["2026-Q5", "2026-Q0", "2026Q4", "26-Q4", "2026-Q", "2026-Q44", "2026-4", "", "Q4-2026", "1969-Q4", "9999-Q4", "2026-Q4 "] {
            XCTAssertThrowsError(try ReportPeriod(quarter: text), text) { error in
                XCTAssertEqual((error as? ReportError)?.code, .invalidPeriod, "\(text): \(error)")
            }
        }
    }

    func testOutOfRangeQuarterMessages() throws {
        let cases: [(text: String, message: String)] = [
            ("1969-Q4", "the period \"1969-Q4\" ends before 1970"),
            ("9999-Q4", "the period \"9999-Q4\" has not started yet"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try ReportPeriod(quarter: text), text) { error in
                XCTAssertTrue("\(error)".contains(message), "\(text): \(error)")
                XCTAssertFalse("\(error)".contains("is not a quarter"), "\(text): \(error)")
            }
        }
        XCTAssertEqual(try ReportPeriod(quarter: "9999-Q3").end.description, "9999-10-01T00:00:00.000Z")
    }

    func testPeriodBeforeGenesisIsRejected() throws {
        let (scenario, forged, _) = try edgeLedger()
        for period in ["2026-Q2", "2020-Q1"] {
            XCTAssertThrowsError(try ReportTesting.write(forged, try ReportTesting.options(scenario, period: period), format: .json,
                                                         scenario: scenario), period) { error in
                XCTAssertEqual((error as? ReportError)?.code, .invalidPeriod, "\(error)")
                XCTAssertTrue("\(error)".contains("ends before the ledger's first entry, recorded at 2026-09-15T08:00:00"), "\(error)")
            }
        }
    }

    func testDayRangeIncludesTheWholeLastDay() throws {
        let period = try ReportPeriod(from: "2026-12-31", to: "2026-12-31")
        XCTAssertTrue(period.contains(try Scenario.time("2026-12-31T00:00:00.000Z")))
        XCTAssertTrue(period.contains(try Scenario.time("2026-12-31T23:59:59.999Z")))
        XCTAssertFalse(period.contains(try Scenario.time("2027-01-01T00:00:00.000Z")))
        XCTAssertFalse(period.contains(try Scenario.time("2026-12-30T23:59:59.999Z")))
        XCTAssertEqual(period.lastDay, "2026-12-31")
    }

    func testInvalidDayRangesAreRejected() {
        let cases: [(from: String, to: String)] = [
            ("2026-12-31", "2026-12-01"), ("2026-02-30", "2026-03-01"), ("2026-10-01T00:00:00Z", "2026-12-31"),
            ("2026-10-1", "2026-12-31"), ("yesterday", "2026-12-31"), ("2026-10-01", "2026-13-01"),
        ]
        for (from, to) in cases {
            XCTAssertThrowsError(try ReportPeriod(from: from, to: to), "\(from) to \(to)") { error in
                XCTAssertEqual((error as? ReportError)?.code, .invalidPeriod, "\(error)")
            }
        }
    }

    func testOutOfRangeDayMessages() throws {
        let cases: [(from: String, to: String, message: String)] = [
            ("1969-12-31", "1970-01-02", "--from \"1969-12-31\" is before 1970"),
            ("2026-12-05", "9999-12-31", "--to \"9999-12-31\" is the last day RFC 3339 can write"),
        ]
        for (from, to, message) in cases {
            XCTAssertThrowsError(try ReportPeriod(from: from, to: to), "\(from) to \(to)") { error in
                XCTAssertEqual((error as? ReportError)?.code, .invalidPeriod, "\(error)")
                XCTAssertTrue("\(error)".contains(message), "\(from) to \(to): \(error)")
                XCTAssertFalse("\(error)".contains("is not a date"), "\(from) to \(to): \(error)")
            }
        }
        XCTAssertEqual(try ReportPeriod(from: "1970-01-01", to: "9999-12-30").end.description, "9999-12-31T00:00:00.000Z")
    }

    /// Notes on both sides of each edge of 2026-Q4, one millisecond apart.
    private func edgeLedger() throws -> (Scenario, ForgedLedger, notes: [String: Int64]) {
        let scenario = try Scenario(self, genesis: "2026-09-15T08:00:00Z")
        var notes: [String: Int64] = [:]
        for time in ["2026-09-30T23:59:59.999Z", "2026-10-01T00:00:00.000Z", "2026-12-31T23:59:59.999Z", "2027-01-01T00:00:00.000Z"] {
            notes[time] = try scenario.raw(at: time, .note, actor: "ops", ["text": .string("note at \(time)")])
        }
        return (scenario, try scenario.forge(), notes)
    }

    func testQuarterEdges() throws {
        let (scenario, forged, notes) = try edgeLedger()
        let outcome = try ReportTesting.write(forged, try ReportTesting.options(scenario), format: .csv, scenario: scenario)
        let cover = outcome.report.cover
        let first = try XCTUnwrap(notes["2026-10-01T00:00:00.000Z"])
        let last = try XCTUnwrap(notes["2026-12-31T23:59:59.999Z"])
        let before = try XCTUnwrap(notes["2026-09-30T23:59:59.999Z"])
        XCTAssertEqual(cover.firstEntry, EntryReference(sequence: first, hashHex: forged.hash(of: first)))
        XCTAssertEqual(cover.lastEntry, EntryReference(sequence: last, hashHex: forged.hash(of: last)))
        XCTAssertEqual(cover.previousEntry, EntryReference(sequence: before, hashHex: forged.hash(of: before)))
        XCTAssertEqual(outcome.report.population.entriesInPeriod, 2)

        let appendix = try XCTUnwrap(outcome.files.first { $0.name.hasSuffix("-appendix.csv") })
        let records = try ReportTesting.text(appendix).components(separatedBy: "\r\n").filter { !$0.isEmpty }.dropFirst()
        XCTAssertEqual(records.map { $0.split(separator: ",").first.map(String.init) }, ["\"\(first)\"", "\"\(last)\""])
    }

    func testConsecutiveQuartersLinkByHash() throws {
        let (scenario, forged, _) = try edgeLedger()
        let fourth = try ReportTesting.write(forged, try ReportTesting.options(scenario, period: "2026-Q4"), format: .json, scenario: scenario)
        let first = try ReportTesting.write(forged, try ReportTesting.options(scenario, period: "2027-Q1"), format: .json, scenario: scenario)
        XCTAssertEqual(first.report.cover.previousEntry, fourth.report.cover.lastEntry)
        XCTAssertEqual(first.report.population.entriesInPeriod, 1)
        XCTAssertEqual(first.report.cover.firstEntry?.sequence, fourth.report.cover.lastEntry.map { $0.sequence + 1 })
    }

    func testDayRangeEdgesInAReport() throws {
        let (scenario, forged, notes) = try edgeLedger()
        var options = try ReportTesting.options(scenario)
        options.period = try ReportPeriod(from: "2026-12-31", to: "2026-12-31")
        let outcome = try ReportTesting.write(forged, options, format: .json, scenario: scenario)
        let last = try XCTUnwrap(notes["2026-12-31T23:59:59.999Z"])
        XCTAssertEqual(outcome.report.cover.firstEntry?.sequence, last)
        XCTAssertEqual(outcome.report.cover.lastEntry?.sequence, last)
        XCTAssertEqual(outcome.report.population.entriesInPeriod, 1)
        XCTAssertEqual(outcome.files.map(\.name), ["report-2026-12-31_to_2026-12-31.json"])
    }

    func testPeriodStartingWithGenesisLinksToZeroHash() throws {
        let scenario = try Scenario(self, genesis: "2026-10-01T00:00:00Z")
        let outcome = try ReportTesting.write(try scenario.forge(), try ReportTesting.options(scenario), format: .json, scenario: scenario)
        XCTAssertEqual(outcome.report.cover.previousEntry.sequence, 0)
        XCTAssertEqual(outcome.report.cover.previousEntry.hashHex, String(repeating: "0", count: 64))
        XCTAssertEqual(outcome.report.cover.firstEntry?.sequence, 1)
    }

    func testEmptyPeriod() throws {
        let (scenario, forged, _) = try edgeLedger()
        let outcome = try ReportTesting.write(forged, try ReportTesting.options(scenario, period: "2027-Q2"), format: .html, scenario: scenario)
        XCTAssertNil(outcome.report.cover.firstEntry)
        XCTAssertNil(outcome.report.cover.lastEntry)
        XCTAssertEqual(outcome.report.population.entriesInPeriod, 0)
        XCTAssertTrue(try ReportTesting.text(outcome.files[0]).contains("No entries were recorded in the period."))
    }
}
