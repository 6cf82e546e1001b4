import JOSE
import OpenSSLBridge

/// A ledger's checkpoint key: the Ed25519 key that signs the ledger's
/// checkpoints, as the genesis entry or a `checkpoint_key_rotated` entry
/// introduced it.
///
/// The key is separate from the ledger signing key, so that signing a
/// checkpoint and appending entries can be given to different holders.
public struct LedgerCheckpointKey: Sendable, Equatable {
    /// The RFC 7638 thumbprint of ``publicJWK``.
    public let keyID: String
    /// The public key as an OKP JWK (`crv` Ed25519) with `kid` set to ``keyID``.
    public let publicJWK: JWK
    /// The checkpoint origin, the first line of every checkpoint this key
    /// signs. It is also the key name of the note signatures.
    public let origin: String
    /// The sequence number of the entry that introduced the key.
    public let introducedAt: Int64
    /// The C2SP note verifier key (signature type 0x01) named ``origin``, which
    /// checkpoint verifiers pin.
    public let verifierKey: NoteVerifierKey

    /// The 32-byte Ed25519 public key (RFC 8032 section 5.1.5).
    public var publicKey: [UInt8] { verifierKey.publicKey }

    /// The body member holding the public JWK.
    static let keyMember = "checkpoint_key"
    /// The body member holding the origin.
    static let originMember = "checkpoint_origin"
    /// The `checkpoint_key_rotated` body member naming the outgoing key's id.
    static let previousKeyIDMember = "previous_checkpoint_kid"
    /// The `checkpoint_key_rotated` body member holding the outgoing key's handover signature.
    static let previousSignatureMember = "previous_key_signature"

    /// Reads the checkpoint key that an entry's body introduces.
    ///
    /// - Returns: nil when the body has no `checkpoint_key` member, which is
    ///   the case for a genesis entry of a ledger without a checkpoint key.
    /// - Throws: `LedgerError.Code.integrity` when `checkpoint_key` is not a
    ///   public Ed25519 OKP JWK whose `kid` is its thumbprint, or the origin
    ///   is missing or not a valid note key name.
    init?(body: [String: JSONValue], sequence: Int64) throws {
        guard let keyValue = body[Self.keyMember] else {
            if body[Self.originMember] != nil {
                throw LedgerError(.integrity, "entry \(sequence) has a checkpoint_origin but no checkpoint_key")
            }
            return nil
        }
        let jwk: JWK
        let thumbprint: String
        do {
            jwk = try JWK(json: keyValue)
            thumbprint = try jwk.thumbprint()
        } catch {
            throw LedgerError(.integrity, "entry \(sequence) has a checkpoint_key that is not a public JWK: \(error)")
        }
        guard case .ed25519(let publicKey) = jwk.components else {
            throw LedgerError(.integrity, "entry \(sequence) has a checkpoint_key of type \(jwk.keyType): checkpoint keys are Ed25519 (kty OKP, crv Ed25519)")
        }
        guard jwk.keyID == thumbprint else {
            throw LedgerError(.integrity,
                "entry \(sequence) has a checkpoint_key whose kid is \(jwk.keyID.map { quoted($0) } ?? "missing"), but its RFC 7638 thumbprint is \(thumbprint)")
        }
        guard let origin = body[Self.originMember]?.stringValue else {
            throw LedgerError(.integrity, "entry \(sequence) has a checkpoint_key but no checkpoint_origin string")
        }
        do {
            try Self.checkOrigin(origin)
            self.verifierKey = try NoteVerifierKey(name: origin, signatureType: .ed25519, ed25519PublicKey: publicKey)
        } catch let error as LedgerError {
            throw LedgerError(.integrity, "entry \(sequence) has an unusable checkpoint key: \(error.message)")
        }
        self.keyID = thumbprint
        self.publicJWK = jwk
        self.origin = origin
        self.introducedAt = sequence
    }

    /// Returns the public JWK of an Ed25519 private key, with `kid` set to its thumbprint.
    /// - Throws: `LedgerError.Code.invalidInput` when the key is not Ed25519.
    static func publicJWK(of privateKey: PrivateKey) throws -> JWK {
        guard privateKey.spec == .ed25519 else {
            throw LedgerError(.invalidInput,
                "the checkpoint key is \(privateKey.spec): checkpoint keys must be Ed25519, the key type of C2SP checkpoint signatures")
        }
        var jwk = try JWK(publicKey: privateKey.publicKey())
        jwk.keyID = try jwk.thumbprint()
        return jwk
    }

    /// Throws unless `origin` can be both a checkpoint's first line and a
    /// note key name: not empty, no white space, plus sign or control character.
    static func checkOrigin(_ origin: String) throws {
        try NoteSyntax.checkKeyName(origin)
    }

    /// The default checkpoint origin of a ledger: `keyledger/<ledger_id>`.
    public static func defaultOrigin(ledgerID: String) -> String {
        "keyledger/\(ledgerID)"
    }

    /// Builds the message that the outgoing checkpoint key signs to hand
    /// over to the key with id `newKeyID`:
    /// "keyledger/checkpoint-key-handover/v1\n<ledger id>\n<new kid>\n" in UTF-8.
    public static func handoverMessage(ledgerID: String, newKeyID: String) -> [UInt8] {
        Array("keyledger/checkpoint-key-handover/v1\n\(ledgerID)\n\(newKeyID)\n".utf8)
    }

    /// Checks `signature`, the raw 64-byte Ed25519 signature of a handover
    /// message, with this key.
    func verifyHandover(signature: [UInt8], ledgerID: String, newKeyID: String) -> Bool {
        guard let publicKey = try? PublicKey(components: .ed25519(publicKey: self.publicKey)) else { return false }
        return publicKey.verify(signature: signature, for: Self.handoverMessage(ledgerID: ledgerID, newKeyID: newKeyID),
                                scheme: .ed25519)
    }

    public static func == (lhs: LedgerCheckpointKey, rhs: LedgerCheckpointKey) -> Bool {
        lhs.keyID == rhs.keyID && Array(lhs.origin.utf8) == Array(rhs.origin.utf8) && lhs.introducedAt == rhs.introducedAt
    }
}
