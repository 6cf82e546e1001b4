/// A signature type identifier byte of C2SP signed notes, the byte that
/// verifier keys and key IDs start with.
///
/// keyledger supports only the two Ed25519 types. Reading a verifier key of
/// any other type fails with an error that names the byte.
public enum NoteSignatureType: UInt8, Sendable, CustomStringConvertible {
    /// 0x01: an Ed25519 signature over the note text (C2SP signed-note).
    case ed25519 = 0x01
    /// 0x04: a timestamped Ed25519 cosignature of a checkpoint (C2SP tlog-cosignature).
    case cosignatureEd25519 = 0x04

    public var description: String {
        switch self {
        case .ed25519: "Ed25519 (0x01)"
        case .cosignatureEd25519: "timestamped Ed25519 cosignature (0x04)"
        }
    }
}
