import Foundation
import JOSE
@testable import KeyLedger
import OpenSSLBridge
import XCTest

/// NDJSON read a chunk of lines at a time, and batches appended a chunk at a
/// time in one transaction. Small chunks and reads put line ends, carriage
/// returns and errors on every kind of boundary.
final class NDJSONStreamingTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
    }

    private func line(_ number: Int) -> String {
        #"{"kind":"x-test","actor":"bot-\#(number)","body":{"n":\#(number)}}"#
    }

    /// Writes `text` to a new file and opens it for reading.
    private func file(_ text: String, name: String = "events.ndjson") throws -> FileHandle {
        let path = directory.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try XCTUnwrap(FileHandle(forReadingAtPath: path))
    }

    /// Every event a reader returns, and the sizes of its chunks.
    private func readAll(_ reader: NDJSONEvents.Reader) throws -> (events: [Event], chunks: [Int]) {
        var events: [Event] = []
        var chunks: [Int] = []
        while let chunk = try reader.nextEvents() {
            events += chunk
            chunks.append(chunk.count)
        }
        return (events, chunks)
    }

    private func readError(_ text: String, linesPerChunk: Int, readSize: Int) throws -> LedgerError? {
        let reader = NDJSONEvents.Reader(try file(text), defaultActor: nil, linesPerChunk: linesPerChunk, readSize: readSize)
        do {
            _ = try readAll(reader)
            return nil
        } catch {
            return try XCTUnwrap(error as? LedgerError)
        }
    }

    func testChunksMatchAWholeParse() throws {
        let text = "\n" + (1...50).map(line).joined(separator: "\r\n") + "\n\n \t\n" + line(51)
        let whole = try NDJSONEvents.parse(Array(text.utf8), defaultActor: nil)
        for (linesPerChunk, readSize) in [(1, 1), (3, 7), (7, 64), (8_192, 1 << 20)] {
            let reader = NDJSONEvents.Reader(try file(text), defaultActor: nil, linesPerChunk: linesPerChunk, readSize: readSize)
            let (events, chunks) = try readAll(reader)
            XCTAssertEqual(events.map(\.actor), whole.map(\.actor), "\(linesPerChunk) lines per chunk, reads of \(readSize)")
            XCTAssertEqual(events.map(\.canonicalBody), whole.map(\.canonicalBody))
            XCTAssertFalse(chunks.contains(0), "chunk sizes \(chunks)")
            XCTAssertLessThanOrEqual(chunks.max() ?? 0, linesPerChunk, "chunk sizes \(chunks)")
            XCTAssertEqual(reader.linesRead, 54)
        }
    }

    func testLongLinesMakeShorterChunks() throws {
        let text = (1...10).map(line).joined(separator: "\n")
        let lineBytes = line(1).utf8.count + 1
        let reader = NDJSONEvents.Reader(try file(text), defaultActor: nil, bytesPerChunk: 3 * lineBytes, readSize: 16)
        let (events, chunks) = try readAll(reader)
        XCTAssertEqual(events.count, 10)
        XCTAssertEqual(chunks, [3, 3, 3, 1])
    }

    func testChunkOfBlankLinesIsSkipped() throws {
        let text = line(1) + "\n" + String(repeating: " \n", count: 10) + line(2) + "\n"
        let (events, chunks) = try readAll(NDJSONEvents.Reader(try file(text), defaultActor: nil, linesPerChunk: 3, readSize: 5))
        XCTAssertEqual(events.map(\.actor), ["bot-1", "bot-2"])
        XCTAssertEqual(chunks, [1, 1])
    }

    func testErrorNamesTheLineOfTheWholeInput() throws {
        var lines = (1...20).map(line)
        lines[13] = #"{"kind":"x-test","actor":"bot","extra":1}"#
        let error = try readError(lines.joined(separator: "\n"), linesPerChunk: 4, readSize: 9)
        XCTAssertEqual(error?.message.hasPrefix("line 14: unknown member \"extra\""), true, error?.message ?? "no error")
    }

    func testDefaultActorFillsLinesWithoutOne() throws {
        let text = #"{"kind":"note","body":{}}"# + "\n" + line(2)
        let reader = NDJSONEvents.Reader(try file(text), defaultActor: "importer", linesPerChunk: 1, readSize: 3)
        XCTAssertEqual(try readAll(reader).events.map(\.actor), ["importer", "bot-2"])
    }

    func testLongLineStopsTheRead() throws {
        let longest = NDJSONEvents.maximumLineBytes
        let text = line(1) + "\n" + String(repeating: "x", count: 4 * longest) + "\n" + line(3) + "\n"
        var bytesRead = 0
        let reader = NDJSONEvents.Reader(try file(text), defaultActor: nil, linesPerChunk: 8, readSize: 4_096,
                                         onRead: { bytesRead += $0.count })
        XCTAssertThrowsError(try readAll(reader)) { error in
            XCTAssertEqual((error as? LedgerError)?.message.hasPrefix("line 2 is longer than \(longest) bytes"), true, "\(error)")
        }
        XCTAssertLessThan(bytesRead, 2 * longest)
    }

    func testLineAtTheLimitIsRead() throws {
        // JSON allows whitespace between tokens, so the body stays small while the line reaches the limit.
        let head = #"{"kind":"note","actor":"a","body":{"t":"x""#
        let padding = String(repeating: " ", count: NDJSONEvents.maximumLineBytes - head.utf8.count - 2)
        let atLimit = head + padding + "}}"
        let (events, _) = try readAll(NDJSONEvents.Reader(try file(atLimit + "\n"), defaultActor: nil, readSize: 1_000))
        XCTAssertEqual(events.count, 1)
        XCTAssertEqual(try readError(head + " " + padding + "}}", linesPerChunk: 8, readSize: 1_000)?.message.hasPrefix("line 1 is longer"), true)
    }

    func testCRLFLineAtTheLimitIsRead() throws {
        // The carriage return ends the line like the line feed, so it does not count toward the limit.
        let head = #"{"kind":"note","actor":"a","body":{"t":"x""#
        let padding = String(repeating: " ", count: NDJSONEvents.maximumLineBytes - head.utf8.count - 2)
        let atLimit = head + padding + "}}"
        for readSize in [1_000, 1 << 20] {
            let reader = NDJSONEvents.Reader(try file(atLimit + "\r\n" + atLimit + "\r\n"), defaultActor: nil, readSize: readSize)
            XCTAssertEqual(try readAll(reader).events.count, 2, "reads of \(readSize) bytes")
        }
        XCTAssertEqual(try readError(head + " " + padding + "}}\r\n", linesPerChunk: 8, readSize: 1_000)?.message.hasPrefix("line 1 is longer"), true)
    }

    func testUnreadableInputIsNamed() throws {
        let handle = try XCTUnwrap(FileHandle(forReadingAtPath: directory.url.path))
        XCTAssertThrowsError(try NDJSONEvents.Reader(handle, defaultActor: nil).nextEvents()) { error in
            XCTAssertEqual((error as? LedgerError)?.message, "cannot read the NDJSON input after line 0: Is a directory")
        }
    }

    // MARK: - Appending

    private func newLedger() throws -> (Ledger, SigningKey) {
        let key = try SigningKey.generate(.edDSA)
        return (try Ledger.create(at: directory.path("ledger.db"), signingKey: key, actor: "init"), key)
    }

    func testChunkedAppendIsOneTransaction() throws {
        let (ledger, key) = try newLedger()
        var chunks = [[try Event(kind: .note, actor: "a")], [try Event(kind: .note, actor: "b")]]
        XCTAssertThrowsError(try ledger.appendChunks(signingKey: key) {
            if chunks.isEmpty { throw LedgerError(.invalidInput, "the source failed") }
            return chunks.removeFirst()
        })
        XCTAssertEqual(try ledger.head()?.sequence, 1, "the chunks appended before the failure were rolled back")
        XCTAssertTrue(try ledger.verify().isValid)
    }

    func testClaimedTimeErrorCountsEventsOfEarlierChunks() throws {
        let (ledger, key) = try newLedger()
        var chunks = [
            [try Event(kind: .note, actor: "a"), try Event(kind: .note, actor: "b")],
            [try Event(kind: .note, actor: "c", body: ["occurred_at": .string("2999-01-01T00:00:00Z")])],
        ]
        XCTAssertThrowsError(try ledger.appendChunks(signingKey: key) { chunks.isEmpty ? nil : chunks.removeFirst() }) { error in
            XCTAssertEqual((error as? LedgerError)?.message.contains("entry 4 (event 3 of the batch) was not appended"), true, "\(error)")
        }
        XCTAssertEqual(try ledger.head()?.sequence, 1)
    }

    func testAppendNDJSONFromAFileOffsetAndFromAPipe() throws {
        let (ledger, key) = try newLedger()
        let text = (1...30).map(line).joined(separator: "\n") + "\n"

        // A regular file is read twice from the offset it had, not from its start.
        let skipped = "not an event\n"
        let handle = try file(skipped + text)
        try handle.seek(toOffset: UInt64(skipped.utf8.count))
        var reports: [(Int, Int)] = []
        let fromFile = try XCTUnwrap(ledger.appendNDJSON(from: handle, defaultActor: nil, signingKey: key,
                                                         progress: { reports.append(($0, $1)) }))
        XCTAssertEqual(fromFile.count, 30)
        XCTAssertEqual(fromFile.firstSequence, 2)
        XCTAssertEqual(fromFile.last.sequence, 31)
        XCTAssertEqual(fromFile.last.actor, "bot-30")
        XCTAssertEqual(reports.last?.0, 30)
        XCTAssertTrue(reports.allSatisfy { $0.1 == 30 }, "progress totals \(reports.map(\.1))")

        // A pipe is copied during the first pass and appended from the copy.
        let pipe = Pipe()
        let writer = Thread {
            pipe.fileHandleForWriting.write(Data(text.utf8))
            try? pipe.fileHandleForWriting.close()
        }
        writer.start()
        let fromPipe = try XCTUnwrap(ledger.appendNDJSON(from: pipe.fileHandleForReading, defaultActor: nil, signingKey: key))
        XCTAssertEqual(fromPipe.count, 30)
        XCTAssertEqual(fromPipe.firstSequence, 32)
        var actors: [String] = []
        try ledger.entries(EntryFilter(sequences: 32...61)) { actors.append($0.actor) }
        XCTAssertEqual(actors, (1...30).map { "bot-\($0)" })
        XCTAssertTrue(try ledger.verify().isValid)
    }

    func testAppendNDJSONChecksEveryLineBeforeAppending() throws {
        let (ledger, key) = try newLedger()
        var lines = (1...30).map(line)
        lines[28] = #"{"kind":"generated","actor":"bot"}"#
        XCTAssertThrowsError(try ledger.appendNDJSON(from: try file(lines.joined(separator: "\n")), defaultActor: nil, signingKey: key)) { error in
            XCTAssertEqual((error as? LedgerError)?.message.hasPrefix("line 29: "), true, "\(error)")
        }
        XCTAssertEqual(try ledger.head()?.sequence, 1)
        XCTAssertNil(try ledger.appendNDJSON(from: try file("\n \n", name: "blank.ndjson"), defaultActor: nil, signingKey: key))
        XCTAssertEqual(try ledger.head()?.sequence, 1)
    }

    /// Runs `change` on the file at `path` once, from the first progress report
    /// of a batch append, which comes while the first chunk is being signed.
    private func changeOnFirstProgress(_ change: @escaping (FileHandle) throws -> Void, path: String) -> ProgressHandler {
        let lock = NSLock()
        var changed = false
        return { _, _ in
            lock.lock()
            defer { lock.unlock() }
            guard !changed, let writer = FileHandle(forUpdatingAtPath: path) else { return }
            changed = true
            try? change(writer)
            try? writer.close()
        }
    }

    func testFileChangedBetweenPassesAppendsNothing() throws {
        let (ledger, key) = try newLedger()
        // Lines of 200 bytes put the changes past the first megabyte, which
        // the second pass has already read when the first chunk is signed.
        let padding = String(repeating: "p", count: 150)
        let paddedLine = { (number: Int) in #"{"kind":"note","actor":"a","body":{"n":\#(number + 100_000),"p":"\#(padding)"}}"# }
        let text = (1...20_000).map(paddedLine).joined(separator: "\n") + "\n"
        let cut = UInt64((1...15_000).map { paddedLine($0).utf8.count + 1 }.reduce(0, +))
        let extra = Data(((20_001...20_010).map(paddedLine).joined(separator: "\n") + "\n").utf8)
        let changes: [(String, (FileHandle) throws -> Void)] = [
            ("truncated", { try $0.truncate(atOffset: cut) }),
            ("appended to", { try $0.seekToEnd(); try $0.write(contentsOf: extra) }),
            ("rewritten", { try $0.seek(toOffset: cut + 40); try $0.write(contentsOf: Data("9".utf8)) }),
        ]
        for (name, change) in changes {
            let path = directory.path("\(name).ndjson")
            let handle = try file(text, name: "\(name).ndjson")
            XCTAssertThrowsError(try ledger.appendNDJSON(from: handle, defaultActor: nil, signingKey: key,
                                                         progress: changeOnFirstProgress(change, path: path)), name) { error in
                XCTAssertEqual((error as? LedgerError)?.code, .invalidInput, "\(name): \(error)")
                XCTAssertEqual((error as? LedgerError)?.message.contains("changed while it was read"), true, "\(name): \(error)")
            }
            XCTAssertEqual(try ledger.head()?.sequence, 1, "a file \(name) during the append added entries")
        }
        XCTAssertTrue(try ledger.verify().isValid)
    }
}
