/// Cryptographically secure random bytes from libcrypto's `RAND_bytes`.
public enum SecureRandom {
    /// Returns `count` random bytes.
    /// - Throws: ``CryptoError`` with code `invalidArgument` when `count` is
    ///   negative, or `randomGenerationFailed` when the generator failed.
    public static func bytes(count: Int) throws -> [UInt8] {
        guard count >= 0 else {
            throw CryptoError(.invalidArgument, "random byte count must not be negative, got \(count)")
        }
        return try LibCrypto.randomBytes(count: count)
    }
}
