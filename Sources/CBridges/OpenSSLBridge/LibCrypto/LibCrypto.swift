import CLibcrypto

/// The error handling shared by every call into libcrypto.
///
/// The files in this folder are the only ones in the module that import
/// CLibcrypto. Each of them checks the return value of every libcrypto call
/// where it is made and turns a failure into a ``CryptoError`` through
/// ``error(_:_:file:line:)``, which drains the calling thread's OpenSSL error
/// queue into the error.
enum LibCrypto {
    /// Makes an error and moves this thread's OpenSSL error queue into it.
    static func error(
        _ code: CryptoError.Code,
        _ reason: String,
        file: String = #fileID,
        line: Int = #line
    ) -> CryptoError {
        CryptoError(code: code, reason: reason, openSSLErrors: drainErrorQueue(), location: "\(file):\(line)")
    }

    /// Throws unless `result` is 1, the success value of most libcrypto functions.
    static func check(
        _ result: Int32,
        _ code: CryptoError.Code,
        _ reason: @autoclosure () -> String,
        file: String = #fileID,
        line: Int = #line
    ) throws {
        guard result == 1 else {
            throw error(code, reason(), file: file, line: line)
        }
    }

    /// Returns `pointer`, or throws when a libcrypto constructor returned NULL.
    static func unwrap<Pointer>(
        _ pointer: Pointer?,
        _ code: CryptoError.Code,
        _ reason: @autoclosure () -> String,
        file: String = #fileID,
        line: Int = #line
    ) throws -> Pointer {
        guard let pointer else {
            throw error(code, reason(), file: file, line: line)
        }
        return pointer
    }

    /// Removes every entry from this thread's OpenSSL error queue and returns
    /// them oldest first, each with its additional text when libcrypto gave one.
    static func drainErrorQueue() -> [String] {
        var messages: [String] = []
        while true {
            var data: UnsafePointer<CChar>?
            var flags: Int32 = 0
            let packed = ERR_get_error_all(nil, nil, nil, &data, &flags)
            if packed == 0 {
                return messages
            }
            var message = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
                ERR_error_string_n(packed, buffer.baseAddress, buffer.count)
                return String(cString: buffer.baseAddress!)
            }
            if flags & ERR_TXT_STRING != 0, let data, data.pointee != 0 {
                message += " (\(String(cString: data)))"
            }
            messages.append(message)
        }
    }

    /// Discards this thread's OpenSSL error queue, after a failure that is
    /// reported without an error (a signature that does not verify).
    static func clearErrorQueue() {
        ERR_clear_error()
    }
}
