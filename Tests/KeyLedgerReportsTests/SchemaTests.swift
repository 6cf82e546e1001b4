import Foundation
import KeyLedger
import KeyLedgerReports
import XCTest

/// Validates JSON reports against the published `reports/report.schema.json` with Python's jsonschema.
final class SchemaTests: XCTestCase {
    /// The schema in the repository, found from this file's path.
    private var schemaPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("reports/report.schema.json").path
    }

    private func assertValid(_ outcome: ReportOutcome, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try XCTUnwrap(Program.reportCheck("schema", [schemaPath, outcome.files[0].path]) as? [String: Any],
                                   file: file, line: line)
        XCTAssertEqual(result["valid"] as? Bool, true, "\(result["errors"] ?? "")", file: file, line: line)
    }

    func testSampleQuarterValidates() throws {
        let scenario = try Scenario(self)
        try scenario.buildSampleQuarter()
        let options = try ReportTesting.options(scenario, sample: SampleRequest(size: 2, seed: "SOX-2026-Q4"))
        try assertValid(try ReportTesting.write(try scenario.forge(), options, format: .json, scenario: scenario))
    }

    func testHostileQuarterValidates() throws {
        let scenario = try Scenario(self)
        try scenario.buildTextQuarter(.hostile)
        try assertValid(try ReportTesting.write(try scenario.forge(), try ReportTesting.options(scenario), format: .json, scenario: scenario))
    }

    func testFailedVerificationValidates() throws {
        let scenario = try Scenario(self)
        try scenario.cleanRotation()
        let forged = try scenario.forge()
        try forged.tamper(sequence: 5)
        let outcome = try ReportTesting.write(forged, try ReportTesting.options(scenario), format: .json, scenario: scenario)
        XCTAssertFalse(outcome.isValid)
        try assertValid(outcome)
    }

    func testEmptyPeriodValidates() throws {
        let scenario = try Scenario(self)
        try scenario.cleanRotation()
        let options = try ReportTesting.options(scenario, period: "2027-Q1")
        try assertValid(try ReportTesting.write(try scenario.forge(), options, format: .json, scenario: scenario))
    }

    func testSchemaRejectsAnAlteredReport() throws {
        let scenario = try Scenario(self)
        try scenario.cleanRotation()
        let outcome = try ReportTesting.write(try scenario.forge(), try ReportTesting.options(scenario), format: .json, scenario: scenario)
        var document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: outcome.files[0].url)) as? [String: Any])
        document["exceptions"] = [["rule": "no.such_rule"]]
        let altered = scenario.directory.path("altered.json")
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: altered))
        let result = try XCTUnwrap(Program.reportCheck("schema", [schemaPath, altered]) as? [String: Any])
        XCTAssertEqual(result["valid"] as? Bool, false, "the schema must be strict enough to reject an unknown rule")
    }
}

extension ReportFile {
    var path: String { url.path }
}
