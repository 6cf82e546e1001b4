import CLibcrypto
import Synchronization

/// Signing contexts prepared once per signature scheme, on the first
/// signature with it, which each later signature copies instead of setting
/// up its own.
///
/// `EVP_DigestSignInit` in libcrypto 3.0 fetches the signature and digest
/// implementations by name on every call. Copying a prepared context with
/// `EVP_MD_CTX_copy_ex` skips those lookups. In a C loop on one AMD EPYC
/// core (new context, initialize or copy, sign 48 bytes, free), ES256
/// signing rose from 47,000 to 61,000 signatures per second and Ed25519
/// from 34,800 to 37,400. Contexts are prepared when first needed: six for
/// an RSA key at once cost 1.3 million instructions in a `keyledger append`,
/// which signs with one scheme (callgrind). A prepared context is never
/// changed, because `EVP_MD_CTX_copy_ex` takes its source as `const`, so
/// threads may copy the same context at once. Only the cache is locked.
final class SigningContexts: Sendable {
    private let key: KeyHandle
    private let contexts = Mutex<[SignatureScheme: PreparedContext]>([:])

    init(key: KeyHandle) {
        self.key = key
    }

    /// The prepared context for `scheme`, which must fit the key.
    /// - Throws: ``CryptoError`` with code `signingFailed` when libcrypto cannot prepare it.
    func context(for scheme: SignatureScheme) throws -> DigestContext {
        if let prepared = contexts.withLock({ $0[scheme] }) {
            return prepared.context
        }
        let context = try DigestContext()
        try key.prepareSigning(context, scheme: scheme)
        // Two threads may prepare the same scheme at once; the first one stored is kept.
        return contexts.withLock { contexts in
            if let stored = contexts[scheme] { return stored.context }
            contexts[scheme] = PreparedContext(context: context)
            return context
        }
    }
}

/// A context that is only read after it is prepared, so threads may share it.
struct PreparedContext: @unchecked Sendable {
    let context: DigestContext
}
