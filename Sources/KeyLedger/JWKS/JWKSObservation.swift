import Foundation
import JOSE
import OpenSSLBridge

/// A JWKS document as it was served, or the error that kept it from being read.
public struct JWKSObservation: Sendable {
    /// The origin of the document: a URL or a file path.
    public enum Source: Sendable, Equatable {
        case url(String)
        case file(String)
    }

    public let source: Source
    /// The URL that served ``body`` after any redirects, for a `url` source
    /// whose response was read; nil for a file or a failed fetch.
    public let finalURL: String?
    /// The exact bytes served, or nil when the endpoint could not be read.
    public let body: [UInt8]?
    /// The reason the document could not be read, when `body` is nil.
    public let error: String?

    /// Creates an observation of a document that was read.
    /// - Parameters:
    ///   - source: The URL requested or the file read.
    ///   - finalURL: For a URL, the one that served `body` after any redirects.
    ///   - body: The exact bytes served.
    public init(source: Source, finalURL: String? = nil, body: [UInt8]) {
        self.source = source
        self.finalURL = finalURL
        self.body = body
        self.error = nil
    }

    public init(source: Source, error: String) {
        self.source = source
        self.finalURL = nil
        self.body = nil
        self.error = error
    }

    /// The SHA-256 of the bytes served, in lowercase hex.
    public var sha256: String? { body.map { hexString(Digest.sha256($0)) } }

    /// The members that name the source in a check's entries and JSON
    /// output: `url` and, once a response was read, `final_url`; or `file`.
    public var sourceMembers: [String: JSONValue] {
        switch source {
        case .url(let url):
            var members: [String: JSONValue] = ["url": .string(url)]
            if let finalURL { members["final_url"] = .string(finalURL) }
            return members
        case .file(let path):
            return ["file": .string(path)]
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
    /// The reason the document could not be read or parsed, if it could not.
    public let error: String?
    /// The `verified` entries and the summary entry that the check appended.
    public let entries: [Entry]
}

extension JWKSObservation {
    /// Fetches the JWKS at `url`, turning a failed fetch into an observation
    /// that records the error, so the failed check can be recorded too.
    ///
    /// - Throws: `LedgerError` for a URL that is not http or https, and when
    ///   the fetcher's transport itself cannot run (`fetchHelperFailed`),
    ///   which is not a fault of the endpoint.
    public static func fetch(_ url: String, with fetcher: JWKSFetcher) throws -> JWKSObservation {
        guard let parsed = URL(string: url) else {
            throw LedgerError(.invalidInput, "the JWKS URL \(quoted(url)) is not valid: use an http:// or https:// URL")
        }
        do {
            let response = try fetcher.fetch(parsed)
            return JWKSObservation(source: .url(url), finalURL: response.finalURL.absoluteString, body: response.body)
        } catch let error as LedgerError where error.code != .invalidInput && error.code != .fetchHelperFailed {
            return JWKSObservation(source: .url(url), error: error.message)
        }
    }

    /// Reads a JWKS document from a file of at most
    /// ``JWKSFetcher/maximumBodyBytes``, the limit for a fetched document,
    /// reading no more than one byte past that limit.
    /// - Throws: `LedgerError` with the code `invalidInput` when the file
    ///   cannot be read or is larger than the limit.
    public static func read(file path: String) throws -> JWKSObservation {
        let limit = JWKSFetcher.maximumBodyBytes
        let unreadable = LedgerError(.invalidInput, "cannot read the JWKS file \(quoted(path)): check that it exists and is readable")
        guard let body = try BoundedRead.read(path: path, maximumBytes: limit, unreadable: unreadable) else {
            throw LedgerError(.invalidInput,
                "the JWKS file \(quoted(path)) is larger than the limit of \(limit) bytes that applies to a served JWKS too: a JWK Set is expected to be far smaller, so check that this is the right file")
        }
        return JWKSObservation(source: .file(path), body: body)
    }
}
