import Foundation
import OpenSSLBridge

extension LedgerError.Code {
    /// A JWKS endpoint could not be reached, the connection failed, or a
    /// redirect led to a URL that is not allowed.
    public static let fetchFailed = LedgerError.Code("fetch_failed")
    /// A JWKS endpoint did not finish responding within the timeout.
    public static let fetchTimedOut = LedgerError.Code("fetch_timed_out")
    /// A JWKS endpoint responded with a status outside 200 to 299.
    public static let httpStatus = LedgerError.Code("http_status")
    /// A JWKS endpoint sent more than ``JWKSFetcher/maximumBodyBytes``.
    public static let responseTooLarge = LedgerError.Code("response_too_large")
}

/// Downloads a JWK Set over HTTP or HTTPS and keeps the exact bytes served.
///
/// The fetcher checks the URL and hashes the body; a ``JWKSTransport`` does
/// the HTTP exchange. The ledger module has no HTTP client of its own, so
/// a process that only appends or verifies never loads one.
/// ``FetchHelperTransport`` runs the `keyledger-fetch` program, as the
/// `keyledger` command does, so HTTP and TLS libraries never share a process
/// with a private signing key. Tooling may supply its own transport.
///
/// `keyledger-fetch` uses no cache, no cookies and no stored credentials,
/// and follows redirects, but only on the same host (any port or path),
/// never to a URL with a user name or password, never to a scheme other
/// than http or https, and never from https to http. A JWKS check is evidence of what the named endpoint serves, so a
/// document from another host is not accepted in its place: check that
/// host's URL directly. ``fetch(_:)`` applies the host rule to the final URL
/// of any transport. The body is not parsed, so a caller can hash, store or
/// compare the bytes as served.
public struct JWKSFetcher: Sendable {
    /// The largest body accepted, 1 MiB. Real JWK Sets are a few kilobytes,
    /// so a larger response is refused before it fills memory.
    public static let maximumBodyBytes = 1 << 20

    /// Seconds allowed for the whole fetch, from connecting to the last byte.
    public let timeout: TimeInterval
    /// The transport that performs the HTTP exchange.
    public let transport: any JWKSTransport

    /// A response with a status from 200 to 299.
    public struct Response: Sendable {
        /// The body exactly as served.
        public let body: [UInt8]
        /// The HTTP status code.
        public let statusCode: Int
        /// The URL that served the body, after any redirects.
        public let finalURL: URL
        /// The SHA-256 of ``body``.
        public let bodySHA256: [UInt8]

        /// ``bodySHA256`` in lowercase hex.
        public var bodySHA256Hex: String { hexString(bodySHA256) }
    }

    /// Creates a fetcher.
    /// - Parameters:
    ///   - timeout: Seconds allowed for a whole fetch.
    ///   - transport: What performs the HTTP exchange.
    /// - Precondition: `timeout` is positive and finite.
    public init(timeout: TimeInterval = 10, transport: any JWKSTransport) {
        precondition(timeout.isFinite && timeout > 0, "the fetch timeout must be a positive number of seconds")
        self.timeout = timeout
        self.transport = transport
    }

