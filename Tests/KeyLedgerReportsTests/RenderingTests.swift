import Foundation
import KeyLedger
import KeyLedgerReports
import XCTest

/// Renders the HTML report with headless Chromium and checks that the page shows a real report.
final class RenderingTests: XCTestCase {
    func testChromiumRendersTheReport() throws {
        guard let chromium = Program.find("chromium") ?? Program.find("chromium-browser") else {
            throw XCTSkip("chromium is not installed (apt-get install chromium); the HTML report was not rendered")
        }
        let scenario = try Scenario(self)
        try scenario.buildSampleQuarter()
        let options = try ReportTesting.options(scenario, sample: SampleRequest(size: 2, seed: "SOX-2026-Q4"))
        let outcome = try ReportTesting.write(try scenario.forge(), options, format: .html, scenario: scenario)
        XCTAssertEqual(outcome.report.findings.map(\.rule.id), [ExceptionRule.emergencyStep.id, ExceptionRule.openAtPeriodEnd.id])

        let screenshot = scenario.directory.path("report.png")
        // A fresh profile and no background services: the page loads nothing
        // from the network, and the browser should not try to either.
        let run = try Program.run(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
            "--no-first-run", "--no-default-browser-check", "--no-pings",
            "--user-data-dir=\(scenario.directory.path("chromium-profile"))",
            "--window-size=1100,1500", "--screenshot=\(screenshot)", outcome.files[0].url.absoluteString,
        ])
        XCTAssertEqual(run.status, 0, run.standardError)

        let image = try XCTUnwrap(Program.reportCheck("png", [screenshot]) as? [String: Any])
        XCTAssertEqual(image["width"] as? Int, 1100)
        XCTAssertEqual(image["height"] as? Int, 1500)
        let nonWhite = try XCTUnwrap(image["nonwhite_fraction"] as? Double)
        let colors = try XCTUnwrap(image["colors"] as? Int)
        XCTAssertGreaterThan(nonWhite, 0.05, "the screenshot is almost blank")
        XCTAssertLessThan(nonWhite, 0.9, "the screenshot is almost filled")
        XCTAssertGreaterThan(colors, 50, "the screenshot has too few colors for text, tables and the status banner")

        // KEYLEDGER_REPORT_SCREENSHOT=PATH keeps the screenshot, which is how docs/images/report.png is made.
        if let keep = ProcessInfo.processInfo.environment["KEYLEDGER_REPORT_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: screenshot, toPath: keep)
        }
    }
}
