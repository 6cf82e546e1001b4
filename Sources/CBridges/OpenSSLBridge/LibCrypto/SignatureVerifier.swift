import CLibcrypto

/// Verifies one signature after another with one public key and scheme, on
/// one thread, reusing its libcrypto contexts.
///
/// ``PublicKey/verify(signature:for:scheme:)`` copies a prepared
/// `EVP_MD_CTX` for every signature and frees it afterwards, so that threads
/// can share the key. A verifier instead hashes the message in a
/// ``ReusableDigest`` and checks the signature over that digest with
/// `EVP_PKEY_verify` in an `EVP_PKEY_CTX` prepared once, as `openssl speed`
/// does (`RSA_verify_loop` in OpenSSL 3's `apps/speed.c`). RSASSA-PKCS1-v1_5,
/// RSASSA-PSS and ECDSA all sign a hash of the message, so checking the
/// signature over the digest is the same check. `SignatureVerifierTests`
/// compares every result with `PublicKey.verify`.
///
/// Ed25519 hashes the message itself, so a verifier for it, and for a scheme
/// that does not fit the key, calls `PublicKey.verify`. An instance is not
/// thread-safe: give each thread its own.
public final class SignatureVerifier {
    public let publicKey: PublicKey
    public let scheme: SignatureScheme
    /// The context prepared for `EVP_PKEY_verify` and the message's hash, or
    /// nil when the verifier calls `PublicKey.verify` instead.
    private let prepared: (keyContext: KeyContext, digest: ReusableDigest)?

    /// Creates a verifier for signatures made with `scheme` by `publicKey`'s private key.
    ///
    /// When libcrypto cannot prepare the context, the verifier calls
    /// `PublicKey.verify` for every signature instead, so creating one never fails.
    public init(publicKey: PublicKey, scheme: SignatureScheme) {
        self.publicKey = publicKey
        self.scheme = scheme
        guard let algorithm = scheme.digest, scheme.fits(publicKey.spec) else {
            prepared = nil
            return
        }
        do {
            let keyContext = try KeyContext(key: publicKey.handle)
            try publicKey.handle.prepareDigestVerification(keyContext, scheme: scheme)
            prepared = (keyContext, ReusableDigest(algorithm))
        } catch {
            LibCrypto.clearErrorQueue()
            prepared = nil
        }
    }

    /// Verifies `signature` over `message`, with the result that
    /// ``PublicKey/verify(signature:for:scheme:)`` gives.
    ///
    /// - Returns: `true` for a valid signature. An invalid or malformed
    ///   signature returns `false`, and the thread's OpenSSL error queue is cleared.
    public func verify(signature: [UInt8], for message: [UInt8]) -> Bool {
        guard let prepared else {
            return publicKey.verify(signature: signature, for: message, scheme: scheme)
        }
        var encodedSignature = signature
        if case .ec(let curve) = publicKey.spec {
            guard let der = try? ECDSASignature.derSignature(fromRaw: signature, coordinateByteCount: curve.coordinateByteCount)
            else {
                LibCrypto.clearErrorQueue()
                return false
            }
            encodedSignature = der
        }
        prepared.digest.update(message)
        let digestByteCount = prepared.digest.algorithm.byteCount
        let result = withUnsafeTemporaryAllocation(byteCount: digestByteCount, alignment: 1) { digest in
            prepared.digest.finalize(into: digest)
            // EVP_PKEY_verify returns 1 for a valid signature, 0 for an
            // invalid one and a negative value for other failures.
            return prepared.keyContext.withUnsafePointer { context in
                EVP_PKEY_verify(context, encodedSignature, encodedSignature.count,
                                digest.baseAddress?.assumingMemoryBound(to: UInt8.self), digestByteCount)
            }
        }
        guard result == 1 else {
            LibCrypto.clearErrorQueue()
            return false
        }
        return true
    }
}

@available(*, unavailable, message: "a SignatureVerifier keeps libcrypto contexts of its own: give each thread its own")
extension SignatureVerifier: Sendable {}
