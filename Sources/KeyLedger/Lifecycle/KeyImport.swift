import JOSE
import OpenSSLBridge

/// The forms in which `key import` accepts a public key.
public enum KeyImportFormat: String, Sendable {
    /// A SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY").
    case publicPEM = "public"
    /// One public JWK.
    case jwk
    /// A JWK Set; every key in it is imported.
    case jwks

    /// Parses the public keys in `bytes`.
    ///
    /// - Parameter algorithm: the JWS algorithm to record for a PEM key, which carries none.
    /// - Throws: `LedgerError` naming `source` for unparsable input, private
    ///   JWK members, or key types keyledger does not support.
    public func keys(from bytes: [UInt8], source: String, algorithm: String? = nil) throws -> [JWK] {
        do {
            switch self {
            case .publicPEM:
                let publicKey = try PublicKey(pem: String(decoding: bytes, as: UTF8.self))
                return [try JWK(publicKey: publicKey, algorithm: algorithm)]
            case .jwk:
                return [try JWK(json: JSONValue(parsing: bytes))]
            case .jwks:
                let set = try JWKS(json: JSONValue(parsing: bytes))
                if !set.unsupportedKeys.isEmpty {
                    let types = set.unsupportedKeys.map { $0["kty"]?.stringValue ?? "missing kty" }.joined(separator: ", ")
                    throw LedgerError(.invalidInput,
                        "\(quoted(source)) contains keys of unsupported types (\(types)): remove them, or import the supported keys one at a time with --jwk")
                }
                return set.keys
            }
        } catch let error as LedgerError {
            throw error
        } catch let error as CryptoError {
            // The reason alone, because the description adds the code name and a source location.
            throw LedgerError(.invalidInput, "cannot import \(quoted(source)): \(error.reason)")
        } catch {
            throw LedgerError(.invalidInput, "cannot import \(quoted(source)): \(error)")
        }
    }
}
