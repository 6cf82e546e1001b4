extension JWTValidator {
    /// Picks the key that must have signed a token.
    ///
    /// A token with a `kid` uses the key with that `kid`. When several keys
    /// share it, only the keys that fit the token's `alg` are considered, and
    /// exactly one must remain. A token without a `kid` is accepted only
    /// when the set has exactly one key, because otherwise the verifier
    /// would have to try keys until one verifies.
    ///
    /// - Throws: ``JWTError`` with code `keyNotFound`, `keyIDRequired`,
    ///   `duplicateKeyID` or `keyNotForVerification`.
    func selectKey(keyID: String?, algorithm: JWSAlgorithm) throws -> JWK {
        let candidates: [JWK]
        if let keyID {
            candidates = keySet.keys(withID: keyID)
            guard !candidates.isEmpty else {
                throw JWTError(.keyNotFound, "no key in the JWK Set has kid \(JWTError.quoted(keyID))\(unsupportedKeySuffix(keyID: keyID))")
            }
        } else {
            guard !keySet.keys.isEmpty else {
                throw JWTError(.keyNotFound, "the JWK Set has no supported keys")
            }
            guard keySet.keys.count == 1 else {
                throw JWTError(
                    .keyIDRequired,
                    "the token has no \"kid\" header, but the JWK Set has \(keySet.keys.count) keys; "
                        + "a token must name its key with \"kid\" when the set has more than one"
                )
            }
            candidates = keySet.keys
        }

        let key: JWK
        if candidates.count == 1 {
            key = candidates[0]
        } else {
            let fitting = candidates.filter { Self.fits($0, algorithm) }
            guard fitting.count <= 1 else {
                throw JWTError(
                    .duplicateKeyID,
                    "\(fitting.count) keys in the JWK Set have kid \(JWTError.quoted(keyID ?? "")) and fit \(algorithm.rawValue); "
                        + "each key in a set needs its own kid"
                )
            }
            // With no fitting key, the first one is checked so that the error names the mismatch.
            key = fitting.first ?? candidates[0]
        }

        if let use = key.use, use != "sig" {
            throw JWTError(
                .keyNotForVerification,
                "the \(Self.describe(key)) has \"use\": \(JWTError.quoted(use)), so it is not meant for signatures"
            )
        }
        if let operations = key.keyOperations, !operations.contains("verify") {
            throw JWTError(
                .keyNotForVerification,
                "the \(Self.describe(key)) has \"key_ops\" without \"verify\", so it is not meant for verifying signatures"
            )
        }
        return key
    }

    /// Returns whether a key can verify `algorithm`: its type fits, and its own `alg`, if any, is the same.
    private static func fits(_ key: JWK, _ algorithm: JWSAlgorithm) -> Bool {
        guard key.algorithm == nil || key.algorithm == algorithm.rawValue else {
            return false
        }
        guard let publicKey = try? key.publicKey() else {
            return false
        }
        return algorithm.fits(publicKey.spec)
    }

    /// Returns a message suffix saying that the set skipped a key with this
    /// `kid` as unsupported, so that a reader does not look for a typo.
    private func unsupportedKeySuffix(keyID: String) -> String {
        let skipped = keySet.unsupportedKeys.first { $0["kid"]?.stringValue == keyID }
        guard let skipped else {
            return ""
        }
        let type = skipped["kty"]?.stringValue ?? "?"
        let curve = skipped["crv"]?.stringValue.map { " \($0)" } ?? ""
        return "; the set has a \(JWTError.quoted(type + curve)) key with this kid, but that key type is not supported"
    }
}
