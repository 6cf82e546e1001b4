import Foundation
import KeyLedger
@testable import KeyLedgerReports
import XCTest

/// Builds the same quarter twice, with plain and with hostile text in every
/// free-text field, and checks that the hostile text changes no report's
/// structure: the same elements, table cells, records and lines.
final class HostileTextTests: XCTestCase {
    private var plain: Scenario!
    private var hostile: Scenario!

    override func setUpWithError() throws {
        plain = try Scenario(self)
        try plain.buildTextQuarter(.plain)
        hostile = try Scenario(self)
        try hostile.buildTextQuarter(.hostile)
    }

    private func write(_ scenario: Scenario, _ format: ReportFormat) throws -> ReportOutcome {
        try ReportTesting.write(try scenario.forge(), try ReportTesting.options(scenario), format: format, scenario: scenario)
    }

    func testBothQuartersHaveTheSameFindings() throws {
        let plainReport = try write(plain, .json).report
        let hostileReport = try write(hostile, .json).report
        XCTAssertEqual(hostileReport.findings.map(\.rule.id), plainReport.findings.map(\.rule.id))
        XCTAssertEqual(hostileReport.findings.map(\.rule.id), [ExceptionRule.emergencyStep.id])
        XCTAssertEqual(hostileReport.changes.count, 2)
        XCTAssertEqual(hostileReport.keys.count, 2)
    }

    func testHTMLStructureIsUnchanged() throws {
        let plainFile = try write(plain, .html).files[0]
        let hostileFile = try write(hostile, .html).files[0]
        let plainCheck = try XCTUnwrap(Program.reportCheck("html", [plainFile.url.path]) as? [String: Any])
        let hostileCheck = try XCTUnwrap(Program.reportCheck("html", [hostileFile.url.path]) as? [String: Any])

        let plainTags = try XCTUnwrap(plainCheck["tags"] as? [String: Int])
        let hostileTags = try XCTUnwrap(hostileCheck["tags"] as? [String: Int])
        XCTAssertEqual(hostileTags, plainTags)
        XCTAssertNil(hostileTags["script"])
        XCTAssertNil(hostileTags["img"])
        XCTAssertEqual(hostileTags["style"], 1)
        XCTAssertEqual(hostileCheck["unclosed"] as? [String], [])
        XCTAssertEqual(hostileCheck["mismatched"] as? Int, 0)

        let html = try ReportTesting.text(hostileFile)
        XCTAssertEqual(html.components(separatedBy: "</style>").count, 2, "only the real stylesheet ends with </style>")
        XCTAssertTrue(html.contains("&lt;/style&gt;"))
        XCTAssertTrue(html.contains("[U+202E]"), "the right-to-left override is shown as a marker")
        XCTAssertFalse(html.contains("\u{202E}"))
        XCTAssertFalse(html.contains("\u{0000}"))
        XCTAssertFalse(html.contains("<\u{0301}"), "a combining mark does not shield < from escaping")
    }

    func testMarkdownTablesKeepTheirColumns() throws {
        let plainFile = try write(plain, .markdown).files[0]
        let hostileFile = try write(hostile, .markdown).files[0]
        let plainCheck = try XCTUnwrap(Program.reportCheck("markdown", [plainFile.url.path]) as? [String: Any])
        let hostileCheck = try XCTUnwrap(Program.reportCheck("markdown", [hostileFile.url.path]) as? [String: Any])

        let tables = try XCTUnwrap(hostileCheck["tables"] as? [[Int]])
        XCTAssertFalse(tables.isEmpty)
        for (index, rows) in tables.enumerated() {
            XCTAssertEqual(Set(rows).count, 1, "table \(index) has rows of different widths: \(rows)")
        }
        XCTAssertEqual(tables, plainCheck["tables"] as? [[Int]])
        XCTAssertEqual(hostileCheck["headings"] as? [String], plainCheck["headings"] as? [String])
        XCTAssertEqual(hostileCheck["lines"] as? Int, plainCheck["lines"] as? Int)

        let markdown = try ReportTesting.text(hostileFile)
        XCTAssertTrue(markdown.contains("\\<script"))
        XCTAssertFalse(markdown.replacingOccurrences(of: "\\<", with: "").contains("<script"), "every < of the text is escaped")
        XCTAssertFalse(markdown.contains("\u{202E}"))
    }

