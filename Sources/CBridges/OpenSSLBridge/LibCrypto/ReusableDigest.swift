import CLibcrypto

/// A hash context that hashes one message after another, for a thread that
/// hashes many short messages.
///
/// `Digest.hash` goes through `EVP_Digest`, which allocates, initializes and
/// frees a context on every call. In a C loop of 2 million SHA-256 calls on
/// one AMD EPYC core with SHA extensions (libcrypto 3.0.22), that took about
/// 330 ns per 33-byte message, and a reused context 75 ns. This context is
/// allocated once, and `EVP_DigestInit_ex2` restarts it for the next message.
///
/// Feeding a message's bytes in any split and then calling ``finalize()``
/// gives the digest that `Digest.hash` gives for them in one piece. An
/// instance is not thread-safe: give each thread its own.
public final class ReusableDigest {
    private let context: OpaquePointer
    public let algorithm: DigestAlgorithm

    /// Creates a context for `algorithm`.
    ///
    /// libcrypto fails here only when it cannot allocate the context or its
    /// default provider is unusable. The process then stops with OpenSSL's
    /// error messages, as `Digest.hash` does, because no caller could recover.
    public init(_ algorithm: DigestAlgorithm) {
        self.algorithm = algorithm
        guard let context = EVP_MD_CTX_new() else {
            fatalError("EVP_MD_CTX_new failed: \(LibCrypto.drainErrorQueue().joined(separator: "; "))")
        }
        self.context = context
        restart()
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    /// Adds `bytes` to the current message.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1 else {
            fatalError("EVP_DigestUpdate failed for \(algorithm.rawValue): \(LibCrypto.drainErrorQueue().joined(separator: "; "))")
        }
    }

    /// Adds `bytes` to the current message.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Finishes the current message and returns its digest,
    /// ``DigestAlgorithm/byteCount`` bytes long. The next ``update(_:)``
    /// starts a new message.
    public func finalize() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: algorithm.byteCount) { output, initializedCount in
            finalize(into: UnsafeMutableRawBufferPointer(output))
            initializedCount = algorithm.byteCount
        }
    }

    /// Finishes the current message and writes its digest to the first
    /// ``DigestAlgorithm/byteCount`` bytes of `output`, without allocating.
    /// The next ``update(_:)`` starts a new message.
    public func finalize(into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= algorithm.byteCount, "a \(algorithm.rawValue) digest needs \(algorithm.byteCount) bytes, not \(output.count)")
        var written: UInt32 = 0
        guard EVP_DigestFinal_ex(context, output.baseAddress?.assumingMemoryBound(to: UInt8.self), &written) == 1,
              Int(written) == algorithm.byteCount
        else {
            fatalError("EVP_DigestFinal_ex failed for \(algorithm.rawValue): \(LibCrypto.drainErrorQueue().joined(separator: "; "))")
        }
        restart()
    }

    private func restart() {
        guard EVP_DigestInit_ex2(context, algorithm.messageDigest.pointer, nil) == 1 else {
            fatalError("EVP_DigestInit_ex2 failed for \(algorithm.rawValue): \(LibCrypto.drainErrorQueue().joined(separator: "; "))")
        }
    }
}

@available(*, unavailable, message: "a ReusableDigest keeps one libcrypto context: give each thread its own")
extension ReusableDigest: Sendable {}
