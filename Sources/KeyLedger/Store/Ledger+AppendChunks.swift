import Foundation
import OpenSSLBridge

/// The entries that one batch append added: how many, and the first and last.
public struct BatchAppend: Sendable {
    public let count: Int
    public let firstSequence: Int64
    public let last: Entry
}

extension Ledger {
    /// Appends the events that `nextEvents` returns, a chunk at each call,
    /// until it returns nil: all of them in one transaction, or none.
    ///
    /// Each chunk is chained, signed and inserted before the next is asked
    /// for, so only one chunk's entries are held in memory at a time.
    /// `nextEvents` runs while this process holds the write lock, so it
    /// should not wait on a slow source. For that reason
    /// ``appendNDJSON(from:defaultActor:signingKey:progress:)`` reads all of
    /// its input before it takes the lock.
    /// - Parameter progress: called with the number of entries signed so far
    ///   and `expectedCount`, or 0 when that is not given.
    /// - Returns: the entries appended, or nil when `nextEvents` returned no events at all.
    /// - Throws: the first error of `nextEvents` or of an append; nothing is appended then.
    @discardableResult
    public func appendChunks(signingKey: SigningKey, expectedCount: Int? = nil, progress: ProgressHandler? = nil,
                             _ nextEvents: () throws -> [Event]?) throws -> BatchAppend? {
        try storage(path) {
            try connection.transaction(.immediate) {
                var count = 0
                var first: Int64?
                var last: Entry?
                while let events = try nextEvents() {
                    guard !events.isEmpty else { continue }
                    let before = count
                    let chunkProgress = progress.map { report in
                        { (signed: Int, _: Int) in report(before + signed, expectedCount ?? 0) }
                    }
                    let entries = try appendLocked(events, signingKey: signingKey, expectedSigner: nil,
                                                   progress: chunkProgress, eventsBefore: before)
                    first = first ?? entries.first?.sequence
                    last = entries.last ?? last
                    count += entries.count
                }
                guard let first, let last else { return nil }
                return BatchAppend(count: count, firstSequence: first, last: last)
            }
        }
    }

    /// Appends every event of NDJSON `input`, read from its current offset
    /// to its end, in one transaction: all of them or none.
    ///
    /// The input is read twice, a chunk of lines at a time, so that memory
    /// does not grow with the batch. The first pass checks every line and
    /// counts the events before the ledger is locked, so a bad line is
    /// reported before anything is signed and a slow writer to a pipe never
    /// holds up other appends. The second pass appends. Input that cannot be
    /// read twice, such as a pipe, is copied during the first pass to a
    /// temporary file that is removed at once and disappears when closed.
    ///
    /// The second pass compares the SHA-256 digest of each chunk with the
    /// first pass's. So a file that another process truncates, extends or
    /// rewrites meanwhile is rejected, instead of appending unchecked lines
    /// or only part of the batch.
    /// - Parameter progress: called with the number of entries signed so far and the number of events.
    /// - Returns: the entries appended, or nil when the input has no events; nothing is appended then.
    /// - Throws: `LedgerError` naming the line of the first bad line, or the
    ///   error of the append; nothing is appended on any error.
    @discardableResult
    public func appendNDJSON(from input: FileHandle, defaultActor: String?, signingKey: SigningKey,
                             progress: ProgressHandler? = nil) throws -> BatchAppend? {
        let replay = ReplayableInput(input)
        var eventCount = 0
        var chunkDigests: [[UInt8]] = []
        let checking = NDJSONEvents.Reader(replay.firstPass, defaultActor: defaultActor, onRead: replay.copy,
                                           onChunk: { chunkDigests.append(Digest.sha256($0)) })
        while let events = try checking.nextEvents() {
            eventCount += events.count
        }
        guard eventCount > 0 else { return nil }

        var chunksAppended = 0
        let appending = NDJSONEvents.Reader(try replay.secondPass(), defaultActor: defaultActor, onChunk: { bytes in
            guard chunksAppended < chunkDigests.count, Digest.sha256(bytes) == chunkDigests[chunksAppended] else {
                throw InputChanged()
            }
            chunksAppended += 1
        })
        return try appendChunks(signingKey: signingKey, expectedCount: eventCount, progress: progress) {
            do {
                guard let events = try appending.nextEvents() else {
                    guard chunksAppended == chunkDigests.count else { throw InputChanged() }
                    return nil
                }
                return events
            } catch is InputChanged {
                throw Self.inputChanged(afterLine: appending.linesRead)
            }
        }
    }

