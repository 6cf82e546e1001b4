import Foundation
import XCTest

/// Several processes appending to one ledger at the same time.
final class ConcurrentAppendTests: CLITestCase {
    func testFourWritersAppendAThousandEntries() throws {
        let created = try createLedger()
        let writerCount = 4
        let appendsPerWriter = 250

        // Each writer is a shell loop that runs one `keyledger append` process per
        // event, as a deployment script would. --durability normal drops the fsync
        // of every commit: the test is about the write lock and the busy timeout,
        // which work the same in both modes, and 1,000 fsyncs can take minutes on
        // a slow disk.
        let script = """
            i=0
            while [ "$i" -lt "$APPENDS" ]; do
                i=$((i + 1))
                "$KEYLEDGER" append --ledger "$LEDGER" --signing-key "$KEY" --kind note \
                    --actor "writer-$WRITER" --body "{\\"writer\\":$WRITER,\\"i\\":$i}" --durability normal \
                    || echo "append $i of writer $WRITER exited with status $?" >&2
            done
            """
        let started = Date()
        let writers = try (1...writerCount).map { writer in
            try Program.start(URL(fileURLWithPath: "/bin/sh"), ["-c", script], environment: [
                "KEYLEDGER": executable.path, "LEDGER": created.ledger, "KEY": created.signingKey,
                "WRITER": "\(writer)", "APPENDS": "\(appendsPerWriter)",
            ], workingDirectory: directory)
        }
        let runs = try writers.map { try $0.wait(timeout: 300) }
        let elapsed = Date().timeIntervalSince(started)

        var printedHeads: [Int: String] = [:]
        for (index, run) in runs.enumerated() {
            let writer = index + 1
            XCTAssertEqual(run.status, 0, "writer \(writer)\n\(run.summary)")
            XCTAssertFalse(run.standardError.localizedCaseInsensitiveContains("busy"), "writer \(writer)\n\(run.summary)")
            XCTAssertFalse(run.standardError.localizedCaseInsensitiveContains("locked"), "writer \(writer)\n\(run.summary)")
            let unexpected = run.errorLines.filter { !$0.hasPrefix("appended entry ") }
            XCTAssertEqual(unexpected, [], "writer \(writer) printed errors")
            XCTAssertEqual(run.outputLines.count, appendsPerWriter, "writer \(writer) printed too few heads")
            for line in run.outputLines {
                let parts = line.split(separator: ":")
                guard parts.count == 2, let sequence = Int(parts[0]) else {
                    XCTFail("writer \(writer) printed \"\(line)\", not SEQ:HASH")
                    continue
                }
                XCTAssertNil(printedHeads[sequence], "sequence number \(sequence) was returned twice")
                printedHeads[sequence] = String(parts[1])
            }
        }

        let entries = try logEntries(created.ledger)
        XCTAssertEqual(entries.count, 1 + writerCount * appendsPerWriter)
        XCTAssertEqual(entries.compactMap { $0["seq"] as? Int }, Array(1...entries.count))
        for entry in entries.dropFirst() {
            let sequence = try XCTUnwrap(entry["seq"] as? Int)
            XCTAssertEqual(entry["hash"] as? String, printedHeads[sequence], "entry \(sequence) differs from what append returned")
        }

        // Each writer's events are in the order it appended them.
        for writer in 1...writerCount {
            let counters = entries
                .filter { $0["actor"] as? String == "writer-\(writer)" }
                .compactMap { ($0["body"] as? [String: Any])?["i"] as? Int }
            XCTAssertEqual(counters, Array(1...appendsPerWriter), "writer \(writer)'s entries are missing or out of order")
        }

        // The writers really ran at the same time: their entries interleave.
        let actors = entries.dropFirst().compactMap { $0["actor"] as? String }
        let switches = zip(actors, actors.dropFirst()).filter { $0 != $1 }.count
        XCTAssertGreaterThan(switches, writerCount * 4, "the writers barely overlapped, so the test proved little")

        let verify = try keyledger(["verify", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor])
        XCTAssertEqual(verify.status, 0, verify.summary)
        XCTAssertEqual(verify.outputLines.first, "valid: 1001 entries, 1001 signatures verified")
        print("4 writers appended \(writerCount * appendsPerWriter) entries in \(String(format: "%.1f", elapsed)) s, with \(switches) writer switches")
    }
}
