extension PublicKey {
    /// Labels of the PEM blocks that hold a public key this type reads.
    private static let publicKeyLabels: Set<String> = ["PUBLIC KEY", "RSA PUBLIC KEY"]

    /// Reads a public key from PEM text: a SubjectPublicKeyInfo
    /// "PUBLIC KEY" block (RFC 7468 section 13) or a PKCS #1
    /// "RSA PUBLIC KEY" block (RFC 8017 appendix A.1.1).
    /// - Throws: ``CryptoError`` with code `invalidPEM` when there is no PEM
    ///   block or its body does not decode, `notAPublicKey` for another kind
    ///   of block, and `unsupportedKeyType` for key types other than RSA,
    ///   EC P-256, EC P-384 and Ed25519.
    public convenience init(pem: String) throws {
        guard let block = PEMBlock.blocks(in: pem).first else {
            throw CryptoError(
                .invalidPEM,
                "no complete PEM block (a -----BEGIN line and its matching -----END line) found"
            )
        }
        guard Self.publicKeyLabels.contains(block.label) else {
            throw CryptoError(
                .notAPublicKey,
                "the PEM block is a \(block.label), not a public key; expected PUBLIC KEY or RSA PUBLIC KEY"
            )
        }
        let handle = try KeyHandle.decodePEM(
            block.text,
            selection: .publicKey,
            passphrase: nil,
            failureCode: .invalidPEM,
            failureReason: "could not decode the \(block.label) block"
        )
        self.init(handle: handle)
    }

    /// Reads a public key from a DER SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7).
    /// - Throws: ``CryptoError`` with code `decodingFailed` when the bytes are
    ///   not exactly one SubjectPublicKeyInfo, and `unsupportedKeyType` for
    ///   key types other than RSA, EC P-256, EC P-384 and Ed25519.
    public convenience init(spkiDER: [UInt8]) throws {
        self.init(handle: try KeyHandle.decodeSubjectPublicKeyInfo(spkiDER))
    }

    /// Encodes the key as a "PUBLIC KEY" PEM block (SubjectPublicKeyInfo).
    public func spkiPEM() throws -> String {
        try handle.subjectPublicKeyInfoPEM()
    }

    /// Encodes the key as a DER SubjectPublicKeyInfo.
    public func spkiDER() throws -> [UInt8] {
        try handle.subjectPublicKeyInfoDER()
    }
}
