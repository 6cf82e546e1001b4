import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File creation with an exact mode and no overwrite, which Foundation's
/// writing APIs do not offer in one step.
enum SecureFile {
    /// Creates `path` with `mode` and writes `contents`, failing if the file exists.
    ///
    /// O_EXCL makes creation and the existence check one atomic step, and the
    /// mode is set at creation, so the bytes are never readable by others.
    static func createExclusively(path: String, contents: [UInt8], mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST {
                throw LedgerError(.invalidInput, "\(quoted(path)) already exists: choose a new file name; an existing key file is never overwritten")
            }
            throw LedgerError(.storage, "cannot create \(quoted(path)): \(String(cString: strerror(code)))")
        }
        defer { close(descriptor) }
        // The umask may have cleared bits of `mode` but never adds any; fchmod makes the mode exact.
        _ = fchmod(descriptor, mode)
        var written = 0
        while written < contents.count {
            let result = contents[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                let code = errno
                unlink(path)
                throw LedgerError(.storage, "cannot write \(quoted(path)): \(String(cString: strerror(code)))")
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            let code = errno
            unlink(path)
            throw LedgerError(.storage, "cannot flush \(quoted(path)) to disk: \(String(cString: strerror(code)))")
        }
    }
}
