import Foundation
import XCTest

/// SIGKILL at a random moment during appends: the ledger must stay valid and
/// keep every entry that an append reported as done.
final class CrashSafetyTests: CLITestCase {
    func testKilledAppendLoopKeepsEveryReportedEntry() throws {
        let created = try createLedger()
        let heads = path("heads.txt")
        // Each append prints SEQ:HASH only after its transaction has committed.
        let script = """
            i=0
            while :; do
                i=$((i + 1))
                "$KEYLEDGER" append --ledger "$LEDGER" --signing-key "$KEY" --kind note --actor loop \
                    --body "{\\"i\\":$i}" >> "$HEADS" 2>> "$ERRORS" || exit 1
            done
            """
        var generator = SystemRandomNumberGenerator()
        var reportedBefore = 0
        // Appends that committed but were killed before they could report it.
        var unreported = 0
        for round in 1...3 {
            let delay = Double.random(in: 0.4...1.4, using: &generator)
            let loop = try Program.start(URL(fileURLWithPath: "/bin/sh"), ["-c", script], environment: [
                "KEYLEDGER": executable.path, "LEDGER": created.ledger, "KEY": created.signingKey,
                "HEADS": heads, "ERRORS": path("errors.txt"),
            ], workingDirectory: directory)
            Thread.sleep(forTimeInterval: delay)
            loop.killGroup()
            let killed = try loop.wait(timeout: 30)
            let context = "round \(round), killed after \(String(format: "%.3f", delay)) s"
            XCTAssertEqual(killed.status, SIGKILL, "\(context): the loop ended before it was killed\n\(killed.summary)")

            // The first command after the crash only reads, so it must cope with the WAL as the killed writer left it.
            let verify = try keyledger(["verify", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor])
            XCTAssertEqual(verify.status, 0, "\(context)\n\(verify.summary)")

            let reported = Self.completeLines(ofFile: heads)
            let entries = try logEntries(created.ledger)
            let hashes = Dictionary(uniqueKeysWithValues: entries.compactMap { entry -> (String, String)? in
                guard let sequence = entry["seq"] as? Int, let hash = entry["hash"] as? String else { return nil }
                return ("\(sequence)", hash)
            })
            for line in reported {
                let parts = line.split(separator: ":").map(String.init)
                XCTAssertEqual(parts.count, 2, "\(context): \"\(line)\" is not SEQ:HASH")
                guard parts.count == 2 else { continue }
                XCTAssertEqual(hashes[parts[0]], parts[1], "\(context): reported entry \(line) is not in the ledger")
            }
            // At most one append per kill can have committed without reporting it: the one that was killed.
            let unreportedNow = entries.count - 1 - reported.count - unreported
            XCTAssertTrue(unreportedNow == 0 || unreportedNow == 1,
                          "\(context): \(entries.count - 1) entries appended but \(reported.count) reported")
            XCTAssertGreaterThan(reported.count, reportedBefore, "\(context): no append finished before the kill")
            unreported += max(0, unreportedNow)

            // Appending still works after the crash.
            let next = try append(created, body: #"{"after_round":\#(round)}"#)
            try Data((next + "\n").utf8).append(toFile: heads)
            reportedBefore = reported.count + 1
        }
        let messages = Self.completeLines(ofFile: path("errors.txt"))
        XCTAssertEqual(messages.filter { !$0.hasPrefix("appended entry ") }, [], "an append in the loop failed")
    }

    func testKilledBatchAppendsAllOrNothing() throws {
        let created = try createLedger()
        try append(created)
        let batchSize = 6_000
        let padding = String(repeating: "p", count: 200)
        let lines = (1...batchSize).map { #"{"kind":"note","actor":"batch","body":{"i":\#($0),"padding":"\#(padding)"}}"# }
        let batchFile = try write("batch.ndjson", lines.joined(separator: "\n") + "\n")

        // The first kill comes once the batch has spilled uncommitted pages into the
        // WAL, which shows that its transaction is under way. The later kills come at
        // random moments around that time: before, during or after the transaction.
        let expectedCount = try killBatchAppends(rounds: 3, of: created, batchSize: batchSize, entriesBefore: 2,
                                                 walBytes: 512 << 10, delays: 0.5...1.5, label: "batch") {
            try Program.start(executable, ["append", "--ledger", created.ledger, "--signing-key", created.signingKey,
                                           "--ndjson", batchFile], workingDirectory: directory)
        }

        let next = try keyledger(["append", "--ledger", created.ledger, "--signing-key", created.signingKey,
                                  "--kind", "note", "--actor", "alice"])
        XCTAssertEqual(next.status, 0, next.summary)
        XCTAssertEqual(next.standardOutput.split(separator: ":").first.map(String.init), "\(expectedCount + 1)")
    }

    func testKilledMultiChunkBatchAppendsAllOrNothing() throws {
        let created = try createLedger()
        // 20,000 lines make three chunks of at most 8,192 lines each.
        let batchSize = 20_000
        let lines = (1...batchSize).map { #"{"kind":"note","actor":"batch","body":{"i":\#($0)}}"# }
        let batchFile = try write("batch.ndjson", lines.joined(separator: "\n") + "\n")
        let temporaryDirectory = path("tmp")
        try FileManager.default.createDirectory(atPath: temporaryDirectory, withIntermediateDirectories: false)
        let appendCommand = #""$KEYLEDGER" append --ledger "$LEDGER" --signing-key "$KEY" --ndjson"#
        let sources = [("file", #"\#(appendCommand) "$BATCH""#), ("pipe", #"cat "$BATCH" | \#(appendCommand) -"#)]
        var expectedCount = 1
        for (source, script) in sources {
            // The first kill comes once uncommitted pages of the batch reach the WAL,
            // the second at a random moment before or after that.
            expectedCount = try killBatchAppends(rounds: 2, of: created, batchSize: batchSize, entriesBefore: expectedCount,
                                                 walBytes: 256 << 10, delays: 0.2...1.5, label: "batch from a \(source)",
                                                 start: {
                try Program.start(URL(fileURLWithPath: "/bin/sh"), ["-c", script], environment: [
                    "KEYLEDGER": executable.path, "LEDGER": created.ledger, "KEY": created.signingKey,
                    "BATCH": batchFile, "TMPDIR": temporaryDirectory,
                ], workingDirectory: directory)
            }, afterEachKill: { context in
                let leftOver = try FileManager.default.contentsOfDirectory(atPath: temporaryDirectory)
                XCTAssertEqual(leftOver, [], "\(context): files left in TMPDIR")
            })
        }
    }

    /// Starts a batch append with `start` in each of `rounds` rounds and kills it: in the
    /// first round once the WAL passes `walBytes`, later after that round's time
    /// multiplied by a random factor from `delays`. After each kill the ledger must
    /// verify and hold all of the batch's `batchSize` entries or none of them.
    /// - Returns: the number of entries after the last round.
    private func killBatchAppends(rounds: Int, of created: CreatedLedger, batchSize: Int, entriesBefore: Int,
                                  walBytes: Int, delays: ClosedRange<Double>, label: String,
                                  start: () throws -> RunningProgram,
                                  afterEachKill: (String) throws -> Void = { _ in }) throws -> Int {
        let wal = created.ledger + "-wal"
        var expectedCount = entriesBefore
        var walGrewAfter = 1.0
        var generator = SystemRandomNumberGenerator()
        for round in 1...rounds {
            let process = try start()
            let started = Date()
            let moment: String
            if round == 1 {
                try Self.waitForFile(wal, largerThan: walBytes, while: process)
                walGrewAfter = Date().timeIntervalSince(started)
                moment = "once the WAL exceeded \(walBytes >> 10) KiB, after \(String(format: "%.3f", walGrewAfter)) s"
            } else {
                let delay = walGrewAfter * Double.random(in: delays, using: &generator)
                Thread.sleep(forTimeInterval: delay)
                moment = "after \(String(format: "%.3f", delay)) s"
            }
            process.killGroup()
            let killed = try process.wait(timeout: 30)
            let context = "\(label) killed \(moment), exit status \(killed.status)"

            let verify = try keyledger(["verify", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor])
            XCTAssertEqual(verify.status, 0, "\(context)\n\(verify.summary)")
            // verify prints "valid: N entries, N signatures verified".
            let count = try XCTUnwrap(verify.outputLines.first?.split(separator: " ").dropFirst().first.flatMap { Int($0) },
                                      "\(context)\n\(verify.summary)")
            XCTAssertTrue(count == expectedCount || count == expectedCount + batchSize,
                          "\(context): \(count - expectedCount) of \(batchSize) batch entries were kept")
            print("\(context): \(count == expectedCount ? "none" : "all") of its entries kept")
            expectedCount = count
            try afterEachKill(context)
        }
        return expectedCount
    }

    /// Waits until the file at `path` is larger than `bytes`, failing the test if `process` ends first.
    static func waitForFile(_ path: String, largerThan bytes: Int, while process: RunningProgram) throws {
        let deadline = Date().addingTimeInterval(60)
        while process.process.isRunning, Date() < deadline {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
            if size > bytes { return }
            Thread.sleep(forTimeInterval: 0.002)
        }
        XCTFail("\(path) never grew past \(bytes) bytes while the batch ran")
    }

    /// Reads the lines of a file that end with a newline. A line cut short by a kill is left out.
    static func completeLines(ofFile path: String) -> [String] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var lines = text.components(separatedBy: "\n")
        lines.removeLast()
        return lines
    }
}

private extension Data {
    func append(toFile path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: self)
    }
}