    /// Downloads `url`, blocking the calling thread until the fetch ends.
    ///
    /// Call it from a thread that may block, never from a Swift concurrency task.
    ///
    /// - Throws: ``LedgerError`` with one of these codes:
    ///   - `invalidInput` for a URL that is not http or https with a host.
    ///   - `fetchTimedOut` when the fetch takes longer than ``timeout``.
    ///   - `fetchFailed` when the host cannot be reached, TLS fails, or a
    ///     redirect is not allowed (another host, a user name or password,
    ///     a scheme other than http or https, or https to http).
    ///   - `httpStatus` for a status outside 200 to 299, named in the message.
    ///   - `responseTooLarge` for a body over ``maximumBodyBytes``.
    public func fetch(_ url: URL) throws -> Response {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw LedgerError(.invalidInput, "the JWKS URL \(quoted(url.absoluteString)) is not valid: use an http:// or https:// URL with a host")
        }
        // A JWK Set contains public keys only, and the URL is recorded in the
        // ledger and shown in process listings: it must carry no credentials.
        guard url.user == nil, url.password == nil else {
            throw LedgerError(.invalidInput,
                "the JWKS URL for host \(quoted(host)) contains a user name or password, which would be recorded in the ledger: remove it, since a JWK Set is public")
        }
        let download = try transport.download(url, timeout: timeout, maximumBytes: Self.maximumBodyBytes)
        guard Self.isAllowedRedirect(to: download.finalURL, from: url) else {
            throw Self.redirectNotAllowed(from: url, to: download.finalURL)
        }
        guard download.body.count <= Self.maximumBodyBytes else {
            throw Self.tooLarge(download.finalURL, contentLength: nil, limit: Self.maximumBodyBytes)
        }
        return Response(
            body: download.body,
            statusCode: download.statusCode,
            finalURL: download.finalURL,
            bodySHA256: Digest.sha256(download.body)
        )
    }

    /// Returns the error for a fetch that took longer than `timeout` seconds.
    public static func timedOut(_ url: URL, after timeout: TimeInterval) -> LedgerError {
        let seconds = timeout.rounded() == timeout ? String(Int(timeout)) : String(timeout)
        return LedgerError(
            .fetchTimedOut,
            "fetching \(quoted(url.absoluteString)) timed out after \(seconds) s: check that the server responds, or raise the timeout"
        )
    }

    /// Returns the error for a response that is not HTTP.
    public static func notHTTP(_ url: URL) -> LedgerError {
        LedgerError(.fetchFailed, "\(quoted(url.absoluteString)) did not return an HTTP response")
    }

    /// Returns the error for a status outside 200 to 299. `reason` is the status's usual phrase.
    public static func badStatus(_ url: URL, statusCode: Int, reason: String) -> LedgerError {
        LedgerError(.httpStatus, "\(quoted(url.absoluteString)) responded with HTTP status \(statusCode) \(reason): expected 200 to 299")
    }

    /// Returns whether `target` is on the host of `origin`, ignoring case and port.
    public static func isSameHost(_ target: URL, as origin: URL) -> Bool {
        guard let targetHost = target.host?.lowercased(), let originHost = origin.host?.lowercased() else {
            return false
        }
        return targetHost == originHost
    }

    /// Returns whether a redirect from `origin` may end at `target`: on the
    /// same host, and without a user name or password, which the ledger would
    /// record with the final URL.
    public static func isAllowedRedirect(to target: URL, from origin: URL) -> Bool {
        isSameHost(target, as: origin) && target.user == nil && target.password == nil
    }

    /// Returns the error for a redirect to a URL that may not be followed.
    /// The error is recorded in the ledger, so it names the target without
    /// any user name or password.
    public static func redirectNotAllowed(from: URL, to target: URL?) -> LedgerError {
        var redacted = target.flatMap { URLComponents(url: $0, resolvingAgainstBaseURL: false) }
        let hadCredentials = redacted?.user != nil || redacted?.password != nil
        redacted?.user = nil
        redacted?.password = nil
        let credentials = hadCredentials ? " with a user name or password (removed here)" : ""
        return LedgerError(
            .fetchFailed,
            "\(quoted(from.absoluteString)) redirected to \(quoted(redacted?.string ?? "an invalid URL"))\(credentials), "
                + "which is not allowed: redirects are followed only to http or https on the same host, without a user name or password, "
                + "and never from https to http; if the JWKS has moved, check its new URL directly"
        )
    }

    /// Returns the error for a host that cannot be reached.
    public static func cannotConnect(_ url: URL) -> LedgerError {
        LedgerError(.fetchFailed, "cannot connect to \(quoted(url.absoluteString)): check the URL and that the server is running and reachable")
    }

    /// Returns the error for a TLS connection that failed, with `detail` as the cause.
    public static func tlsFailed(_ url: URL, detail: String) -> LedgerError {
        LedgerError(.fetchFailed,
            "the TLS connection to \(quoted(url.absoluteString)) failed: \(detail): the server's certificate must be valid for its host name and issued by a CA this machine trusts (for a private CA, add it to the system store with update-ca-certificates)")
    }

    /// Returns the error for any other failed fetch, with `detail` as the cause.
    public static func failed(_ url: URL, detail: String) -> LedgerError {
        LedgerError(.fetchFailed, "fetching \(quoted(url.absoluteString)) failed: \(detail)")
    }

    /// Returns the error for a connection closed before any response.
    public static func noResponse(_ url: URL) -> LedgerError {
        LedgerError(.fetchFailed, "\(quoted(url.absoluteString)) closed the connection without a response")
    }

    /// Returns the error for a body over `limit` bytes.
    public static func tooLarge(_ url: URL, contentLength: Int64?, limit: Int) -> LedgerError {
        let declared = contentLength.map { " (Content-Length \($0))" } ?? ""
        return LedgerError(
            .responseTooLarge,
            "\(quoted(url.absoluteString)) sent a body larger than the limit of \(limit) bytes\(declared): a JWK Set is expected to be far smaller"
        )
    }
}

/// Performs the HTTP GET of a ``JWKSFetcher``.
public protocol JWKSTransport: Sendable {
    /// Downloads `url` with an `Accept` header for JWK Sets, following the
    /// redirects that ``JWKSFetcher`` allows.
    ///
    /// - Returns: The response, whose status is from 200 to 299.
    /// - Throws: ``LedgerError`` with the codes that ``JWKSFetcher/fetch(_:)`` lists.
    func download(_ url: URL, timeout: TimeInterval, maximumBytes: Int) throws -> JWKSDownload

    /// Throws when the transport cannot fetch at all, such as a missing
    /// program, so that a caller can stop before it starts work that
    /// needs a fetch.
    func checkReady() throws
}

extension JWKSTransport {
    public func checkReady() throws {}
}

/// A successful response from a ``JWKSTransport``.
public struct JWKSDownload: Sendable {
    /// The body exactly as served.
    public let body: [UInt8]
    /// The HTTP status code, from 200 to 299.
    public let statusCode: Int
    /// The URL that served the body, after any redirects.
    public let finalURL: URL

    public init(body: [UInt8], statusCode: Int, finalURL: URL) {
        self.body = body
        self.statusCode = statusCode
        self.finalURL = finalURL
    }
}
