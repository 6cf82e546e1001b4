import OpenSSLBridge

/// Keys generated once per test run, because RSA generation takes a while.
enum TestKeys {
    static let rsa2048 = generate(.rsa(bits: 2048))
    static let ecP256 = generate(.ec(.p256))
    static let ecP384 = generate(.ec(.p384))
    static let ed25519 = generate(.ed25519)

    static var all: [PrivateKey] { [rsa2048, ecP256, ecP384, ed25519] }

    /// Every scheme this bridge offers.
    static let allSchemes = SignatureScheme.allCases

    /// Returns every scheme that fits the type of `key`.
    static func schemes(for key: PrivateKey) -> [SignatureScheme] {
        allSchemes.filter { $0.fits(key.spec) }
    }

    private static func generate(_ spec: KeySpec) -> PrivateKey {
        do {
            return try PrivateKey.generate(spec)
        } catch {
            fatalError("could not generate a \(spec) test key: \(error)")
        }
    }
}
