/// One-shot SHA-2 hashing through libcrypto's `EVP_Digest`.
///
/// The `EVP_MD` objects are fetched once per process and shared by all
/// threads, so a call does no algorithm lookup.
public enum Digest {
    /// Hashes `bytes` with `algorithm`.
    ///
    /// libcrypto fails to hash only when its default provider is unusable.
    /// The process then stops with OpenSSL's error messages, because no
    /// caller could recover from that.
    /// - Returns: The digest, ``DigestAlgorithm/byteCount`` bytes long.
    public static func hash(_ bytes: some Collection<UInt8>, using algorithm: DigestAlgorithm) -> [UInt8] {
        let digest = bytes.withContiguousStorageIfAvailable { buffer in
            LibCrypto.digest(UnsafeRawBufferPointer(buffer), using: algorithm)
        }
        if let digest {
            return digest
        }
        let copy = Array(bytes)
        return copy.withUnsafeBytes { LibCrypto.digest($0, using: algorithm) }
    }

    /// Hashes `bytes` with SHA-256.
    /// - Returns: The 32-byte digest.
    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        hash(bytes, using: .sha256)
    }
}
