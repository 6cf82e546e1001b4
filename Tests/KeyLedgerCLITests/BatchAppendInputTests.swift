import Foundation
import XCTest

/// Where `keyledger append --ndjson -` keeps its copy of a pipe, and what it
/// locks while the pipe is still being written.
final class BatchAppendInputTests: CLITestCase {
    private let line = #"{"kind":"note","actor":"bot","body":{}}"#

    /// Runs `append --ndjson -` with `input` written to its standard input through a pipe.
    private func appendFromPipe(_ input: String, ledger created: CreatedLedger, temporaryDirectory: String) throws -> ProgramRun {
        let script = #"printf '%s' "$INPUT" | "$KEYLEDGER" append --ledger "$LEDGER" --signing-key "$KEY" --ndjson -"#
        return try Program.run(URL(fileURLWithPath: "/bin/sh"), ["-c", script], environment: [
            "KEYLEDGER": executable.path, "LEDGER": created.ledger, "KEY": created.signingKey,
            "INPUT": input, "TMPDIR": temporaryDirectory,
        ], workingDirectory: directory)
    }

    func testEmptyPipeNeedsNoTemporaryDirectory() throws {
        let created = try createLedger()
        let run = try appendFromPipe("", ledger: created, temporaryDirectory: path("missing-tmp"))
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardError, "error: standard input contains no events\n")
    }

    func testMissingTemporaryDirectoryIsNamed() throws {
        let created = try createLedger()
        let missing = path("missing-tmp")
        let run = try appendFromPipe(line + "\n", ledger: created, temporaryDirectory: missing)
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.contains("cannot create a temporary file in \(missing)"), run.summary)
        XCTAssertTrue(run.standardError.contains("set TMPDIR to a writable directory"), run.summary)
        XCTAssertEqual(try logEntries(created.ledger).count, 1, "a rejected batch appended entries")
    }

    /// Starts `append --ndjson -` fed by a writer that sends one line, then
    /// waits until the file `release` exists before it sends the last.
    private func startSlowPipeBatch(_ created: CreatedLedger, release: String,
                                    environment: [String: String] = [:]) throws -> RunningProgram {
        let script = """
            { echo "$LINE"; while [ ! -e "$RELEASE" ]; do sleep 0.05; done; echo "$LINE"; } |
                "$KEYLEDGER" append --ledger "$LEDGER" --signing-key "$KEY" --ndjson -
            """
        return try Program.start(URL(fileURLWithPath: "/bin/sh"), ["-c", script], environment: [
            "KEYLEDGER": executable.path, "LEDGER": created.ledger, "KEY": created.signingKey,
            "LINE": line, "RELEASE": release,
        ].merging(environment) { $1 }, workingDirectory: directory)
    }

    func testSlowPipeWriterLeavesLedgerUnlocked() throws {
        let created = try createLedger()
        let release = path("release-second-line")
        let batch = try startSlowPipeBatch(created, release: release)

        // The batch is still reading its input, so a single append must not wait for it.
        let single = try keyledger(["append", "--ledger", created.ledger, "--signing-key", created.signingKey,
                                    "--kind", "note", "--actor", "single"], timeout: 30)
        XCTAssertEqual(single.status, 0, single.summary)
        XCTAssertTrue(batch.process.isRunning, "the batch ended before its writer sent the last line")

        FileManager.default.createFile(atPath: release, contents: nil)
        let finished = try batch.wait(timeout: 60)
        XCTAssertEqual(finished.status, 0, finished.summary)
        let actors = try logEntries(created.ledger).compactMap { $0["actor"] as? String }
        XCTAssertEqual(Array(actors.dropFirst()), ["single", "bot", "bot"])
    }
    /// Returns the targets of the open file descriptors of the running `keyledger append` for `ledger`.
    private func descriptorTargets(ofAppendTo ledger: String) throws -> [String] {
        let processes = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { $0.allSatisfy(\.isNumber) }
        for pid in processes {
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard arguments.first == executable.path, arguments.contains("--ndjson"), arguments.contains(ledger) else { continue }
            let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            return descriptors.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)") }
        }
        return []
    }

    func testPipeCopyNeverHasAName() throws {
        let created = try createLedger()
        let temporary = path("tmp")
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        let probe = open(temporary, O_RDWR | O_EXCL | __O_TMPFILE, 0o600)
        guard probe >= 0 else {
            throw XCTSkip("the file system of \(temporary) cannot make unnamed files (O_TMPFILE): \(String(cString: strerror(errno)))")
        }
        close(probe)
        let release = path("release-second-line")
        let batch = try startSlowPipeBatch(created, release: release, environment: ["TMPDIR": temporary])
        defer { FileManager.default.createFile(atPath: release, contents: nil) }

        // Once the first line is copied, the copy is open: an O_TMPFILE file shows as "DIR/#INODE (deleted)".
        var copies: [String] = []
        let deadline = Date().addingTimeInterval(30)
        while copies.isEmpty && Date() < deadline {
            copies = try descriptorTargets(ofAppendTo: created.ledger).filter { $0.hasPrefix(temporary + "/") }
            if copies.isEmpty { usleep(20_000) }
        }
        let copy = try XCTUnwrap(copies.first, "no open file in TMPDIR")
        XCTAssertEqual(copies.count, 1, "open files in TMPDIR: \(copies)")
        XCTAssertTrue(copy.hasPrefix(temporary + "/#"), "the copy had a name: \(copy)")
        XCTAssertTrue(copy.hasSuffix(" (deleted)"), copy)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary), [])

        FileManager.default.createFile(atPath: release, contents: nil)
        let finished = try batch.wait(timeout: 60)
        XCTAssertEqual(finished.status, 0, finished.summary)
        XCTAssertEqual(try logEntries(created.ledger).count, 3)
    }
}
