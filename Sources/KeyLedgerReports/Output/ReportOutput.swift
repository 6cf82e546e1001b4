import Foundation
import OpenSSLBridge

/// A file a report wrote, with the SHA-256 of its bytes.
public struct ReportFile: Equatable, Sendable {
    /// The file name inside the output directory.
    public let name: String
    public let url: URL
    /// SHA-256 of the file's bytes, in lowercase hex.
    public let sha256Hex: String
}

/// Buffered text output to one file.
///
/// Write errors are remembered rather than thrown at every call, which keeps
/// the renderers readable; `close()` throws the first one.
final class ReportFileWriter {
    let name: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var failure: Error?
    private static let bufferLimit = 1 << 16

    init(name: String, url: URL) throws {
        self.name = name
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw ReportError(.output, "cannot create \(ReportError.quoted(url.path)): check that the output directory is writable")
        }
        handle = try FileHandle(forWritingTo: url)
        buffer.reserveCapacity(Self.bufferLimit)
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.bufferLimit { flush() }
    }

    private func flush() {
        guard failure == nil, !buffer.isEmpty else {
            buffer.removeAll(keepingCapacity: true)
            return
        }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            failure = error
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered and closes the file.
    ///
    /// - Throws: `ReportError` with the first write error, if any.
    func close() throws {
        flush()
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            if failure == nil { failure = error }
        }
        if let failure {
            throw ReportError(.output, "writing \(ReportError.quoted(name)) failed: \(failure.localizedDescription)")
        }
    }
}

/// The files of one report, written under temporary names and renamed into
/// place only when all of them are complete, so a failed run leaves no
/// half-written report behind.
final class ReportOutput {
    let directory: URL
    private var files: [(name: String, temporary: URL, writer: ReportFileWriter)] = []

    init(directory: URL) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportError(.output, "cannot create the output directory \(ReportError.quoted(directory.path)): \(error.localizedDescription)")
        }
    }

    /// Starts the file `name` in the output directory.
    func create(_ name: String) throws -> ReportFileWriter {
        let temporary = directory.appendingPathComponent(".\(name).partial-\(ProcessInfo.processInfo.processIdentifier)")
        let writer = try ReportFileWriter(name: name, url: temporary)
        files.append((name, temporary, writer))
        return writer
    }

    /// Closes every file, renames each to its final name, and returns them with their digests in the order created.
    func commit() throws -> [ReportFile] {
        do {
            for file in files { try file.writer.close() }
            var committed: [ReportFile] = []
            for file in files {
                let target = directory.appendingPathComponent(file.name)
                if FileManager.default.fileExists(atPath: target.path) {
                    try FileManager.default.removeItem(at: target)
                }
                try FileManager.default.moveItem(at: file.temporary, to: target)
                committed.append(ReportFile(name: file.name, url: target, sha256Hex: try Self.sha256Hex(of: target)))
            }
            files = []
            return committed
        } catch {
            discard()
            throw error
        }
    }

    /// Removes every file not yet committed.
    func discard() {
        for file in files {
            try? file.writer.close()
            try? FileManager.default.removeItem(at: file.temporary)
        }
        files = []
    }

    /// Computes the SHA-256 of a file's bytes in lowercase hex, reading it in
    /// 1 MiB chunks so that memory stays flat however large the report is.
    static func sha256Hex(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let digest = try IncrementalDigest(.sha256)
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            try digest.update(chunk)
        }
        return ReportAssembly.hex(try digest.finalize())
    }
}
