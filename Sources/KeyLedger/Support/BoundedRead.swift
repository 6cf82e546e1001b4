import Foundation

/// Reading of input files whose size has a limit, without loading more than
/// the limit into memory.
public enum BoundedRead {
    /// Reads from `handle` until end of file, but no more than
    /// `maximumBytes + 1` bytes, so a larger input is detected without
    /// reading all of it.
    /// - Returns: The bytes read, or nil when the input is larger than `maximumBytes`.
    /// - Throws: The error of a failed read, such as for a directory.
    public static func read(_ handle: FileHandle, maximumBytes: Int) throws -> [UInt8]? {
        var bytes: [UInt8] = []
        while bytes.count <= maximumBytes {
            guard let chunk = try handle.read(upToCount: min(maximumBytes + 1 - bytes.count, 1 << 16)), !chunk.isEmpty else {
                return bytes
            }
            bytes.append(contentsOf: chunk)
        }
        return nil
    }

    /// Reads the file at `path` as ``read(_:maximumBytes:)`` does.
    /// - Returns: The bytes read, or nil when the file is larger than `maximumBytes`.
    /// - Throws: `unreadable` when the file cannot be opened or read.
    public static func read(path: String, maximumBytes: Int, unreadable: @autoclosure () -> LedgerError) throws -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw unreadable()
        }
        defer { try? handle.close() }
        do {
            return try read(handle, maximumBytes: maximumBytes)
        } catch {
            throw unreadable()
        }
    }
}
