import CLibcrypto

/// A hash computed over data that arrives in pieces, such as a file read in chunks.
///
/// Feeding the same bytes in any split gives the digest `Digest.hash` gives
/// for them in one piece. An instance is not thread-safe, and `finalize()` may be called once.
public final class IncrementalDigest {
    private let context: DigestContext
    private let algorithm: DigestAlgorithm
    private var finished = false

    /// Starts a hash with `algorithm`.
    /// - Throws: `CryptoError` when libcrypto cannot start the digest.
    public init(_ algorithm: DigestAlgorithm) throws {
        self.algorithm = algorithm
        self.context = try DigestContext()
        try context.withUnsafePointer { pointer in
            try LibCrypto.check(EVP_DigestInit_ex(pointer, algorithm.messageDigest.pointer, nil), .internalError,
                                "EVP_DigestInit_ex failed for \(algorithm.rawValue)")
        }
    }

    /// Adds `bytes` to the hash.
    public func update(_ bytes: some Collection<UInt8>) throws {
        precondition(!finished, "update after finalize")
        // The closure runs only when the collection has contiguous storage, else the call returns nil.
        let fedContiguousStorage = try bytes.withContiguousStorageIfAvailable { buffer -> Bool in
            try feed(UnsafeRawBufferPointer(buffer))
            return true
        } ?? false
        if !fedContiguousStorage {
            let copy = Array(bytes)
            try copy.withUnsafeBytes { try feed($0) }
        }
    }

    /// Finishes the hash and returns the digest, `DigestAlgorithm.byteCount` bytes long.
    public func finalize() throws -> [UInt8] {
        precondition(!finished, "finalize called twice")
        finished = true
        let byteCount = algorithm.byteCount
        return try [UInt8](unsafeUninitializedCapacity: byteCount) { output, initializedCount in
            var written: UInt32 = 0
            try context.withUnsafePointer { pointer in
                try LibCrypto.check(EVP_DigestFinal_ex(pointer, output.baseAddress, &written), .internalError,
                                    "EVP_DigestFinal_ex failed for \(algorithm.rawValue)")
            }
            initializedCount = Int(written)
        }
    }

    private func feed(_ buffer: UnsafeRawBufferPointer) throws {
        try context.withUnsafePointer { pointer in
            try LibCrypto.check(EVP_DigestUpdate(pointer, buffer.baseAddress, buffer.count), .internalError,
                                "EVP_DigestUpdate failed for \(algorithm.rawValue)")
        }
    }
}
