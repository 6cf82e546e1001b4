/// An error thrown by the OpenSSL bridge.
///
/// Errors compare equal when their codes are equal, so callers can match on
/// ``code`` while ``reason`` and the OpenSSL messages are free to change.
/// No error ever carries private key bytes, passphrases or PEM bodies: the
/// reason names the failing step and value kind, and ``openSSLErrors`` holds
/// only libcrypto's own error strings.
public struct CryptoError: Error, CustomStringConvertible, Equatable {
    /// A stable error code. New codes may be added in later versions, so a
    /// `switch` over codes needs a `default` case.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name, which stays the same across versions.
        public let name: String

        init(_ name: String) {
            self.name = name
        }

        public var description: String { name }

        /// The input contains no PEM block, or the block's base64 body is damaged.
        public static let invalidPEM = Code("invalidPEM")
        /// The PEM block is not a private key (for example a certificate or a public key).
        public static let notAPrivateKey = Code("notAPrivateKey")
        /// The PEM block is not a public key.
        public static let notAPublicKey = Code("notAPublicKey")
        /// The key is encrypted and no passphrase was given.
        public static let passphraseRequired = Code("passphraseRequired")
        /// The key could not be decrypted: the passphrase is wrong or the data is damaged.
        public static let wrongPassphrase = Code("wrongPassphrase")
        /// The key encoding is readable but not supported (for example OpenSSH's own format).
        public static let unsupportedFormat = Code("unsupportedFormat")
        /// The key type or curve is not one of RSA, EC P-256, EC P-384 or Ed25519.
        public static let unsupportedKeyType = Code("unsupportedKeyType")
        /// The requested key size is outside the accepted range.
        public static let invalidKeySize = Code("invalidKeySize")
        /// Public key components have the wrong size or encoding, or do not form a valid key.
        public static let invalidKeyComponents = Code("invalidKeyComponents")
        /// The DER or PEM data decodes to no valid key.
        public static let decodingFailed = Code("decodingFailed")
        /// A key could not be written as DER or PEM.
        public static let encodingFailed = Code("encodingFailed")
        /// The signature scheme does not fit the key type.
        public static let schemeMismatch = Code("schemeMismatch")
        /// Key generation failed inside libcrypto.
        public static let keyGenerationFailed = Code("keyGenerationFailed")
        /// A signature made with a private key does not verify with the key's
        /// own public half: the key's numbers do not belong together.
        public static let inconsistentKeyPair = Code("inconsistentKeyPair")
        /// Signing failed inside libcrypto.
        public static let signingFailed = Code("signingFailed")
        /// The random generator failed to produce bytes.
        public static let randomGenerationFailed = Code("randomGenerationFailed")
        /// An argument is out of range, for example a negative byte count.
        public static let invalidArgument = Code("invalidArgument")
        /// libcrypto failed where it should not, for example on memory allocation.
        public static let internalError = Code("internalError")
    }

    /// The stable code that callers match on.
    public let code: Code
    /// A description of the failure that names the kind of value but never secret bytes.
    public let reason: String
    /// The entries of the thread's OpenSSL error queue when the error was
    /// thrown, oldest first, as formatted by `ERR_error_string_n`.
    public let openSSLErrors: [String]
    /// The source file and line in this module that threw the error.
    public let location: String

    /// Creates an error. Inside this module, errors after a failed libcrypto
    /// call are made with `LibCrypto.error(_:_:)`, which also drains the
    /// OpenSSL error queue.
    public init(code: Code, reason: String, openSSLErrors: [String] = [], location: String = "") {
        self.code = code
        self.reason = reason
        self.openSSLErrors = openSSLErrors
        self.location = location
    }

    public var description: String {
        var text = "CryptoError.\(code): \(reason)"
        if !location.isEmpty {
            text += " (at \(location))"
        }
        if !openSSLErrors.isEmpty {
            text += "; OpenSSL: " + openSSLErrors.joined(separator: "; ")
        }
        return text
    }

    public static func == (lhs: CryptoError, rhs: CryptoError) -> Bool {
        lhs.code == rhs.code
    }
}

extension CryptoError {
    /// Makes an error that did not come from libcrypto, located at the caller in this module.
    init(_ code: Code, _ reason: String, file: String = #fileID, line: Int = #line) {
        self.init(code: code, reason: reason, location: "\(file):\(line)")
    }
}
