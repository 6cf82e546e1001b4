import Foundation
import KeyLedger
import KeyLedgerReports
import XCTest

/// Generates reports in-process and reads their files.
struct ReportTesting {
    /// Returns a quarter, by default 2026-Q4, in which the scenarios take place.
    static func quarter(_ text: String = "2026-Q4") throws -> ReportPeriod { try ReportPeriod(quarter: text) }

    static func options(_ scenario: Scenario, period: String = "2026-Q4", environment: String? = nil,
                        maximumKeyAgeDays: Int = 365, verifyWithinHours: Int = 24, sample: SampleRequest? = nil) throws -> ReportOptions {
        ReportOptions(period: try quarter(period), environment: environment, maximumKeyAgeDays: maximumKeyAgeDays,
                      verifyWithinHours: verifyWithinHours, sample: sample, trustAnchor: scenario.trustAnchor)
    }

    /// Writes the report of `ledger` in `format` into a new directory `name` of `scenario`'s directory.
    static func write(_ ledger: ForgedLedger, _ options: ReportOptions, format: ReportFormat, scenario: Scenario,
                      into name: String = "report-\(UUID().uuidString)") throws -> ReportOutcome {
        try ReportGenerator(ledger: try ledger.open(), options: options).write(format, to: scenario.directory.subdirectory(name))
    }

    /// Writes the report of `ledger` twice in `format` and asserts that both
    /// runs wrote the same file names and the same bytes, manifest included.
    ///
    /// - Returns: both runs, for further checks.
    @discardableResult
    static func assertDeterministic(_ ledger: ForgedLedger, _ options: ReportOptions, format: ReportFormat, scenario: Scenario,
                                    file: StaticString = #filePath, line: UInt = #line) throws -> (first: ReportOutcome, second: ReportOutcome) {
        let first = try write(ledger, options, format: format, scenario: scenario, into: "first-\(format.rawValue)")
        let second = try write(ledger, options, format: format, scenario: scenario, into: "second-\(format.rawValue)")
        XCTAssertEqual(first.files.map(\.name), second.files.map(\.name), format.rawValue, file: file, line: line)
        for (one, other) in zip(first.files + [first.manifest], second.files + [second.manifest]) {
            XCTAssertEqual(try Data(contentsOf: one.url), try Data(contentsOf: other.url), "\(one.name) differs between runs",
                           file: file, line: line)
        }
        return (first, second)
    }

    static func text(_ file: ReportFile) throws -> String {
        try String(contentsOf: file.url, encoding: .utf8)
    }
}

/// Runs programs the tests compare against: python3 for parsing and schema validation, chromium for rendering.
enum Program {
    struct Output {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// Returns the absolute path of `name` on PATH, or nil.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    workingDirectory: URL? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keyledger-report-program-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("stdout")
        let errorURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Output(status: process.terminationStatus,
                      standardOutput: try String(contentsOf: outputURL, encoding: .utf8),
                      standardError: try String(contentsOf: errorURL, encoding: .utf8))
    }

    /// Runs `Fixtures/report_checks.py COMMAND ARGUMENTS...` and decodes the JSON it prints.
    ///
    /// Skips the test when python3 is not installed.
    static func reportCheck(_ command: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Any {
        guard let python = find("python3") else {
            throw XCTSkip("python3 is not installed; install it to check report structure")
        }
        let script = try XCTUnwrap(Bundle.module.url(forResource: "report_checks", withExtension: "py", subdirectory: "Fixtures"))
        let output = try run(python, [script.path, command] + arguments)
        if output.status == 3 {
            throw XCTSkip(output.standardError.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        XCTAssertEqual(output.status, 0, "report_checks.py \(command) failed:\n\(output.standardError)", file: file, line: line)
        return try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8), options: [.fragmentsAllowed])
    }
}
