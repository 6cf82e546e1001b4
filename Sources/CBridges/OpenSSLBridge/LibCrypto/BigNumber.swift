import CLibcrypto

/// The owner of one `BIGNUM*`, which it clears and frees in `deinit` unless
/// ownership was handed to libcrypto with ``releaseOwnership()``.
final class BigNumber {
    private var pointer: OpaquePointer?

    /// Takes ownership of a `BIGNUM*` that libcrypto allocated for the caller.
    init(adopting pointer: OpaquePointer) {
        self.pointer = pointer
    }

    /// Creates a number from unsigned big-endian bytes.
    convenience init(bigEndian bytes: [UInt8]) throws {
        let pointer = try bytes.withUnsafeBufferPointer { buffer in
            try LibCrypto.unwrap(
                BN_bin2bn(buffer.baseAddress, Int32(buffer.count), nil),
                .internalError,
                "BN_bin2bn failed for a \(buffer.count)-byte number"
            )
        }
        self.init(adopting: pointer)
    }

    deinit {
        BN_clear_free(pointer)
    }

    /// Lends the `BIGNUM*` to `body`. The pointer must not be used after
    /// `body` returns, because this object may then free it.
    func withUnsafePointer<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result {
        guard let pointer else {
            preconditionFailure("BigNumber used after its ownership was released")
        }
        return try body(pointer)
    }

    /// Gives up ownership, after a libcrypto call such as `ECDSA_SIG_set0`
    /// took it over, so `deinit` no longer frees the number.
    func releaseOwnership() {
        pointer = nil
    }

    /// Returns the unsigned big-endian bytes without leading zero bytes, or an
    /// empty array for zero.
    func minimalBigEndianBytes() -> [UInt8] {
        withUnsafePointer { number in
            let byteCount = (Int(BN_num_bits(number)) + 7) / 8
            return [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initializedCount in
                initializedCount = Int(BN_bn2bin(number, buffer.baseAddress))
            }
        }
    }

    /// Returns the unsigned big-endian bytes left-padded with zeros to `byteCount`.
    /// - Throws: `internalError` when the number needs more than `byteCount` bytes.
    func paddedBigEndianBytes(byteCount: Int) throws -> [UInt8] {
        try withUnsafePointer { number in
            try Self.paddedBigEndianBytes(of: number, byteCount: byteCount)
        }
    }

    /// Returns the unsigned big-endian bytes of a number this object does not
    /// own, left-padded with zeros to `byteCount`.
    static func paddedBigEndianBytes(of number: OpaquePointer, byteCount: Int) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initializedCount in
            let written = BN_bn2binpad(number, buffer.baseAddress, Int32(byteCount))
            guard written == Int32(byteCount) else {
                throw LibCrypto.error(.internalError, "number does not fit in \(byteCount) bytes")
            }
            initializedCount = byteCount
        }
    }
}
