import CLibcrypto

extension LibCrypto {
    /// Fills a new array from `RAND_bytes`, in chunks because its length
    /// argument is an `Int32`.
    static func randomBytes(count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let chunk = min(buffer.count - offset, Int(Int32.max))
                try check(
                    RAND_bytes(buffer.baseAddress! + offset, Int32(chunk)),
                    .randomGenerationFailed,
                    "RAND_bytes failed to produce \(chunk) bytes"
                )
                offset += chunk
            }
        }
        return bytes
    }
}
