/// A public key held by libcrypto: RSA, EC P-256, EC P-384 or Ed25519.
///
/// The key owns one `EVP_PKEY` and frees it when the last reference goes.
/// It never changes after creation, and every verification uses its own
/// `EVP_MD_CTX`, so one key may verify from many threads at once.
public final class PublicKey: @unchecked Sendable {
    let handle: KeyHandle
    private let verificationContexts: VerificationContexts

    init(handle: KeyHandle) {
        self.handle = handle
        self.verificationContexts = VerificationContexts(key: handle)
    }

    /// The key's type and size.
    public var spec: KeySpec { handle.spec }

    /// Verifies `signature` over `message`.
    ///
    /// For ECDSA the signature must be raw r || s of exactly twice the
    /// curve's coordinate size, and for RSASSA-PSS the salt must be as long as
    /// the digest.
    /// - Returns: `true` for a valid signature. An invalid or malformed
    ///   signature, or a scheme that does not fit the key type, returns
    ///   `false`.
    public func verify(signature: [UInt8], for message: [UInt8], scheme: SignatureScheme) -> Bool {
        handle.verify(signature: signature, for: message, scheme: scheme, prepared: verificationContexts)
    }
}

extension PublicKey: CustomStringConvertible {
    public var description: String { "PublicKey(\(spec))" }
}
