import CLibcrypto
import Synchronization

/// Verification contexts prepared once per signature scheme, on the first
/// verification with it, which each later verification copies instead of
/// setting up its own.
///
/// This is the verifying side of ``SigningContexts``. `EVP_DigestVerifyInit`
/// in libcrypto 3.0 fetches the signature and digest implementations by name
/// on every call, and copying a prepared context skips those lookups. An
/// RSA-2048 verification itself takes about 15 µs (`openssl speed rsa2048`
/// on one AMD EPYC core), so the lookups were a large share of it: RS256
/// `PublicKey.verify` on that core rose from about 48,000-55,000 to
/// 60,000-62,000 verifications per CPU second. As for signing, a context is
/// prepared when first needed and only read afterwards.
final class VerificationContexts: Sendable {
    private let key: KeyHandle
    /// Prepared contexts, and nil for schemes whose context libcrypto could not prepare.
    private let contexts = Mutex<[SignatureScheme: PreparedContext?]>([:])

    init(key: KeyHandle) {
        self.key = key
    }

    /// The prepared context for `scheme`, or nil when libcrypto cannot
    /// prepare one. A verification then initializes its own context, so
    /// that verifying never fails here.
    func context(for scheme: SignatureScheme) -> DigestContext? {
        if let prepared = contexts.withLock({ $0[scheme] }) {
            return prepared?.context
        }
        var prepared: PreparedContext?
        do {
            let context = try DigestContext()
            try key.prepareVerification(context, scheme: scheme)
            prepared = PreparedContext(context: context)
        } catch {
            LibCrypto.clearErrorQueue()
        }
        return contexts.withLock { contexts in
            if let stored = contexts[scheme] { return stored?.context }
            contexts[scheme] = .some(prepared)
            return prepared?.context
        }
    }
}
