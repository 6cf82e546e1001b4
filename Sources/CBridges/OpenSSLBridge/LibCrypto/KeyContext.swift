import CLibcrypto

/// The owner of one `EVP_PKEY_CTX*`, which it frees in `deinit`.
///
/// Used for key generation, key import and key checks. Signing uses the
/// context that `EVP_DigestSignInit` creates inside a ``DigestContext``.
final class KeyContext {
    private let pointer: OpaquePointer

    /// Creates a context for the key algorithm `name`, such as "RSA", "EC" or "ED25519".
    init(algorithm name: String) throws {
        pointer = try LibCrypto.unwrap(
            EVP_PKEY_CTX_new_from_name(nil, name, nil),
            .internalError,
            "EVP_PKEY_CTX_new_from_name failed for \(name)"
        )
    }

    /// Creates a context that operates on `key`. The context holds its own
    /// reference to the `EVP_PKEY`.
    init(key: KeyHandle) throws {
        pointer = try LibCrypto.unwrap(
            EVP_PKEY_CTX_new_from_pkey(nil, key.pointer, nil),
            .internalError,
            "EVP_PKEY_CTX_new_from_pkey failed"
        )
    }

    deinit {
        EVP_PKEY_CTX_free(pointer)
    }

    /// Lends the `EVP_PKEY_CTX*` to `body`. The pointer must not be used after `body` returns.
    func withUnsafePointer<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result {
        try body(pointer)
    }
}

/// The owner of one `EVP_MD_CTX*`, which it frees in `deinit`.
///
/// Each sign or verify call works in a context of its own, which is what
/// lets many threads use one key at the same time. A context prepared for
/// signing in ``SigningContexts`` is shared between threads, which only copy it.
final class DigestContext {
    private let pointer: OpaquePointer

    init() throws {
        pointer = try LibCrypto.unwrap(EVP_MD_CTX_new(), .internalError, "EVP_MD_CTX_new failed")
    }

    deinit {
        EVP_MD_CTX_free(pointer)
    }

    /// Lends the `EVP_MD_CTX*` to `body`. The pointer must not be used after `body` returns.
    func withUnsafePointer<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result {
        try body(pointer)
    }
}
