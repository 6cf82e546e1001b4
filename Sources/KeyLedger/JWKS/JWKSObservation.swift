import JOSE
import OpenSSLBridge

/// A JWKS document as it was served, or the error that kept it from being read.
public struct JWKSObservation: Sendable {
    /// Where the document came from: a URL or a file path.
    public enum Source: Sendable, Equatable {
        case url(String)
        case file(String)
    }

    public let source: Source
    /// The exact bytes served, or nil when the endpoint could not be read.
    public let body: [UInt8]?
    /// Why the document could not be read, when `body` is nil.
    public let error: String?

    public init(source: Source, body: [UInt8]) {
        self.source = source
        self.body = body
        self.error = nil
    }

    public init(source: Source, error: String) {
        self.source = source
        self.body = nil
        self.error = error
    }

    /// The SHA-256 of the bytes served, in lowercase hex.
    public var sha256: String? { body.map { hexString(Digest.sha256($0)) } }

    var sourceMembers: [String: JSONValue] {
        switch source {
        case .url(let url): return ["url": .string(url)]
        case .file(let path): return ["file": .string(path)]
        }
    }
}

/// The outcome of comparing a served JWKS with the keys the ledger expects.
public struct JWKSCheckResult: Sendable {
    /// Whether every expected key is served and nothing else is.
    public let matched: Bool
    /// Key ids (RFC 7638 thumbprints) the ledger expects: published or verified, not retired or rolled back.
    public let expected: [String]
    /// Thumbprints of the keys served.
    public let served: [String]
    public let missing: [String]
    public let unexpected: [String]
    /// Retired or rolled-back keys that the endpoint no longer serves.
    public let absentConfirmed: [String]
    /// Why the document could not be read or parsed, if it could not.
    public let error: String?
    /// The `verified` entries and the summary entry that the check appended.
    public let entries: [Entry]
}
