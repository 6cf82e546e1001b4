import Foundation
import KeyLedger
import KeyLedgerReports
import XCTest

/// What the sections contain: population, custody, change control, sample, scope and the appendix.
final class ReportContentTests: XCTestCase {
    private var scenario: Scenario!

    override func setUpWithError() throws {
        scenario = try Scenario(self)
        try scenario.buildSampleQuarter()
    }

    private func write(_ options: ReportOptions, _ format: ReportFormat = .json) throws -> ReportOutcome {
        try ReportTesting.write(try scenario.forge(), options, format: format, scenario: scenario)
    }

    func testCSVChangesCarryRollbackPlanAndEvidence() throws {
        let outcome = try write(try ReportTesting.options(scenario), .csv)
        let changesFile = try XCTUnwrap(outcome.files.first { $0.name.hasSuffix("-changes.csv") })
        let text = try ReportTesting.text(changesFile)
        XCTAssertTrue(text.hasPrefix(#""id","summary","technician","reviewer","criticality","window_start","window_end","rollback_plan","#), text)
        let plan = try XCTUnwrap(outcome.report.changes.compactMap(\.rollbackPlan).first)
        XCTAssertTrue(text.contains(plan), "the rollback plan is in the CSV")
        let evidence = try XCTUnwrap(outcome.report.changes.flatMap(\.attestations).compactMap(\.evidence).first)
        XCTAssertTrue(text.contains("(\(evidence))"), "attestation evidence is in the CSV")
    }

    func testPopulationCountsChangesAndKeys() throws {
        let report = try write(try ReportTesting.options(scenario)).report
        XCTAssertEqual(report.changes.map(\.id), ["CHG-1001", "CHG-1002", "CHG-1003", "CHG-1004"],
                       "CHG-0990 finished before the quarter and has no entry in it")
        XCTAssertEqual(report.changes.map(\.outcome), ["complete", "complete", "rolled_back", "approved"])
        XCTAssertEqual(report.keys.count, 4, "the carried-in key, the new one, the staging key and the rolled-back one")
        XCTAssertEqual(report.keys.first?.stateAtStart, .verified)
        XCTAssertEqual(report.keys.first?.stateAtEnd, .retired)
        XCTAssertEqual(report.population.changeCount, 4)
        XCTAssertEqual(report.population.changesWithActivity, 4)
        XCTAssertEqual(report.population.keyCount, 4)
        XCTAssertEqual(report.population.changesByState.first { $0.state == "rolled_back" }?.count, 1)
        let inPeriod = Int64(scenario.items.filter { $0.time >= (try? ReportTesting.quarter().start)! }.count)
        XCTAssertEqual(report.population.entriesInPeriod, inPeriod)
        XCTAssertEqual(report.population.entriesByKind.reduce(0) { $0 + $1.count }, inPeriod)
    }

    func testKeyCustodyRecordsWhoWhenAndWhere() throws {
        let report = try write(try ReportTesting.options(scenario)).report
        let key = try XCTUnwrap(report.keys.first { $0.environment == "staging" })
        XCTAssertEqual(key.origin?.actor, "tina")
        XCTAssertEqual(key.originChange, "CHG-1002")
        XCTAssertEqual(key.custody, "vault: kv/staging/jwt")
        XCTAssertEqual(key.published?.emergency, "load test started before the publish window")
        XCTAssertEqual(key.firstVerification?.source, "https://staging.example.com/.well-known/jwks.json")
        XCTAssertEqual(key.firstVerification?.jwksSHA256?.count, 64)
        XCTAssertEqual(key.verificationsInPeriod, 1)
        XCTAssertEqual(key.ageDays, 71, "from 21 October to the end of the quarter")
    }

    func testChangeControlShowsApprovalsAttestationsAndWindow() throws {
        let report = try write(try ReportTesting.options(scenario)).report
        let change = try XCTUnwrap(report.changes.first)
        XCTAssertEqual(change.technician, "tina")
        XCTAssertEqual(change.reviewer, "rui")
        XCTAssertEqual(change.criticality, "C2")
        XCTAssertTrue(change.needsManagerApproval)
        XCTAssertEqual(change.managerApproval, "maria")
        XCTAssertEqual(change.approval?.actor, "rui")
        XCTAssertLessThan(try XCTUnwrap(change.approval?.time), try XCTUnwrap(change.started?.time))
        XCTAssertEqual(change.attestations.map(\.item), ["tested_in_staging", "rollback_plan_reviewed", "monitoring"])
        XCTAssertEqual(change.attestations.map(\.evidence), ["staging run 481", "runbook RB-12 rev 4", "401 rate alert on api-gateway"])
        XCTAssertEqual(change.windowStart?.description, "2026-10-06T09:00:00.000Z")
        XCTAssertEqual(change.finished?.kind, "change_completed")
    }

    func testHTMLHasEverySectionAndATimeline() throws {
        let html = try ReportTesting.text(try write(try ReportTesting.options(scenario), .html).files[0])
        for section in ["cover", "integrity", "population", "keys", "changes", "exceptions", "sample", "appendix"] {
            XCTAssertTrue(html.contains("<section id=\"\(section)\">"), "missing section \(section)")
        }
        XCTAssertEqual(html.components(separatedBy: "<svg ").count, 2, "one inline SVG timeline")
        XCTAssertTrue(html.contains("@page"), "the stylesheet has print rules")
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("http-equiv=\"refresh\""))
        XCTAssertFalse(html.contains(" src="), "nothing is loaded from elsewhere")
        XCTAssertTrue(html.contains("mobile clients rejected ES256 tokens"), "the rollback reason is shown")
    }

    func testMissingTrustAnchorIsStated() throws {
        var options = try ReportTesting.options(scenario)
        options.trustAnchor = nil
        let outcome = try write(options, .markdown)
        let integrity = outcome.report.integrity
        XCTAssertTrue(integrity.isValid)
        XCTAssertFalse(integrity.trustAnchorChecked)
        XCTAssertEqual(integrity.warnings.count, 3)
        XCTAssertTrue(integrity.warnings[0].contains("--trust-anchor"), integrity.warnings[0])
        XCTAssertTrue(integrity.warnings[1].contains("earlier than the end of the period"), integrity.warnings[1])
        XCTAssertFalse(integrity.warnings.contains { $0.contains("--expect-head") }, "report takes no --expect-head option")
        let markdown = try ReportTesting.text(outcome.files[0])
        XCTAssertTrue(markdown.contains("against the ledger's own genesis key only"), "the status line states the missing anchor")
    }

    func testSampleCanBeRecomputedIndependently() throws {
        let request = SampleRequest(size: 2, seed: "SOX-2026-Q4")
        let report = try write(try ReportTesting.options(scenario, sample: request)).report
        let sample = try XCTUnwrap(report.sample)
        XCTAssertEqual(sample.anchor, report.cover.lastEntry)
        XCTAssertEqual(sample.populationSize, 4)

        let changes = report.changes.map(\.id)
        let digests = try XCTUnwrap(Program.reportCheck("sample", [request.seed, sample.anchor.hashHex] + changes) as? [String: String])
        let expected = changes.sorted { digests[$0]! < digests[$1]! }.prefix(2)
        XCTAssertEqual(sample.selected.map(\.change), Array(expected))
        XCTAssertEqual(sample.selected.map(\.digestHex), expected.map { digests[$0]! })
        XCTAssertEqual(sample.selected.map(\.rank), [1, 2])
        for change in report.changes {
            XCTAssertEqual(change.sampleRank, sample.selected.first { $0.change == change.id }?.rank, change.id)
        }
    }

    func testSampleDependsOnTheSeed() throws {
        // The ledger's keys are random, so each seed's pick is random too. With 24 seeds,
        // the chance that all pick the same one of the scenario's changes is below one in a million.
        let selections = try (0..<24).map { "seed-\($0)" }.map { seed in
            try write(try ReportTesting.options(scenario, sample: SampleRequest(size: 1, seed: seed))).report.sample?.selected.first?.change
        }
        XCTAssertGreaterThan(Set(selections).count, 1, "24 seeds all chose the same change")
    }

    func testSampleLargerThanThePopulationTakesAll() throws {
        let sample = try write(try ReportTesting.options(scenario, sample: SampleRequest(size: 50, seed: "all"))).report.sample
        XCTAssertEqual(sample?.selected.count, 4)
    }

    func testEnvironmentScope() throws {
        let report = try write(try ReportTesting.options(scenario, environment: "staging")).report
        XCTAssertEqual(report.keys.map(\.environment), ["staging"])
        XCTAssertEqual(report.changes.map(\.id), ["CHG-1002"], "only the change that touched a staging key")
        XCTAssertEqual(report.findings.map(\.rule.id), [ExceptionRule.emergencyStep.id],
                       "the open change touched no key, so it is outside the staging scope")
        let outcome = try write(try ReportTesting.options(scenario, environment: "staging"), .markdown)
        XCTAssertEqual(outcome.files.map(\.name), ["report-2026-Q4-staging.md"])
        XCTAssertEqual(outcome.report.population.entriesInPeriod, report.population.entriesInPeriod,
                       "the appendix and its counts cover the whole period, so sequence numbers have no gaps")
    }

    func testVerificationsCollapseIntoRuns() throws {
        let scenario = try Scenario(self)
        let keyID = try scenario.cleanRotation()
        for hour in 10...40 {
            let day = 6 + hour / 24
            try scenario.checkJWKS(at: "2026-10-\(day < 10 ? "0" : "")\(day)T\(hour % 24 < 10 ? "0" : "")\(hour % 24):00:00Z")
        }
        try scenario.checkJWKS(at: "2026-10-09T09:00:00Z", url: "https://api-eu.example.com/.well-known/jwks.json")
        let outcome = try ReportTesting.write(try scenario.forge(), try ReportTesting.options(scenario), format: .json, scenario: scenario)
        let key = try XCTUnwrap(outcome.report.keys.first { $0.keyID == keyID })
        XCTAssertEqual(key.verificationsInPeriod, 33)

        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: outcome.files[0].url)) as? [String: Any])
        let keys = try XCTUnwrap(document["keys"] as? [[String: Any]])
        let runs = try XCTUnwrap(keys.first?["verification_runs"] as? [[String: Any]])
        XCTAssertEqual(runs.map { $0["count"] as? Int }, [32, 1], "one run per endpoint while the JWKS stays the same")
        XCTAssertEqual(runs.last?["source"] as? String, "https://api-eu.example.com/.well-known/jwks.json")
    }

    func testAppendixListsPeriodEntriesInOrder() throws {
        let forged = try scenario.forge()
        let outcome = try ReportTesting.write(forged, try ReportTesting.options(scenario), format: .json, scenario: scenario)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: outcome.files[0].url)) as? [String: Any])
        let appendix = try XCTUnwrap(document["appendix"] as? [[String: Any]])
        let first = try XCTUnwrap(outcome.report.cover.firstEntry?.sequence)
        let last = try XCTUnwrap(outcome.report.cover.lastEntry?.sequence)
        XCTAssertEqual(appendix.compactMap { $0["seq"] as? Int }, Array(Int(first)...Int(last)))
        for row in appendix {
            let sequence = Int64(try XCTUnwrap(row["seq"] as? Int))
            XCTAssertEqual(row["hash"] as? String, forged.hash(of: sequence))
        }
    }
}
