import Foundation
import KeyLedger
import KeyLedgerReports
import XCTest

final class DeterminismTests: XCTestCase {
    func testRepeatedRunsAreByteIdentical() throws {
        let scenario = try Scenario(self)
        try scenario.buildSampleQuarter()
        let forged = try scenario.forge()
        let options = try ReportTesting.options(scenario, sample: SampleRequest(size: 2, seed: "SOX-2026-Q4"))
        for format in ReportFormat.allCases {
            let runs = try ReportTesting.assertDeterministic(forged, options, format: format, scenario: scenario)
            XCTAssertEqual(runs.first.manifest.sha256Hex, runs.second.manifest.sha256Hex, format.rawValue)
        }
    }

    func testLedgerCopyGivesSameReport() throws {
        let scenario = try Scenario(self)
        try scenario.buildSampleQuarter()
        let forged = try scenario.forge()
        let copy = scenario.directory.path("copied-ledger.db")
        try FileManager.default.copyItem(atPath: forged.path, toPath: copy)
        let options = try ReportTesting.options(scenario)
        let original = try ReportGenerator(ledger: try forged.open(), options: options)
            .write(.html, to: scenario.directory.subdirectory("original"))
        let copied = try ReportGenerator(ledger: try Ledger(path: copy, readOnly: true), options: options)
            .write(.html, to: scenario.directory.subdirectory("copied"))
        XCTAssertEqual(try Data(contentsOf: original.files[0].url), try Data(contentsOf: copied.files[0].url))
    }

    func testEntriesAfterThePeriodChangeOnlyTheHead() throws {
        let scenario = try Scenario(self)
        try scenario.buildSampleQuarter()
        let before = try ReportTesting.write(try scenario.forge("before.db"), try ReportTesting.options(scenario),
                                             format: .json, scenario: scenario)
        try scenario.checkJWKS(at: "2027-01-04T09:00:00Z")
        try scenario.raw(at: "2027-01-05T09:00:00Z", .note, actor: "ops", ["text": "new quarter"])
        let after = try ReportTesting.write(try scenario.forge("after.db"), try ReportTesting.options(scenario),
                                            format: .json, scenario: scenario)

        XCTAssertEqual(after.report.cover.head?.sequence, before.report.cover.head.map { $0.sequence + 3 })
        // Each forged file has its own ledger id, so hashes differ between the two; positions do not.
        XCTAssertEqual(after.report.cover.lastEntry?.sequence, before.report.cover.lastEntry?.sequence)
        XCTAssertEqual(after.report.findings.map(\.rule.id), before.report.findings.map(\.rule.id))
        XCTAssertEqual(after.report.findings.map(\.explanation), before.report.findings.map(\.explanation))
        XCTAssertEqual(after.report.keys.map(\.stateAtEnd), before.report.keys.map(\.stateAtEnd))
        XCTAssertEqual(after.report.population.entriesInPeriod, before.report.population.entriesInPeriod)
    }

    func testManifestListsEveryFileWithItsDigest() throws {
        let scenario = try Scenario(self)
        try scenario.cleanRotation()
        let outcome = try ReportTesting.write(try scenario.forge(), try ReportTesting.options(scenario), format: .csv, scenario: scenario)
        XCTAssertEqual(outcome.files.map(\.name), [
            "report-2026-Q4-cover.csv", "report-2026-Q4-population.csv", "report-2026-Q4-keys.csv",
            "report-2026-Q4-changes.csv", "report-2026-Q4-exceptions.csv", "report-2026-Q4-proofs.csv", "report-2026-Q4-appendix.csv",
        ])
        XCTAssertEqual(outcome.manifest.name, "report-2026-Q4.csv.sha256")
        let expected = outcome.files.sorted { $0.name < $1.name }.map { "\($0.sha256Hex)  \($0.name)\n" }.joined()
        XCTAssertEqual(try ReportTesting.text(outcome.manifest), expected)

        if let sha256sum = Program.find("sha256sum") {
            let check = try Program.run(sha256sum, ["-c", outcome.manifest.name], workingDirectory: outcome.manifest.url.deletingLastPathComponent())
            XCTAssertEqual(check.status, 0, check.standardOutput + check.standardError)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: outcome.manifest.url.deletingLastPathComponent().path)
            .filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "temporary files were left behind")
    }

    func testRecordBodyNamesTheManifestAndHead() throws {
        let scenario = try Scenario(self)
        try scenario.cleanRotation()
        let forged = try scenario.forge()
        let outcome = try ReportTesting.write(forged, try ReportTesting.options(scenario), format: .markdown, scenario: scenario)
        let body = outcome.recordBody
        let head = Int64(scenario.items.count)
        XCTAssertEqual(body["manifest_sha256"]?.stringValue, outcome.manifest.sha256Hex)
        XCTAssertEqual(body["head"]?.stringValue, "\(head):\(forged.hash(of: head))")
        XCTAssertEqual(body["period"]?.stringValue, "2026-Q4")
        XCTAssertEqual(body["format"]?.stringValue, "md")
        XCTAssertEqual(body["files"]?.arrayValue?.count, 1)
        // The public initializer rejects report_generated, so this is how a program records a report.
        let recorded = try scenario.scratch.append(outcome.recordEvent(actor: "auditor"), signingKey: scenario.signingKey)
        XCTAssertEqual(recorded.kind, .reportGenerated)
        XCTAssertEqual(recorded.body["manifest_sha256"]?.stringValue, outcome.manifest.sha256Hex)
    }
}
