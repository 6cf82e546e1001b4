import CLibcrypto

/// An `EVP_MD` fetched once from the default provider and shared by all threads.
///
/// Fetching by name on every call costs a lock and a lookup in libcrypto's
/// method store, so each algorithm is fetched on first use and kept for the
/// life of the process. libcrypto allows concurrent use of one fetched
/// `EVP_MD`, because operations only read it.
struct MessageDigest: @unchecked Sendable {
    let pointer: OpaquePointer

    private init(fetching name: String) {
        guard let pointer = EVP_MD_fetch(nil, name, nil) else {
            let messages = LibCrypto.drainErrorQueue().joined(separator: "; ")
            fatalError("libcrypto cannot provide \(name): \(messages)")
        }
        self.pointer = pointer
    }

    static let sha256 = MessageDigest(fetching: "SHA2-256")
    static let sha384 = MessageDigest(fetching: "SHA2-384")
    static let sha512 = MessageDigest(fetching: "SHA2-512")
}

extension DigestAlgorithm {
    var messageDigest: MessageDigest {
        switch self {
        case .sha256: .sha256
        case .sha384: .sha384
        case .sha512: .sha512
        }
    }
}

extension LibCrypto {
    /// Hashes `bytes` with `EVP_Digest`. Stops the process if libcrypto fails,
    /// which happens only when its default provider is unusable.
    static func digest(_ bytes: UnsafeRawBufferPointer, using algorithm: DigestAlgorithm) -> [UInt8] {
        let byteCount = algorithm.byteCount
        return [UInt8](unsafeUninitializedCapacity: byteCount) { output, initializedCount in
            var written: UInt32 = 0
            let result = EVP_Digest(
                bytes.baseAddress, bytes.count, output.baseAddress, &written, algorithm.messageDigest.pointer, nil
            )
            guard result == 1, Int(written) == byteCount else {
                let messages = drainErrorQueue().joined(separator: "; ")
                fatalError("EVP_Digest failed for \(algorithm.rawValue): \(messages)")
            }
            initializedCount = byteCount
        }
    }
}
