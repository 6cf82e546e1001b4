import Foundation
import KeyLedger
import KeyLedgerReports
import XCTest

/// Runs `keyledger report` as a user does: the built binary, real files, output and exit status.
final class ReportCommandTests: XCTestCase {
    private var scenario: Scenario!
    private var forged: ForgedLedger!
    private var keyPath: String!

    override func setUpWithError() throws {
        scenario = try Scenario(self)
        try scenario.cleanRotation()
        forged = try scenario.forge()
        keyPath = scenario.directory.path("ledger-key.pem")
        try KeyFile.writePrivateKey(scenario.signingKey.privateKey, to: keyPath)
    }

    private func reportArguments(_ format: String = "html", out: String = "out", _ extra: [String] = []) -> [String] {
        ["report", "--ledger", forged.path, "--period", "2026-Q4", "--format", format,
         "--out", scenario.directory.path(out), "--trust-anchor", scenario.trustAnchor] + extra
    }

    private var recording: [String] { ["--actor", "auditor@example.com", "--signing-key", keyPath] }

    private func head() throws -> Int64 { try forged.open().head()?.sequence ?? 0 }

    func testRecordedReportAppendsItsManifestDigest() throws {
        let headBefore = try head()
        let run = try KeyledgerBinary.run(reportArguments("html", recording))
        XCTAssertEqual(run.status, 0, run.standardError)
        let report = scenario.directory.path("out/report-2026-Q4.html")
        let manifest = scenario.directory.path("out/report-2026-Q4.html.sha256")
        XCTAssertEqual(run.standardOutput, "\(report)\n\(manifest)\n")
        XCTAssertTrue(run.standardError.contains("recorded the report as entry \(headBefore + 1)"), run.standardError)

        let ledger = try forged.open()
        let entry = try XCTUnwrap(try ledger.entry(sequence: headBefore + 1))
        XCTAssertEqual(entry.kind, .reportGenerated)
        XCTAssertEqual(entry.actor, "auditor@example.com")
        let manifestDigest = try sha256Hex(ofFile: manifest)
        XCTAssertEqual(entry.body["manifest_sha256"]?.stringValue, manifestDigest)
        XCTAssertEqual(entry.body["head"]?.stringValue, "\(headBefore):\(forged.hash(of: headBefore))")
        XCTAssertEqual(entry.body["period"]?.stringValue, "2026-Q4")
        XCTAssertEqual(entry.body["format"]?.stringValue, "html")
        XCTAssertTrue(try ledger.verify(VerifyOptions(trustAnchor: scenario.trustAnchor)).isValid)
    }

    func testNoRecordAppendsNothingAndMatchesTheLibrary() throws {
        let headBefore = try head()
        let run = try KeyledgerBinary.run(reportArguments("json", ["--no-record"]))
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(try head(), headBefore)

        let library = try ReportTesting.write(forged, try ReportTesting.options(scenario), format: .json, scenario: scenario)
        let cli = try Data(contentsOf: URL(fileURLWithPath: scenario.directory.path("out/report-2026-Q4.json")))
        XCTAssertEqual(cli, try Data(contentsOf: library.files[0].url))
    }

    func testFailedVerificationExitsOne() throws {
        try forged.tamper(sequence: 6)
        let headBefore = try head()
        for format in ["html", "md"] {
            let run = try KeyledgerBinary.run(reportArguments(format, out: "out-\(format)", recording))
            XCTAssertEqual(run.status, 1, "\(format): \(run.standardError)")
            XCTAssertTrue(run.standardError.contains("FAILED verification at entry 6"), run.standardError)
            XCTAssertTrue(run.standardError.contains("no report_generated entry was appended"), run.standardError)
        }
        XCTAssertEqual(try head(), headBefore, "nothing is appended to a ledger that failed verification")

        let html = scenario.directory.path("out-html/report-2026-Q4.html")
        let check = try XCTUnwrap(Program.reportCheck("html", [html]) as? [String: Any])
        let status = try XCTUnwrap(check["status"] as? String)
        XCTAssertTrue(status.hasPrefix("VERIFICATION FAILED at entry 6, stored hash \(forged.hash(of: 6)): hash_mismatch."), status)
        let text = try String(contentsOfFile: html, encoding: .utf8)
        let banner = try XCTUnwrap(text.range(of: "VERIFICATION FAILED"))
        let cover = try XCTUnwrap(text.range(of: "<section id=\"cover\">"))
        XCTAssertLessThan(banner.lowerBound, cover.lowerBound, "the failure comes before the first section")

        let markdown = try String(contentsOfFile: scenario.directory.path("out-md/report-2026-Q4.md"), encoding: .utf8)
        let lines = markdown.components(separatedBy: "\n")
        XCTAssertTrue(lines.prefix(6).contains { $0.hasPrefix("> **VERIFICATION FAILED at entry 6") }, lines.prefix(6).joined(separator: "\n"))
    }

