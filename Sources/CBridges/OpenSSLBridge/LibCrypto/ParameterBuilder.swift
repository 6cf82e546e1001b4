import CLibcrypto

/// The owner of one `OSSL_PARAM_BLD*` and of the values pushed onto it.
///
/// `OSSL_PARAM_BLD` keeps pointers to pushed values and copies them only in
/// `OSSL_PARAM_BLD_to_param`, so the builder keeps its own copies alive until
/// it is freed. The built array contains pointers to the parameter names, which
/// is why they are ``PersistentCString`` values.
final class ParameterBuilder {
    private let pointer: OpaquePointer
    private var numbers: [BigNumber] = []
    private var buffers: [UnsafeMutableRawBufferPointer] = []

    init() throws {
        pointer = try LibCrypto.unwrap(OSSL_PARAM_BLD_new(), .internalError, "OSSL_PARAM_BLD_new failed")
    }

    deinit {
        OSSL_PARAM_BLD_free(pointer)
        for buffer in buffers {
            buffer.deallocate()
        }
    }

    /// Pushes an unsigned big-endian integer.
    func pushUnsignedInteger(_ name: PersistentCString, bigEndian bytes: [UInt8]) throws {
        let number = try BigNumber(bigEndian: bytes)
        numbers.append(number)
        try number.withUnsafePointer { number in
            try LibCrypto.check(
                OSSL_PARAM_BLD_push_BN(pointer, name.pointer, number),
                .internalError,
                "OSSL_PARAM_BLD_push_BN failed"
            )
        }
    }

    /// Pushes a byte string.
    func pushOctetString(_ name: PersistentCString, _ bytes: [UInt8]) throws {
        let copy = copyToOwnedBuffer(bytes)
        try LibCrypto.check(
            OSSL_PARAM_BLD_push_octet_string(pointer, name.pointer, copy.baseAddress, bytes.count),
            .internalError,
            "OSSL_PARAM_BLD_push_octet_string failed"
        )
    }

    /// Pushes a UTF-8 string.
    func pushUTF8String(_ name: PersistentCString, _ text: String) throws {
        let copy = copyToOwnedBuffer(Array(text.utf8CString).map { UInt8(bitPattern: $0) })
        try LibCrypto.check(
            OSSL_PARAM_BLD_push_utf8_string(
                pointer, name.pointer, copy.baseAddress?.assumingMemoryBound(to: CChar.self), text.utf8.count
            ),
            .internalError,
            "OSSL_PARAM_BLD_push_utf8_string failed"
        )
    }

    /// Builds the parameter array from everything pushed so far.
    func build() throws -> ParameterArray {
        let parameters = try LibCrypto.unwrap(
            OSSL_PARAM_BLD_to_param(pointer),
            .internalError,
            "OSSL_PARAM_BLD_to_param failed"
        )
        return ParameterArray(adopting: parameters)
    }

    private func copyToOwnedBuffer(_ bytes: [UInt8]) -> UnsafeMutableRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        buffer.copyBytes(from: bytes)
        buffers.append(buffer)
        return buffer
    }
}

/// The owner of one `OSSL_PARAM` array from `OSSL_PARAM_BLD_to_param`,
/// which it frees in `deinit`.
final class ParameterArray {
    private let pointer: UnsafeMutablePointer<OSSL_PARAM>

    init(adopting pointer: UnsafeMutablePointer<OSSL_PARAM>) {
        self.pointer = pointer
    }

    deinit {
        OSSL_PARAM_free(pointer)
    }

    /// Lends the array to `body`. The pointer must not be used after `body` returns.
    func withUnsafePointer<Result>(_ body: (UnsafeMutablePointer<OSSL_PARAM>) throws -> Result) rethrows -> Result {
        try body(pointer)
    }
}
