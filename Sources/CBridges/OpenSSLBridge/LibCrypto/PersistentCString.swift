import CLibcrypto

/// A C string that lives for the whole process, for libcrypto arguments
/// that libcrypto keeps a pointer to after the call returns.
///
/// `OSSL_PARAM_BLD` and `OSSL_PARAM` keep parameter name pointers, and a
/// decoder context keeps its input type, while a Swift `String` passed as a
/// `const char *` is valid only during one call. These strings are allocated
/// once and never freed.
struct PersistentCString: @unchecked Sendable {
    let pointer: UnsafePointer<CChar>

    private init(_ text: String) {
        let utf8 = Array(text.utf8CString)
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
        storage.initialize(from: utf8, count: utf8.count)
        pointer = UnsafePointer(storage)
    }

    static let rsaModulus = PersistentCString(OSSL_PKEY_PARAM_RSA_N)
    static let rsaExponent = PersistentCString(OSSL_PKEY_PARAM_RSA_E)
    static let groupName = PersistentCString(OSSL_PKEY_PARAM_GROUP_NAME)
    static let publicKey = PersistentCString(OSSL_PKEY_PARAM_PUB_KEY)
    static let ecPublicX = PersistentCString(OSSL_PKEY_PARAM_EC_PUB_X)
    static let ecPublicY = PersistentCString(OSSL_PKEY_PARAM_EC_PUB_Y)

    /// The decoder input type for PEM text.
    static let pemInputType = PersistentCString("PEM")

    /// Key type names for a decoder (see ``KeyHandle/DecoderKeyType``).
    static let rsaKeyType = PersistentCString("RSA")
    static let rsaPSSKeyType = PersistentCString("RSA-PSS")
    static let ecKeyType = PersistentCString("EC")
    static let ed25519KeyType = PersistentCString("ED25519")
}
