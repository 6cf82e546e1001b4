/// A note signature together with the key that verified it.
public struct VerifiedNoteSignature: Sendable {
    public let signature: NoteSignature
    public let key: NoteVerifierKey
}

extension SignedNote {
    /// Checks the note's signatures against `keys` and returns the ones that
    /// are valid, in the note's order.
    ///
    /// This follows C2SP signed-note: a signature whose key name and key ID
    /// do not both match a key in `keys` is ignored, every signature that
    /// matches one is checked, and one invalid signature rejects the whole
    /// note. Names are compared byte for byte. Should two keys in `keys`
    /// share a name and a 32-bit key ID, the first one checks the signature.
    /// - Throws: `LedgerError.Code.integrity` when a signature from a known
    ///   key is invalid, or when no signature is from a known key.
    public func verify(with keys: [NoteVerifierKey]) throws -> [VerifiedNoteSignature] {
        let textBytes = Array(text.utf8)
        var verified: [VerifiedNoteSignature] = []
        for signature in signatures {
            guard let key = keys.first(where: { $0.matches(signature) }) else { continue }
            guard key.verify(signature, text: textBytes) else {
                throw LedgerError(.integrity,
                    "the signature by \(quoted(key.name)) (key ID \(NoteSyntax.hexKeyID(key.keyID))) is invalid: the note was altered or not signed by that key")
            }
            verified.append(VerifiedNoteSignature(signature: signature, key: key))
        }
        guard !verified.isEmpty else {
            let signers = signatures.map { "\($0.keyName)+\(NoteSyntax.hexKeyID($0.keyID))" }.joined(separator: ", ")
            let known = keys.isEmpty ? "none" : keys.map { "\($0.name)+\(NoteSyntax.hexKeyID($0.keyID))" }.joined(separator: ", ")
            throw LedgerError(.integrity,
                "the note has no signature by a known key: it is signed by \(signers), and the known keys are \(known)")
        }
        return verified
    }
}
