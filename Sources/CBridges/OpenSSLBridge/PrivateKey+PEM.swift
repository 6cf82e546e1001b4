extension PrivateKey {
    /// Labels of the PEM blocks that hold a private key this type reads.
    private static let privateKeyLabels: Set<String> = [
        "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY",
    ]

    /// Reads a private key from PEM text.
    ///
    /// Accepted blocks are PKCS#8 "PRIVATE KEY" (RFC 5208), PKCS#8
    /// "ENCRYPTED PRIVATE KEY" (RFC 5958), and the traditional OpenSSL
    /// "RSA PRIVATE KEY" and "EC PRIVATE KEY", also encrypted with a
    /// "Proc-Type: 4,ENCRYPTED" header. "EC PARAMETERS" blocks before the key,
    /// as `openssl ecparam -genkey` writes them, are skipped. The passphrase is
    /// ignored for an unencrypted key. RSA keys of any size libcrypto reads
    /// are loaded, and ``spec`` gives their size.
    ///
    /// - Parameters:
    ///   - pem: The PEM text.
    ///   - passphrase: The passphrase of an encrypted key, as UTF-8.
    /// - Throws: ``CryptoError`` with code `invalidPEM` when there is no PEM
    ///   block or its body does not decode, `notAPrivateKey` for another kind
    ///   of block, `passphraseRequired` for an encrypted key without a
    ///   passphrase, `wrongPassphrase` when decryption fails,
    ///   `unsupportedFormat` for OpenSSH's own key format, and
    ///   `unsupportedKeyType` for DSA and other key types. No error quotes
    ///   the PEM text.
    public convenience init(pem: String, passphrase: String? = nil) throws {
        let blocks = PEMBlock.blocks(in: pem).filter { $0.label != "EC PARAMETERS" }
        guard let block = blocks.first else {
            throw CryptoError(
                .invalidPEM,
                "no complete PEM block (a -----BEGIN line and its matching -----END line) found"
            )
        }
        guard Self.privateKeyLabels.contains(block.label) else {
            throw Self.unreadableBlockError(label: block.label)
        }

        let isEncrypted = block.label == "ENCRYPTED PRIVATE KEY" || block.hasEncryptionHeader
        if isEncrypted && passphrase == nil {
            throw CryptoError(
                .passphraseRequired,
                "the \(block.label) block is encrypted; pass its passphrase"
            )
        }

        let failureCode: CryptoError.Code = isEncrypted ? .wrongPassphrase : .invalidPEM
        let failureReason = isEncrypted
            ? "could not decrypt the \(block.label) block: the passphrase is wrong or the data is damaged"
            : "could not decode the \(block.label) block"
        let handle = try KeyHandle.decodePEM(
            block.text,
            selection: .privateKey,
            passphrase: isEncrypted ? passphrase.map { Array($0.utf8) } : nil,
            keyType: KeyHandle.DecoderKeyType.of(pemBlock: block.text, label: block.label),
            failureCode: failureCode,
            failureReason: failureReason
        )
        // The load checks every relation of a two-prime RSA key but not that
        // its factors are prime; the first signature shows that (FirstSignatureCheck).
        let isRSA = if case .rsa = handle.spec { true } else { false }
        try self.init(handle: handle, checksFirstSignature: isRSA)
    }

    /// Encodes the key as a PKCS#8 PEM block.
    ///
    /// Without a passphrase the block is a plain "PRIVATE KEY". With one it is
    /// an "ENCRYPTED PRIVATE KEY" in PBES2 form (RFC 8018): PBKDF2-HMAC-SHA256
    /// with 600,000 iterations and a random 16-byte salt, then AES-256-CBC.
    /// OpenSSL and most other libraries read this form. Loading such a key
    /// takes a noticeable fraction of a second because of the iterations.
    /// - Parameter passphrase: The passphrase as UTF-8, or `nil`. It must not be empty.
    /// - Throws: ``CryptoError`` with code `invalidArgument` for an empty
    ///   passphrase, or `encodingFailed` when libcrypto fails.
    public func pkcs8PEM(passphrase: String? = nil) throws -> String {
        if let passphrase, passphrase.isEmpty {
            throw CryptoError(.invalidArgument, "the passphrase for an encrypted key must not be empty")
        }
        return try handle.pkcs8PEM(passphrase: passphrase.map { Array($0.utf8) })
    }

    private static func unreadableBlockError(label: String) -> CryptoError {
        switch label {
        case "DSA PRIVATE KEY":
            return CryptoError(
                .unsupportedKeyType,
                "DSA keys are not supported; use RSA, EC P-256, EC P-384 or Ed25519"
            )
        case "OPENSSH PRIVATE KEY":
            return CryptoError(
                .unsupportedFormat,
                "the OpenSSH private key format is not supported; convert the key to PKCS#8 "
                    + "with `ssh-keygen -p -m PKCS8 -f FILE`"
            )
        default:
            return CryptoError(
                .notAPrivateKey,
                "the PEM block is a \(label), not a private key; expected PRIVATE KEY, "
                    + "ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY"
            )
        }
    }
}
