import Foundation
@testable import KeyLedgerReports
import XCTest

final class LayoutTests: XCTestCase {
    /// The repository root, found from this file's path.
    private var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    func testEmbeddedLayoutsMatchTheFiles() throws {
        let directory = root.appendingPathComponent("reports/layouts")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertEqual(embeddedReportLayouts.map(\.fileName), names)
        for name in names {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            XCTAssertEqual(try Layout.embeddedText(name), text, "\(name) changed since the build: rebuild to embed it")
        }
    }

    func testLayoutsFillEverySlotOfTheirRenderer() throws {
        try Layout.embedded("report.html").check(slots: HTMLReportRenderer.slots, single: HTMLReportRenderer.singleSlots)
        try Layout.embedded("report.md").check(slots: MarkdownReportRenderer.slots, single: MarkdownReportRenderer.singleSlots)
        XCTAssertFalse(try Layout.embeddedText("report.css").lowercased().contains("</style"))
    }

    func testLayoutParsing() throws {
        let layout = try Layout(name: "test", source: "<h1>{{title}}</h1>{{body}}{")
        XCTAssertEqual(layout.pieces, [.text("<h1>"), .slot("title"), .text("</h1>"), .slot("body"), .text("{")])
        for source in ["{{Title}}", "{{title", "{{}}", "{{ title }}", "{{ti-tle}}"] {
            XCTAssertThrowsError(try Layout(name: "test", source: source), source) { error in
                XCTAssertEqual((error as? ReportError)?.code, .layout, "\(error)")
            }
        }
    }

    func testLayoutSlotCheck() throws {
        let required: Set<String> = ["title", "appendix"]
        XCTAssertNoThrow(try Layout(name: "ok", source: "{{title}} {{title}} {{appendix}}").check(slots: required, single: ["appendix"]))
        let bad = ["{{title}}", "{{title}}{{appendix}}{{extra}}", "{{title}}{{appendix}}{{appendix}}"]
        for source in bad {
            XCTAssertThrowsError(try Layout(name: "bad", source: source).check(slots: required, single: ["appendix"]), source)
        }
    }

    func testControlsDocumentCoversEveryRuleAndSection() throws {
        let controls = try String(contentsOf: root.appendingPathComponent("reports/CONTROLS.md"), encoding: .utf8)
        for rule in ExceptionRule.all {
            XCTAssertTrue(controls.contains("`\(rule.id)`"), "reports/CONTROLS.md does not map \(rule.id)")
        }
        for section in ["Cover", "Integrity attestation", "Population", "Key custody", "Change control", "Exceptions", "Sample", "Appendix"] {
            XCTAssertTrue(controls.contains(section), "reports/CONTROLS.md does not map the section \(section)")
        }
    }

    func testSchemaNamesEveryRule() throws {
        let schema = try String(contentsOf: root.appendingPathComponent("reports/report.schema.json"), encoding: .utf8)
        for rule in ExceptionRule.all {
            XCTAssertTrue(schema.contains("\"\(rule.id)\""), "reports/report.schema.json does not list \(rule.id)")
        }
    }
}