    /// The second pass over an NDJSON input found other bytes than the first.
    private struct InputChanged: Error {}

    private static func inputChanged(afterLine line: Int) -> LedgerError {
        LedgerError(.invalidInput,
            "the NDJSON input changed while it was read, after line \(line), so nothing was appended: append from a file that no other process writes to, such as a copy")
    }
}

/// Input that can be read a second time from where the first read began:
/// a regular file is read again from its starting offset, anything else is
/// copied to an unlinked temporary file while it is read.
private final class ReplayableInput {
    let firstPass: FileHandle
    /// The offset to read a regular file again from, or nil when the input is copied instead.
    private let startOffset: UInt64?
    /// The copy, created at the first byte read, so that empty input needs no
    /// temporary directory. Input of blank lines only still needs one.
    private var spool: FileHandle?
    private let temporaryDirectory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"

    init(_ input: FileHandle) {
        firstPass = input
        var status = stat()
        if fstat(input.fileDescriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
           let offset = try? input.offset() {
            startOffset = offset
        } else {
            startOffset = nil
        }
    }

    /// Keeps a copy of bytes read in the first pass, when the input cannot be read again.
    func copy(_ bytes: UnsafeRawBufferPointer) throws {
        guard startOffset == nil else { return }
        let spool = try self.spool ?? Self.unlinkedTemporaryFile(in: temporaryDirectory)
        self.spool = spool
        var written = 0
        while written < bytes.count {
            let count = write(spool.fileDescriptor, bytes.baseAddress! + written, bytes.count - written)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw LedgerError(.invalidInput,
                    "cannot keep a copy of the NDJSON input in \(temporaryDirectory): \(String(cString: strerror(errno))); set TMPDIR to a directory with free space")
            }
            written += count
        }
    }

    /// Returns the input again, positioned where the first pass began.
    func secondPass() throws -> FileHandle {
        do {
            if let spool {
                try spool.seek(toOffset: 0)
                return spool
            }
            // A pipe that was never copied was empty, so reading it again finds its end at once.
            guard let startOffset else { return firstPass }
            try firstPass.seek(toOffset: startOffset)
            return firstPass
        } catch {
            throw LedgerError(.invalidInput, "cannot read the NDJSON input a second time: \(error.localizedDescription); append from a regular file instead")
        }
    }

    /// Opens a new file in `directory` that has no name, so that a killed
    /// process leaves nothing behind. Linux's `O_TMPFILE` makes such a file at
    /// once. Swift cannot import that macro, but glibc's `__O_TMPFILE` has the
    /// same value, `O_DIRECTORY` included. On a file system without it, the
    /// file is made with `mkstemp` and its name removed right after, which
    /// leaves a short window in which a kill would leave the file.
    private static func unlinkedTemporaryFile(in directory: String) throws -> FileHandle {
        var descriptor = open(directory, O_RDWR | O_EXCL | O_CLOEXEC | __O_TMPFILE, 0o600)
        if descriptor < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
            var template = Array("\(directory)/keyledger-ndjson.XXXXXX".utf8CString)
            descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            if descriptor >= 0 {
                template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
            }
        }
        guard descriptor >= 0 else {
            throw LedgerError(.invalidInput,
                "cannot create a temporary file in \(directory) for the NDJSON input: \(String(cString: strerror(errno))); set TMPDIR to a writable directory")
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}
