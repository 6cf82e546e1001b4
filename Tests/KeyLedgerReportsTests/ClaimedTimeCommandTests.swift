import Foundation
import KeyLedger
import KeyLedgerReports
import XCTest

/// Backdated steps through the real `keyledger` program: impossible claimed
/// times exit 2 and append nothing, and steps recorded now but dated inside a
/// past change window are report exceptions.
final class ClaimedTimeCommandTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var ledgerPath: String!
    private var keyPath: String!
    private var anchor: String!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        ledgerPath = directory.path("ledger.db")
        keyPath = directory.path("ledger-key.pem")
        let created = try KeyledgerBinary.run(["init", "--ledger", ledgerPath, "--generate-signing-key", "ES256",
                                               "--key-out", keyPath, "--actor", "security-team"])
        XCTAssertEqual(created.status, 0, created.standardError)
        anchor = try XCTUnwrap(created.standardOutput.split(separator: "\n").first.map(String.init))
    }

    /// Runs one appending command against the test's ledger.
    private func run(_ arguments: [String]) throws -> Program.Output {
        try KeyledgerBinary.run(arguments + ["--ledger", ledgerPath, "--signing-key", keyPath])
    }

    @discardableResult
    private func runSucceeding(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Program.Output {
        let output = try run(arguments)
        XCTAssertEqual(output.status, 0, "\(arguments): \(output.standardError)", file: file, line: line)
        return output
    }

    private func head() throws -> Int64 { try Ledger(path: ledgerPath, readOnly: true).head()?.sequence ?? 0 }

    private static func time(minutesFromNow minutes: Int64) -> String {
        Timestamp(millisecondsSinceEpoch: Timestamp.now().millisecondsSinceEpoch + minutes * 60_000).description
    }

    private func openChange(_ id: String, windowStart: String, windowEnd: String) throws {
        try runSucceeding(["change", "open", "--id", id, "--summary", "Rotate the API key", "--technician", "tina",
                           "--reviewer", "rui", "--criticality", "C3", "--window-start", windowStart,
                           "--window-end", windowEnd, "--actor", "tina"])
    }

    func testImpossibleClaimedTimesExitTwoAndAppendNothing() throws {
        try openChange("CHG-1", windowStart: Self.time(minutesFromNow: -60), windowEnd: Self.time(minutesFromNow: 60))
        let before = try head()
        let cases: [(at: String, message: String)] = [
            (Self.time(minutesFromNow: 30), "is later than the recorded time"),
            ("2026-13-01T00:00:00Z", "is not a time"),
        ]
        for (at, message) in cases {
            let output = try run(["change", "approve", "--id", "CHG-1", "--actor", "rui", "--at", at])
            XCTAssertEqual(output.status, 2, "--at \(at): \(output.standardError)")
            XCTAssertTrue(output.standardError.contains(message), output.standardError)
            XCTAssertTrue(output.standardError.contains("--at"), output.standardError)
            XCTAssertEqual(output.standardOutput, "")
            XCTAssertEqual(try head(), before, "--at \(at) appended an entry")
        }
        try runSucceeding(["change", "approve", "--id", "CHG-1", "--actor", "rui", "--at", Self.time(minutesFromNow: 2)])
    }

    func testNDJSONBatchWithImpossibleClaimedTimeAppendsNothing() throws {
        let batch = directory.path("batch.ndjson")
        try """
            {"kind":"note","actor":"ops","body":{"text":"today"}}

            {"kind":"note","actor":"ops","body":{"text":"dated later","occurred_at":"2999-01-01T00:00:00Z"}}

            """.write(toFile: batch, atomically: true, encoding: .utf8)
        let before = try head()
        let output = try run(["append", "--ndjson", batch])
        XCTAssertEqual(output.status, 2, output.standardError)
        // The error counts lines of the file, the blank one included, as other NDJSON errors do.
        XCTAssertTrue(output.standardError.contains("line 3: the claimed time"), output.standardError)
        XCTAssertTrue(output.standardError.contains("is later than the current time"), output.standardError)
        XCTAssertEqual(try head(), before, "the batch appended an entry")
    }

    func testNDJSONClaimedTimeOfWrongType() throws {
        let batch = directory.path("batch.ndjson")
        try """
            {"kind":"note","actor":"ops","body":{"text":"today"}}
            {"kind":"note","actor":"ops","body":{"occurred_at":20261205}}

            """.write(toFile: batch, atomically: true, encoding: .utf8)
        let before = try head()
        let output = try run(["append", "--ndjson", batch])
        XCTAssertEqual(output.status, 2, output.standardError)
        XCTAssertTrue(output.standardError.contains("line 2: the claimed time is a number, not a string with an RFC 3339 time"),
                      output.standardError)
        XCTAssertEqual(output.standardOutput, "")
        XCTAssertEqual(try head(), before, "the batch appended an entry")
    }

    func testBackdatedStepsInPastWindowAreExceptions() throws {
        // The steps of the review's reproduction, scaled down to a ledger created now. The window
        // is the first second after the genesis entry, and every step is recorded after it. Each
        // step claims the genesis time, which is inside the window and before the change was opened.
        let genesis = try XCTUnwrap(Ledger(path: ledgerPath, readOnly: true).entry(sequence: 1)).recordedAt
        let windowEnd = Timestamp(millisecondsSinceEpoch: genesis.millisecondsSinceEpoch + 1000)
        try openChange("C1", windowStart: genesis.description, windowEnd: windowEnd.description)
        while Timestamp.now() <= windowEnd { Thread.sleep(forTimeInterval: 0.05) }
        let inWindow = genesis.description
        let approved = try head() + 1
        try runSucceeding(["change", "approve", "--id", "C1", "--actor", "rui", "--at", inWindow])
        try runSucceeding(["change", "start", "--id", "C1", "--actor", "tina", "--at", inWindow])
        // A key keyledger generates is generated now, so key generate takes no --at.
        let generateArguments = ["key", "generate", "--name", "api_jwt_signing_key", "--env", "production",
                                 "--out", directory.path("production.pem"), "--change", "C1", "--actor", "tina", "--custody", "vault"]
        let backdated = try run(generateArguments + ["--at", inWindow])
        XCTAssertEqual(backdated.status, 2, backdated.standardError)
        XCTAssertTrue(backdated.standardError.contains("--at"), backdated.standardError)
        let generated = try head() + 1
        try runSucceeding(generateArguments)

        let today = String(Timestamp.now().description.prefix(10))
        let report = try KeyledgerBinary.run(["report", "--ledger", ledgerPath, "--from", today, "--to", today,
                                              "--format", "json", "--out", directory.path("out"),
                                              "--trust-anchor", anchor, "--no-record"])
        XCTAssertEqual(report.status, 0, report.standardError)
        let file = try XCTUnwrap(report.standardOutput.split(separator: "\n").first { $0.hasSuffix(".json") })
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: String(file)))) as? [String: Any]
        let exceptions = try XCTUnwrap(document?["exceptions"] as? [[String: Any]])
        let found = Set(exceptions.compactMap { exception -> String? in
            guard let rule = exception["rule"] as? String, let entry = exception["entry"] as? [String: Any],
                  let sequence = entry["seq"] as? Int else { return nil }
            return "\(rule) \(sequence)"
        })
        let started = Int(approved) + 1
        for expected in [
            "change.step_claimed_before_opening \(approved)",
            "change.step_claimed_before_opening \(started)", "change.step_outside_window \(started)",
            "change.step_outside_window \(generated)",
        ] {
            XCTAssertTrue(found.contains(expected), "\(expected) missing from \(found.sorted())")
        }
        let window = exceptions.first { ($0["rule"] as? String) == "change.step_outside_window" }
        let explanation = try XCTUnwrap(window?["explanation"] as? String)
        XCTAssertTrue(explanation.contains("was recorded at"), explanation)
        XCTAssertTrue(explanation.contains("claims \(inWindow)"), explanation)
    }
}
