@testable import KeyLedgerReports
import XCTest

final class EscapingTests: XCTestCase {
    func testHTMLEscaping() {
        let cases: [(input: String, expected: String)] = [
            ("plain", "plain"),
            ("<b>&\"'</b>", "&lt;b&gt;&amp;&quot;&#39;&lt;/b&gt;"),
            ("</style>", "&lt;/style&gt;"),
            ("<\u{0301}td>", "&lt;\u{0301}td&gt;"),
            ("a\u{202E}b", "a[U+202E]b"),
            ("nul\u{0000}bell\u{0007}", "nul[U+0000]bell[U+0007]"),
            ("two\nlines", "two\nlines"),
            ("cr\r\nlf", "cr[U+000D]\nlf"),
            ("zero\u{200B}width", "zero[U+200B]width"),
            ("line\u{2028}separator", "line[U+2028]separator"),
            ("tina\u{FE0F}", "tina[U+FE0F]"),
            ("ti\u{034F}na", "ti[U+034F]na"),
            ("tina\u{3164}", "tina[U+3164]"),
            ("ünïcödé ✓", "ünïcödé ✓"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(HTMLText.escape(input), expected, input.debugDescription)
        }
    }

    func testMarkdownEscapingInTableCells() {
        let cases: [(input: String, expected: String)] = [
            ("plain text", "plain text"),
            ("a|b", "a\\|b"),
            ("*em* _u_ `c` ~s~", "\\*em\\* \\_u\\_ \\`c\\` \\~s\\~"),
            ("[l](x) ![i](y)", "\\[l](x) !\\[i](y)"),
            ("<b>&amp;", "\\<b>\\&amp;"),
            ("&#60; &#x3C; &copy;", "\\&#60; \\&#x3C; \\&copy;"),
            ("back\\slash \\* end\\", "back\\slash \\\\\\* end\\\\"),
            ("two\nlines", "two<br>lines"),
            ("end\\\nline", "end\\\\<br>line"),
            ("|\u{0301}", "\\|\u{0301}"),
            ("rtl\u{202E}", "rtl\\[U+202E]"),
            // Text that renders as it is stays as it is.
            ("api_jwt_signing_key", "api_jwt_signing_key"),
            ("key.absence_not_confirmed", "key.absence_not_confirmed"),
            ("2026-10-01T00:00:00.000Z", "2026-10-01T00:00:00.000Z"),
            ("https://example.com/a-b?c=d&e=f#top", "https://example.com/a-b?c=d&e=f#top"),
            ("credentials.yml.enc (production)", "credentials.yml.enc (production)"),
            ("a < b > c, R&D, 1. ok, # 2, - 3, \"q\" 'q' {x} $y ^z = !", "a < b > c, R&D, 1. ok, # 2, - 3, \"q\" 'q' {x} $y ^z = !"),
            ("-leading dash", "-leading dash"),
            ("_x x_ a_ _b", "\\_x x\\_ a\\_ \\_b"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(MarkdownText.escape(input, in: .tableCell), expected, input.debugDescription)
        }
    }

    func testMarkdownEscapingByContext() {
        let cases: [(input: String, context: MarkdownText.Context, expected: String)] = [
            ("a|b", .lineStart, "a|b"),
            ("a|b", .inline, "a|b"),
            ("# heading", .lineStart, "\\# heading"),
            ("# heading", .inline, "# heading"),
            ("> quote", .lineStart, "\\> quote"),
            ("- item", .lineStart, "\\- item"),
            ("+ item", .lineStart, "\\+ item"),
            ("* item", .lineStart, "\\* item"),
            ("---", .lineStart, "\\---"),
            ("12. twelve", .lineStart, "12\\. twelve"),
            ("3) three", .lineStart, "3\\) three"),
            ("2026-10-01", .lineStart, "2026-10-01"),
            ("1234567890. ten digits", .lineStart, "1234567890. ten digits"),
            ("   - indented", .lineStart, "   \\- indented"),
            ("    code", .lineStart, "&#32;   code"),
            ("title #", .heading, "title \\#"),
            ("title ## ", .heading, "title \\#\\# "),
            ("###", .heading, "\\#\\#\\#"),
            ("C# #1", .heading, "C# #1"),
            ("title#", .heading, "title#"),
        ]
        for (input, context, expected) in cases {
            XCTAssertEqual(MarkdownText.escape(input, in: context), expected, "\(input.debugDescription) in \(context)")
        }
    }

    func testCSVFields() {
        let cases: [(input: String, expected: String)] = [
            ("plain", "\"plain\""),
            ("", "\"\""),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("\"\u{0301}", "\"\"\"\u{0301}\""),
            ("=SUM(A1)", "\"'=SUM(A1)\""),
            ("+1", "\"'+1\""),
            ("-1", "\"'-1\""),
            ("@cmd", "\"'@cmd\""),
            ("\tx", "\"[U+0009]x\""),
            ("\rx", "\"[U+000D]x\""),
            ("two\nlines", "\"two[U+000A]lines\""),
            ("a=b", "\"a=b\""),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(CSVText.field(input), expected, input.debugDescription)
        }
        XCTAssertEqual(CSVText.record(["a", "=b"]), "\"a\",\"'=b\"\r\n")
    }

    func testVisibleTextTruncation() {
        XCTAssertEqual(VisibleText.truncated("abcdef", limit: 4), "abc…")
        XCTAssertEqual(VisibleText.truncated("abc", limit: 4), "abc")
    }

    func testDurations() {
        let cases: [(milliseconds: Int64, expected: String)] = [
            (450, "450 ms"), (12_000, "12 s"), (750_000, "12 min 30 s"), (2_820_000, "47 min"), (3_600_000, "1 h"),
            (30 * 3_600_000 + 600_000, "30 h 10 min"), (3 * 86_400_000 + 4 * 3_600_000, "3 d 4 h"), (3 * 86_400_000, "3 d"),
            (-90_000, "-1 min 30 s"),
        ]
        for (milliseconds, expected) in cases {
            XCTAssertEqual(Durations.describe(milliseconds), expected, "\(milliseconds)")
        }
    }
}
