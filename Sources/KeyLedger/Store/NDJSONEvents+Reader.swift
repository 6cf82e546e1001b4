import Foundation

extension NDJSONEvents {
    /// A reader rejects a line of more bytes than this. A body may be
    /// written with whitespace that its canonical JSON drops, so a line may
    /// take four times the body limit, as `append --body-file` allows, plus
    /// room for the kind and the actor.
    public static let maximumLineBytes = 4 * Event.maximumBodyBytes + 4_096

    /// Reads NDJSON events from a file or a pipe a chunk of lines at a time,
    /// so that a batch of any length is parsed in memory that does not grow
    /// with it.
    ///
    /// Each chunk is parsed as ``NDJSONEvents/parse(_:defaultActor:)`` parses
    /// a whole input, and errors name the line counted over the whole input.
    public final class Reader {
        private let handle: FileHandle
        private let defaultActor: String?
        private let linesPerChunk: Int
        private let bytesPerChunk: Int
        private let readSize: Int
        private let onRead: ((UnsafeRawBufferPointer) throws -> Void)?
        private let onChunk: ((UnsafeRawBufferPointer) throws -> Void)?
        /// Bytes read from the input and not yet returned as events.
        private var pending: [UInt8] = []
        private var endOfInput = false

        /// The lines returned so far, blank ones included.
        public private(set) var linesRead = 0

        /// - Parameters:
        ///   - handle: The input, read from its current offset to its end.
        ///     The reader does not close it.
        ///   - defaultActor: The actor of lines that name none.
        ///   - linesPerChunk: The most lines that one call of ``nextEvents()`` parses.
        ///   - bytesPerChunk: The bytes after which a chunk takes no further
        ///     lines, so that long lines make shorter chunks.
        ///   - readSize: The most bytes read from `handle` at a time.
        ///   - onRead: Called with each block of bytes read from `handle`, in order.
        ///   - onChunk: Called with the bytes of each chunk of lines, line
        ///     feeds included, before the chunk is parsed. Chunks of blank lines
        ///     are passed too. The chunks depend only on the input's bytes, not
        ///     on how `read` splits them, so the same input gives the same chunks.
        public init(_ handle: FileHandle, defaultActor: String?, linesPerChunk: Int = 8_192, bytesPerChunk: Int = 16 << 20,
                    readSize: Int = 1 << 20, onRead: ((UnsafeRawBufferPointer) throws -> Void)? = nil,
                    onChunk: ((UnsafeRawBufferPointer) throws -> Void)? = nil) {
            precondition(linesPerChunk > 0 && bytesPerChunk > 0 && readSize > 0, "a reader needs room for at least one line and one byte")
            self.handle = handle
            self.defaultActor = defaultActor
            self.linesPerChunk = linesPerChunk
            self.bytesPerChunk = bytesPerChunk
            self.readSize = readSize
            self.onRead = onRead
            self.onChunk = onChunk
        }

        /// Returns the events of up to `linesPerChunk` further lines, skipping
        /// chunks that contain only blank lines, or nil when the input is used up.
        /// - Throws: `LedgerError` for the first bad line, naming its number
        ///   in the input. A line longer than ``NDJSONEvents/maximumLineBytes``
        ///   is an `.invalidInput` error as soon as the limit is passed, and so
        ///   is input that cannot be read.
        public func nextEvents() throws -> [Event]? {
            while true {
                let (lines, consumed) = try nextLines()
                if lines.isEmpty { return nil }
                if let onChunk {
                    try pending.withUnsafeBytes { try onChunk(UnsafeRawBufferPointer(rebasing: $0[..<consumed])) }
                }
                let events = try NDJSONEvents.parseLines(lines, of: pending, firstLineNumber: linesRead + 1,
                                                         defaultActor: defaultActor)
                linesRead += lines.count
                pending.removeFirst(consumed)
                if !events.isEmpty { return events }
            }
        }

        /// Reads until `pending` has `linesPerChunk` whole lines, or whole
        /// lines of `bytesPerChunk` bytes, or the input ends, and returns the lines' ranges (without their line feed
        /// and a carriage return before it) and the bytes they take up.
        private func nextLines() throws -> (lines: [Range<Int>], consumed: Int) {
            var lines: [Range<Int>] = []
            var lineStart = 0
            var searchFrom = 0
            while lines.count < linesPerChunk && lineStart < bytesPerChunk {
                if let lineEnd = pending[searchFrom...].firstIndex(of: 0x0A) {
                    lines.append(try line(from: lineStart, to: lineEnd, number: lines.count))
                    lineStart = lineEnd + 1
                    searchFrom = lineStart
                } else if pending.count - lineStart > NDJSONEvents.maximumLineBytes + 1 {
                    // The one byte more is room for the carriage return of a CRLF line end.
                    throw tooLong(number: lines.count)
                } else if endOfInput {
                    if lineStart < pending.count {
                        lines.append(try line(from: lineStart, to: pending.count, number: lines.count))
                        lineStart = pending.count
                    }
                    break
                } else {
                    searchFrom = pending.count
                    try readMore()
                }
            }
            return (lines, lineStart)
        }

        private func line(from start: Int, to end: Int, number: Int) throws -> Range<Int> {
            let contentEnd = end > start && pending[end - 1] == 0x0D ? end - 1 : end
            guard contentEnd - start <= NDJSONEvents.maximumLineBytes else { throw tooLong(number: number) }
            return start..<contentEnd
        }

        /// Returns the error for the line at index `number` of the lines being gathered.
        private func tooLong(number: Int) -> LedgerError {
            LedgerError(.invalidInput,
                "line \(linesRead + number + 1) is longer than \(NDJSONEvents.maximumLineBytes) bytes: put one event on each line, with a body of at most \(Event.maximumBodyBytes) bytes as canonical JSON")
        }

        private func readMore() throws {
            let oldCount = pending.count
            pending.append(contentsOf: repeatElement(0, count: readSize))
            var count: Int
            repeat {
                count = pending.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress! + oldCount, readSize) }
            } while count < 0 && errno == EINTR
            guard count >= 0 else {
                let reason = String(cString: strerror(errno))
                pending.removeLast(readSize)
                throw LedgerError(.invalidInput, "cannot read the NDJSON input after line \(linesRead): \(reason)")
            }
            pending.removeLast(readSize - count)
            if count == 0 {
                endOfInput = true
                return
            }
            try pending.withUnsafeBytes { try onRead?(UnsafeRawBufferPointer(rebasing: $0[oldCount...])) }
        }
    }
}
