/// A private key held by libcrypto: RSA, EC P-256, EC P-384 or Ed25519.
///
/// The key owns one `EVP_PKEY` and frees it when the last reference goes.
/// It never changes after creation, and every ``sign(_:scheme:)`` call uses
/// its own `EVP_MD_CTX`, so one key may sign from many threads at once.
/// Its description names only the key type, never key bytes.
public final class PrivateKey: @unchecked Sendable {
    let handle: KeyHandle
    private let signingContexts: SigningContexts
    /// Set for an RSA key read from PEM, whose first signature is verified.
    private let firstSignatureCheck: FirstSignatureCheck?

    /// - Parameter checksFirstSignature: Whether to verify the key's first
    ///   signature before returning it, for a key read from outside.
    init(handle: KeyHandle, checksFirstSignature: Bool = false) throws {
        self.handle = handle
        self.signingContexts = SigningContexts(key: handle)
        self.firstSignatureCheck = checksFirstSignature ? try FirstSignatureCheck(privateKey: handle) : nil
    }

    /// The key's type and size.
    public var spec: KeySpec { handle.spec }

    /// Generates a new key.
    ///
    /// RSA keys use the public exponent 65537 and a modulus size in
    /// ``KeySpec/generatableRSABits`` that is a multiple of 8.
    /// - Throws: ``CryptoError`` with code `invalidKeySize` for a rejected
    ///   RSA size, or `keyGenerationFailed` when libcrypto fails.
    public static func generate(_ spec: KeySpec) throws -> PrivateKey {
        if case .rsa(let bits) = spec {
            guard KeySpec.generatableRSABits.contains(bits), bits % 8 == 0 else {
                throw CryptoError(
                    .invalidKeySize,
                    "RSA key size \(bits) bits is not supported; use a multiple of 8 from "
                        + "\(KeySpec.generatableRSABits.lowerBound) to \(KeySpec.generatableRSABits.upperBound)"
                )
            }
        }
        return try PrivateKey(handle: KeyHandle.generate(spec))
    }

    /// Derives the public key.
    public func publicKey() throws -> PublicKey {
        PublicKey(handle: try handle.publicKeyHandle())
    }

    /// Signs `message`.
    ///
    /// RSA PKCS #1 v1.5 and Ed25519 signatures are deterministic. RSASSA-PSS
    /// and ECDSA signatures are randomized. ECDSA signatures are returned as
    /// raw r || s (see ``SignatureScheme/ecdsa(_:)``).
    /// The first signature of an RSA key read from PEM is verified with the
    /// key's public half before it is returned.
    ///
    /// - Throws: ``CryptoError`` with code `schemeMismatch` when `scheme` does
    ///   not fit the key type, `inconsistentKeyPair` when that first
    ///   signature does not verify, or `signingFailed` when libcrypto fails.
    public func sign(_ message: [UInt8], scheme: SignatureScheme) throws -> [UInt8] {
        let signature = try handle.sign(message, scheme: scheme, prepared: signingContexts)
        try firstSignatureCheck?.confirm(signature, over: message, scheme: scheme)
        return signature
    }
}

extension PrivateKey: CustomStringConvertible {
    public var description: String { "PrivateKey(\(spec))" }
}