    func testMarkdownRendersHostileTextLiterally() throws {
        let plainFile = try write(plain, .markdown).files[0]
        let hostileFile = try write(hostile, .markdown).files[0]
        let plainRender = try XCTUnwrap(Program.reportCheck("markdown-render", [plainFile.url.path]) as? [String: Any])
        let hostileRender = try XCTUnwrap(Program.reportCheck("markdown-render", [hostileFile.url.path]) as? [String: Any])
        let plainBlocks = try XCTUnwrap(plainRender["blocks"] as? [[String: Any]])
        let hostileBlocks = try XCTUnwrap(hostileRender["blocks"] as? [[String: Any]])

        XCTAssertEqual(hostileBlocks.map { $0["type"] as? String }, plainBlocks.map { $0["type"] as? String })
        XCTAssertEqual(hostileBlocks.map { $0["markup"] as? [String] }, plainBlocks.map { $0["markup"] as? [String] })
        for block in hostileBlocks {
            let markup = try XCTUnwrap(block["markup"] as? [String])
            // Only the status line is bold; nothing from the ledger adds markup.
            XCTAssertTrue(Set(markup).isSubset(of: ["strong_open", "strong_close"]), "\(markup): \(block["text"] ?? "")")
        }
        let texts = hostileBlocks.compactMap { $0["text"] as? String }
        let summary = VisibleText.make(FieldText.hostile.text("summary"), keepingLineFeeds: true)
        XCTAssertTrue(texts.contains { $0.hasSuffix(summary.trimmingCharacters(in: .whitespaces)) },
                      "the change's summary is shown as the text it is")
    }

    func testCSVRecordsKeepTheirFields() throws {
        let plainFiles = try write(plain, .csv).files
        let hostileFiles = try write(hostile, .csv).files
        XCTAssertEqual(hostileFiles.map(\.name), plainFiles.map(\.name))
        let plainChecks = try XCTUnwrap(Program.reportCheck("csv", plainFiles.map(\.url.path)) as? [[String: Any]])
        let hostileChecks = try XCTUnwrap(Program.reportCheck("csv", hostileFiles.map(\.url.path)) as? [[String: Any]])
        XCTAssertEqual(hostileChecks.count, hostileFiles.count)
        for (index, hostileFile) in hostileFiles.enumerated() {
            let plainCheck = plainChecks[index]
            let hostileCheck = hostileChecks[index]
            let lengths = try XCTUnwrap(hostileCheck["lengths"] as? [Int])
            XCTAssertEqual(Set(lengths).count, 1, "\(hostileFile.name) has records of different widths: \(lengths)")
            XCTAssertEqual(lengths, plainCheck["lengths"] as? [Int], hostileFile.name)
            XCTAssertEqual(hostileCheck["lines"] as? Int, lengths.count, "\(hostileFile.name): one line per record")
            XCTAssertEqual(hostileCheck["crlf"] as? Int, lengths.count, "\(hostileFile.name): every record ends with CRLF")
            let fields = try XCTUnwrap(hostileCheck["all_fields"] as? [String])
            for field in fields {
                if let first = field.unicodeScalars.first {
                    XCTAssertFalse(["=", "+", "-", "@", "\t", "\r"].contains(first), "\(hostileFile.name): a field starts with \(first): \(field.prefix(40))")
                }
            }
        }
        let keys = try ReportTesting.text(try XCTUnwrap(hostileFiles.first { $0.name.hasSuffix("-keys.csv") }))
        XCTAssertTrue(keys.contains("\"'-=HYPERLINK"), "the kid starting with - is prefixed with '")
    }

    func testJSONKeepsTheExactText() throws {
        let outcome = try write(hostile, .json)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: outcome.files[0].url)) as? [String: Any])
        let changes = try XCTUnwrap(document["changes"] as? [[String: Any]])
        XCTAssertEqual(changes.first?["summary"] as? String, FieldText.hostile.text("summary"))
        XCTAssertEqual(changes.last?["id"] as? String, "+" + FieldText.hostile.column("change id"))
    }
}
