import CLibcrypto

/// The owner of one memory `BIO*`, which it frees in `deinit`.
final class MemoryBIO {
    private let pointer: OpaquePointer

    /// Creates an empty, writable memory BIO.
    init() throws {
        pointer = try LibCrypto.unwrap(BIO_new(BIO_s_mem()), .internalError, "BIO_new failed for a memory BIO")
    }

    deinit {
        BIO_free(pointer)
    }

    /// Lends the `BIO*` to `body`. The pointer must not be used after `body` returns.
    func withUnsafePointer<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result {
        try body(pointer)
    }

    /// Copies everything written so far into an array.
    func contents() throws -> [UInt8] {
        var data: UnsafeMutablePointer<CChar>?
        let length = keyledger_BIO_get_mem_data(pointer, &data)
        guard length >= 0 else {
            throw LibCrypto.error(.internalError, "BIO_get_mem_data failed")
        }
        guard length > 0, let data else {
            return []
        }
        return Array(UnsafeRawBufferPointer(start: data, count: length))
    }

    /// Returns everything written so far as UTF-8 text, as PEM writers produce.
    func text() throws -> String {
        String(decoding: try contents(), as: UTF8.self)
    }
}
