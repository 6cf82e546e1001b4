import CLibcrypto

/// Verification contexts prepared once per signature scheme that fits a
/// public key, which each verification copies instead of setting up its own.
///
/// This is the verifying side of ``SigningContexts``. `EVP_DigestVerifyInit`
/// in libcrypto 3.0 fetches the signature and digest implementations by name
/// on every call, and copying a prepared context skips those lookups. An
/// RSA-2048 verification itself takes about 15 µs (`openssl speed rsa2048`
/// on one AMD EPYC core), so the lookups were a large share of it: RS256
/// `PublicKey.verify` on that core rose from about 48,000-55,000 to
/// 60,000-62,000 verifications per CPU second. The contexts are prepared
/// when the key is created and only read afterwards, so threads may copy
/// the same context at once without a lock.
struct VerificationContexts: @unchecked Sendable {
    private let contexts: [SignatureScheme: DigestContext]

    /// Prepares a context for every scheme that fits `key`: six for RSA,
    /// three for EC and one for Ed25519.
    ///
    /// A scheme whose context libcrypto cannot prepare is left out, and a
    /// verification with it initializes its own context as before, so that
    /// making a public key never fails here.
    init(key: KeyHandle) {
        var contexts: [SignatureScheme: DigestContext] = [:]
        for scheme in SignatureScheme.allCases where scheme.fits(key.spec) {
            do {
                let context = try DigestContext()
                try key.prepareVerification(context, scheme: scheme)
                contexts[scheme] = context
            } catch {
                LibCrypto.clearErrorQueue()
            }
        }
        self.contexts = contexts
    }

    /// The prepared context for `scheme`, or `nil` when there is none.
    subscript(scheme: SignatureScheme) -> DigestContext? {
        contexts[scheme]
    }
}
