import Synchronization

/// Verifies the first signature that a private key read from PEM makes,
/// with a key that holds only its public half.
///
/// The relations that `KeyHandle.checkKeyPair` tests when a two-prime RSA
/// key is read do not show factors that are not prime but satisfy every
/// relation. Such a key makes signatures that do not verify. A signature
/// test when the key is read cost one more RSA signature in every process,
/// about 6 million instructions of a `keyledger append` (callgrind). Testing
/// the key's first real signature instead shows the same fault at the cost
/// of one verification, and before that signature is used: a key that fails
/// never returns a signature.
final class FirstSignatureCheck: Sendable {
    private let publicKey: KeyHandle
    private let passed = Atomic<Bool>(false)

    init(privateKey: KeyHandle) throws {
        publicKey = try privateKey.publicKeyHandle()
    }

    /// Verifies `signature` unless an earlier signature passed.
    ///
    /// Threads that sign at the same time before any signature has passed
    /// each verify their own.
    /// - Throws: ``CryptoError`` with code `inconsistentKeyPair` when the signature does not verify.
    func confirm(_ signature: [UInt8], over message: [UInt8], scheme: SignatureScheme) throws {
        guard !passed.load(ordering: .acquiring) else { return }
        let verified = publicKey.verify(
            signature: signature, for: message, scheme: scheme, prepared: VerificationContexts(key: publicKey)
        )
        guard verified else {
            throw CryptoError(
                .inconsistentKeyPair,
                "a \(scheme) signature made with the \(publicKey.spec) key does not verify with the key's own public key: the key pair is inconsistent"
            )
        }
        passed.store(true, ordering: .releasing)
    }
}
