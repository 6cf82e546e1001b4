import Foundation
@testable import KeyLedgerReports
import XCTest

/// Renders escaped text with markdown-it-py, an independent CommonMark
/// implementation, and checks that every hostile value comes out as the same
/// literal text: no link, emphasis, code, raw HTML, heading or list.
final class MarkdownRenderingTests: XCTestCase {
    /// Text that Markdown would turn into markup if it were written as it is.
    static let hostileValues = [
        "a | b | c", "| a | b |", "`code`", "``double``", "```", "~~~", "<script>alert(1)</script>", "</td></tr>",
        "<img src=x onerror=alert(1)>", "<!-- comment -->", "<http://evil.example>", "<1user@example.com>", "<br>",
        "[link](javascript:alert(1))", "![image](http://evil.example/x.png)", "[ref]: http://evil.example", "[ref]",
        "*em* **strong** _u_ __s__ a*b*c", "~~strike~~ ~s~", "# heading", "## heading ##", "heading #", "#",
        "- item", "+ item", "* item", "> quote", "1. one", "12) twelve", "---", "***", "___", "=====",
        "    indented code", "   - three spaces", "two\nlines", "a\n# b\n- c\n> d", "back\\slash \\* \\` \\", "end\\",
        "end\\\n# next", "&amp; &#60; &#x3C; &copy; &nbsp;", "R&D a < b > c", "snake_case_name", "_x_", "x_", "\\_",
        "rtl\u{202E}txt", "zero\u{200B}width", "nul\u{0000}", "<\u{0301}td>", "|\u{0301}", "2026-10-01T00:00:00.000Z",
    ]

    /// Builds a document with each value in each context, renders it and returns the blocks in order.
    private func renderBlocks(_ values: [String]) throws -> [[String: Any]] {
        var document = ""
        for value in values {
            document += "| Value |\n|---|\n| \(MarkdownText.escape(value, in: .tableCell)) |\n\n"
            document += MarkdownText.escape(value, in: .lineStart) + "\n\n"
            document += "Inline: " + MarkdownText.escape(value, in: .inline) + "\n\n"
            document += "### " + MarkdownText.escape(value, in: .heading) + "\n\n"
            document += "- " + MarkdownText.escape(value, in: .lineStart) + "\n\n"
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("markdown-rendering-\(UUID().uuidString).md")
        try document.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let rendered = try XCTUnwrap(Program.reportCheck("markdown-render", [url.path]) as? [String: Any])
        return try XCTUnwrap(rendered["blocks"] as? [[String: Any]])
    }

    func testHostileTextRendersLiterally() throws {
        let blocks = try renderBlocks(Self.hostileValues)
        // Per value: the table's header and cell, the paragraph, the inline paragraph, the heading, the list item.
        XCTAssertEqual(blocks.count, Self.hostileValues.count * 6, "a value added or removed a block")
        guard blocks.count == Self.hostileValues.count * 6 else { return }
        let contexts: [(name: String, type: String, prefix: String)] = [
            ("table cell", "td", ""), ("line start", "paragraph", ""), ("inline", "paragraph", "Inline: "),
            ("heading", "heading", ""), ("list item", "paragraph", ""),
        ]
        for (valueIndex, value) in Self.hostileValues.enumerated() {
            let expected = VisibleText.make(value, keepingLineFeeds: true).trimmingCharacters(in: .whitespaces)
            let valueBlocks = blocks[(valueIndex * 6 + 1)..<(valueIndex * 6 + 6)]
            for (context, block) in zip(contexts, valueBlocks) {
                let label = "\(value.debugDescription) as \(context.name)"
                XCTAssertEqual(block["type"] as? String, context.type, label)
                XCTAssertEqual(block["markup"] as? [String], [], label)
                // Markdown drops a block's leading and trailing spaces, which carry no meaning here.
                let text = try XCTUnwrap(block["text"] as? String, label)
                XCTAssertTrue(text.hasPrefix(context.prefix), label)
                XCTAssertEqual(text.dropFirst(context.prefix.count).trimmingCharacters(in: .whitespaces), expected, label)
            }
        }
    }
}
