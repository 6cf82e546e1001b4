import Foundation
import TestSupport
import XCTest

/// The `keyledger` executable that SwiftPM built next to the test bundle.
enum KeyledgerExecutable {
    /// Locates the binary: the test target depends on the executable, so
    /// SwiftPM builds it beside the test bundle.
    static func url() throws -> URL {
        try BuiltProgram.url(named: "keyledger")
    }
}

/// A test case with a fresh temporary directory and helpers that run `keyledger` in it.
class CLITestCase: XCTestCase {
    private(set) var directory: URL!
    private(set) var executable: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        executable = try KeyledgerExecutable.url()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("keyledger-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
        try super.tearDownWithError()
    }

    /// Returns the absolute path of `name` in the test's directory.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs `keyledger` with `arguments` in the test's directory.
    @discardableResult
    func keyledger(_ arguments: [String], environment: [String: String] = [:], input: Data? = nil,
                   timeout: TimeInterval = 60) throws -> ProgramRun {
        try Program.run(executable, arguments, environment: environment, input: input,
                        workingDirectory: directory, timeout: timeout)
    }

    /// Runs `keyledger` and fails the test unless it exits with status 0.
    @discardableResult
    func keyledgerSucceeds(_ arguments: [String], environment: [String: String] = [:], input: Data? = nil,
                           file: StaticString = #filePath, line: UInt = #line) throws -> ProgramRun {
        let run = try keyledger(arguments, environment: environment, input: input)
        XCTAssertEqual(run.status, 0, run.summary, file: file, line: line)
        return run
    }

    /// Runs a `/bin/sh` script in the test's directory.
    @discardableResult
    func shell(_ script: String, environment: [String: String] = [:], timeout: TimeInterval = 60) throws -> ProgramRun {
        try Program.run(URL(fileURLWithPath: "/bin/sh"), ["-c", script], environment: environment,
                        workingDirectory: directory, timeout: timeout)
    }

    /// A ledger created by `keyledger init` with a generated key.
    struct CreatedLedger {
        let ledger: String
        let signingKey: String
        let trustAnchor: String
    }

    /// Creates a ledger whose first signing key is generated for `algorithm`.
    func createLedger(_ name: String = "ledger.db", algorithm: String = "ES256", actor: String = "alice@example.com",
                      file: StaticString = #filePath, line: UInt = #line) throws -> CreatedLedger {
        let ledger = path(name)
        let key = path("\(name).key.pem")
        let run = try keyledgerSucceeds(["init", "--ledger", ledger, "--generate-signing-key", algorithm,
                                         "--key-out", key, "--actor", actor], file: file, line: line)
        let anchor = try XCTUnwrap(run.outputLines.first, "init printed no trust anchor\n\(run.summary)", file: file, line: line)
        return CreatedLedger(ledger: ledger, signingKey: key, trustAnchor: anchor)
    }

    /// Opens, approves and starts change CHG-1, then generates an EdDSA key
    /// named api in `environment` into `keyFile`.
    /// - Returns: The key's id, as `key generate` printed it.
    @discardableResult
    func generateKeyUnderChange(_ ledger: CreatedLedger, environment: String = "production", keyFile: String = "api.pem",
                                file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let common = ["--ledger", ledger.ledger, "--signing-key", ledger.signingKey]
        try keyledgerSucceeds(["change", "open", "--id", "CHG-1", "--summary", "Rotate", "--technician", "tina",
                               "--reviewer", "rui", "--actor", "tina"] + common, file: file, line: line)
        try keyledgerSucceeds(["change", "approve", "--id", "CHG-1", "--actor", "rui"] + common, file: file, line: line)
        try keyledgerSucceeds(["change", "start", "--id", "CHG-1", "--actor", "tina"] + common, file: file, line: line)
        return try keyledgerSucceeds(["key", "generate", "--name", "api", "--env", environment, "--alg", "EdDSA",
                                      "--out", path(keyFile), "--change", "CHG-1", "--actor", "tina"] + common, file: file, line: line)
            .standardOutput.trimmingCharacters(in: .newlines)
    }

    /// Appends one event and returns the `SEQ:HASH` that `append` printed.
    @discardableResult
    func append(_ ledger: CreatedLedger, kind: String = "note", actor: String = "alice@example.com",
                body: String = "{}", file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let run = try keyledgerSucceeds(["append", "--ledger", ledger.ledger, "--signing-key", ledger.signingKey,
                                         "--kind", kind, "--actor", actor, "--body", body], file: file, line: line)
        return run.outputLines.first ?? ""
    }

    /// Runs `keyledger log --json` and decodes each line, in ledger order.
    func logEntries(_ ledger: String, _ filters: [String] = [], file: StaticString = #filePath,
                    line: UInt = #line) throws -> [[String: Any]] {
        let run = try keyledgerSucceeds(["log", "--ledger", ledger, "--json"] + filters, file: file, line: line)
        return try run.outputLines.map { text in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                          "log --json printed a line that is not a JSON object: \(text)", file: file, line: line)
        }
    }

    /// Runs `keyledger log --json` and returns its raw output, which tests compare byte for byte
    /// to show that a ledger is unchanged.
    func logSnapshot(_ ledger: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try keyledgerSucceeds(["log", "--ledger", ledger, "--json"], file: file, line: line).standardOutput
    }

    /// Writes `contents` to a file in the test's directory with `mode` and returns its path.
    @discardableResult
    func write(_ name: String, _ contents: Data, mode: Int = 0o600) throws -> String {
        let file = path(name)
        try contents.write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
        return file
    }

    @discardableResult
    func write(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
        try write(name, Data(text.utf8), mode: mode)
    }

    /// Runs `sql` on a database with the `sqlite3` command-line shell, skipping the test when it is absent.
    @discardableResult
    func sqlite3(_ database: String, _ sql: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let tool = try Program.require("sqlite3", for: "read and edit ledger files directly")
        let run = try Program.run(tool, ["-batch", database, sql])
        XCTAssertEqual(run.status, 0, run.summary, file: file, line: line)
        return run.standardOutput
    }

    /// Returns the file's permission bits, such as 0o600.
    func mode(of file: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        return try XCTUnwrap((attributes[.posixPermissions] as? NSNumber)?.intValue, "no permissions for \(file)")
    }
}
