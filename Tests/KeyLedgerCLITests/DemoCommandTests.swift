import Foundation
import XCTest

/// `keyledger demo`, the README's first command, run as a new user runs it.
final class DemoCommandTests: CLITestCase {
    func testDemoBuildsVerifiedLedgerAndReport() throws {
        let demo = try keyledgerSucceeds(["demo", "--dir", path("demo")])
        let anchor = try XCTUnwrap(demo.outputLines.first { $0.hasPrefix("trust anchor:") }?
            .dropFirst("trust anchor:".count).trimmingCharacters(in: .whitespaces), demo.summary)
        XCTAssertTrue(demo.standardError.contains("CHG-1002: rolled back"), demo.summary)
        XCTAssertTrue(demo.standardError.contains("with 0 exceptions"), demo.summary)

        for format in ["html", "md", "json"] {
            let reports = try FileManager.default.contentsOfDirectory(atPath: path("demo/report")).filter { $0.hasSuffix(".\(format)") }
            XCTAssertEqual(reports.count, 1, "one \(format) report: \(reports)")
        }
        for key in try FileManager.default.contentsOfDirectory(atPath: path("demo/keys")) {
            XCTAssertEqual(try mode(of: path("demo/keys/\(key)")), 0o600, key)
        }

        // A headless machine has no xdg-open, so the demo also prints how to read the report there.
        let html = try XCTUnwrap(demo.outputLines.first { $0.hasPrefix("report:") && $0.hasSuffix(".html") }, demo.summary)
        XCTAssertTrue(demo.outputLines.contains("open the report in a browser: xdg-open \(html.dropFirst("report:".count).trimmingCharacters(in: .whitespaces))"), demo.summary)
        XCTAssertTrue(demo.outputLines.contains("without a desktop, copy that file (it is self-contained) to a machine with a browser"), demo.summary)

        let suggestion = try XCTUnwrap(demo.outputLines.last { $0.hasPrefix("verify it yourself with: ") }, demo.summary)
        let program = try XCTUnwrap(suggestion.dropFirst("verify it yourself with: ".count).split(separator: " ").first)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: String(program)), "the printed command names this binary: \(suggestion)")

        let verify = try keyledgerSucceeds(["verify", "--ledger", path("demo/ledger.db"), "--trust-anchor", anchor])
        XCTAssertTrue(verify.standardOutput.hasPrefix("valid:"), verify.summary)
        let kinds = try keyledgerSucceeds(["log", "--ledger", path("demo/ledger.db")]).outputLines
            .map { $0.split(separator: "\t")[2] }
        for kind in ["generated", "published", "verified", "verification_failed", "rolled_back", "retired", "report_generated"] {
            XCTAssertTrue(kinds.contains(Substring(kind)), "the demo records \(kind)")
        }
    }

    func testDemoRejectsNonEmptyDirectory() throws {
        try FileManager.default.createDirectory(atPath: path("busy"), withIntermediateDirectories: true)
        _ = try write("busy/notes.txt", "keep")
        let run = try keyledger(["demo", "--dir", path("busy")])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.contains("is not empty"), run.summary)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("busy")), ["notes.txt"])
    }

    func testDemoRejectsEmptyDirectoryValue() throws {
        let run = try keyledger(["demo", "--dir", ""])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardOutput, "", run.summary)
        XCTAssertEqual(run.standardError,
                       "error: --dir is empty: give a new or empty directory, such as --dir keyledger-demo, or leave --dir out\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [], "the demo wrote to the current directory")
    }
}