    func testWrongSigningKeyWritesNothing() throws {
        let otherKey = scenario.directory.path("other-key.pem")
        try KeyFile.writePrivateKey(try SigningKey.generate(.es256).privateKey, to: otherKey)
        let run = try KeyledgerBinary.run(reportArguments("html", ["--actor", "auditor", "--signing-key", otherKey]))
        XCTAssertEqual(run.status, 2, run.standardError)
        XCTAssertTrue(run.standardError.contains("is not the ledger's current signing key"), run.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scenario.directory.path("out")))
    }

    func testUsageErrors() throws {
        let base = ["report", "--ledger", forged.path, "--no-record"]
        let cases: [(arguments: [String], message: String)] = [
            (base + ["--format", "html"], "give --period YYYY-QN, or --from DATE and --to DATE"),
            (base + ["--period", "2026-Q4"], "missing --format"),
            (base + ["--period", "2026-Q4", "--format", "pdf"], "is not a report format"),
            (base + ["--period", "2026-Q5", "--format", "html"], "is not a quarter"),
            (base + ["--period", "9999-Q4", "--format", "html"], "the period \"9999-Q4\" has not started yet"),
            (base + ["--period", "2020-Q1", "--format", "html"],
             "the period 2020-Q1 (2020-01-01 to 2020-03-31) ends before the ledger's first entry, recorded at 2026-09-15T08:00:00"),
            (base + ["--period", "2026-Q4", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "html"], "not both"),
            (base + ["--from", "2026-10-31", "--to", "2026-10-01", "--format", "html"], "is before --from"),
            (base + ["--period", "2026-Q4", "--format", "html", "--sample", "3"], "--sample needs --seed"),
            (base + ["--period", "2026-Q4", "--format", "html", "--seed", "x"], "--seed is used only with --sample"),
            (base + ["--period", "2026-Q4", "--format", "html", "--max-key-age", "0"], "--max-key-age"),
            (base + ["--period", "2026-Q4", "--format", "html", "--env", "prod uction"], "the environment"),
            (base + ["--period", "2026-Q4", "--format", "html", "--actor", "a"], "takes no --signing-key or --actor"),
            (["report", "--ledger", forged.path, "--period", "2026-Q4", "--format", "html"], "missing --actor"),
        ]
        for (arguments, message) in cases {
            let run = try KeyledgerBinary.run(arguments + ["--out", scenario.directory.path("usage")])
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.standardError)")
            XCTAssertTrue(run.standardError.contains(message), "\(arguments): expected \"\(message)\" in \(run.standardError)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scenario.directory.path("usage/report-2026-Q4.html")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: scenario.directory.path("usage/report-2020-Q1.html")))
    }

    func testPeriodBeforeGenesisRecordsNothing() throws {
        let headBefore = try head()
        let arguments = ["report", "--ledger", forged.path, "--period", "2020-Q1", "--format", "html",
                         "--out", scenario.directory.path("early"), "--trust-anchor", scenario.trustAnchor] + recording
        let run = try KeyledgerBinary.run(arguments)
        XCTAssertEqual(run.status, 2, run.standardError)
        XCTAssertTrue(run.standardError.contains("ends before the ledger's first entry"), run.standardError)
        XCTAssertEqual(run.standardOutput, "", run.standardError)
        XCTAssertEqual(try head(), headBefore, "a rejected report appended an entry")
        XCTAssertFalse(FileManager.default.fileExists(atPath: scenario.directory.path("early/report-2020-Q1.html")))
    }

    func testUnknownEnvironmentRecordsNothing() throws {
        let headBefore = try head()
        let run = try KeyledgerBinary.run(reportArguments("html", out: "typo", ["--env", "prodution"] + recording))
        XCTAssertEqual(run.status, 2, run.standardError)
        XCTAssertTrue(run.standardError.contains("no key was ever recorded in environment \"prodution\""), run.standardError)
        XCTAssertTrue(run.standardError.contains("the environments with keys are production"), run.standardError)
        XCTAssertEqual(run.standardOutput, "", run.standardError)
        XCTAssertEqual(try head(), headBefore, "a rejected report appended an entry")
        XCTAssertFalse(FileManager.default.fileExists(atPath: scenario.directory.path("typo/report-2026-Q4-prodution.html")))
    }

    func testProgressIsQuietWhenStandardErrorIsAPipe() throws {
        let run = try KeyledgerBinary.run(reportArguments("csv", ["--no-record"]))
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertFalse(run.standardError.contains("\r"), "progress lines are drawn only on a terminal")
        XCTAssertEqual(run.standardError, "0 exceptions; manifest SHA-256 \(try sha256Hex(ofFile: scenario.directory.path("out/report-2026-Q4.csv.sha256")))\n")
    }

    func testProgressIsDrawnOnATerminal() throws {
        guard let script = Program.find("script") else {
            throw XCTSkip("script (util-linux) is not installed; it gives the command a terminal")
        }
        let command = ([try KeyledgerBinary.path()] + reportArguments("md", ["--no-record"]))
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let run = try Program.run(script, ["-q", "-e", "-c", command, "/dev/null"])
        XCTAssertEqual(run.status, 0, run.standardOutput + run.standardError)
        XCTAssertTrue(run.standardOutput.contains("verifying: "), "no progress line on the terminal:\n\(run.standardOutput)")
        XCTAssertTrue(run.standardOutput.contains("analysing: "), run.standardOutput)
    }

    func testHelpDescribesTheOptions() throws {
        let run = try KeyledgerBinary.run(["report", "--help"])
        XCTAssertEqual(run.status, 0)
        for option in ["--period", "--from", "--to", "--format", "--out", "--env", "--max-key-age", "--verify-within",
                       "--sample", "--seed", "--trust-anchor", "--actor", "--signing-key", "--no-record"] {
            XCTAssertTrue(run.standardOutput.contains(option), "help does not mention \(option)")
        }
    }

    /// Computes the SHA-256 of a file in hex with sha256sum, independently of the report code.
    private func sha256Hex(ofFile path: String) throws -> String {
        guard let tool = Program.find("sha256sum") else { throw XCTSkip("sha256sum is not installed") }
        let run = try Program.run(tool, [path])
        return String(run.standardOutput.prefix(64))
    }
}
