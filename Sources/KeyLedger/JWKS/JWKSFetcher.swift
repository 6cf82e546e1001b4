import CurlBridge
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
/// Each request goes through its own libcurl handle, loaded only when a
/// fetch runs: no cache, no cookies and no stored credentials. Redirects are
/// followed, but never to a scheme other than http or https, and never from
/// https to http. The body is not parsed, so a caller can hash, store or
/// compare the bytes as served (after any content coding is decoded).
public struct JWKSFetcher: Sendable {
    /// The largest body accepted, 1 MiB. Real JWK Sets are a few kilobytes,
    /// so a larger response is refused before it fills memory.
    public static let maximumBodyBytes = 1 << 20

    /// Seconds allowed for the whole fetch, from connecting to the last byte.
    public let timeout: TimeInterval

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
    /// - Parameter timeout: Seconds allowed for a whole fetch, 10 by default.
    /// - Precondition: `timeout` is positive and finite.
    public init(timeout: TimeInterval = 10) {
        precondition(timeout.isFinite && timeout > 0, "the fetch timeout must be a positive number of seconds")
        self.timeout = timeout
    }

    /// The maximum number of redirects followed in one fetch.
    public static let maximumRedirects = 16

    /// Downloads `url`, blocking the calling thread until the fetch ends.
    ///
    /// Call it from a thread that may block, never from a Swift concurrency task.
    ///
    /// - Throws: ``LedgerError`` with one of these codes:
    ///   - `invalidInput` for a URL that is not http or https with a host.
    ///   - `fetchTimedOut` when the fetch takes longer than ``timeout``.
    ///   - `fetchFailed` when the host cannot be reached, TLS fails, a
    ///     redirect is not allowed, or there are more than ``maximumRedirects``.
    ///   - `httpStatus` for a status outside 200 to 299, named in the message.
    ///   - `responseTooLarge` for a body over ``maximumBodyBytes``.
    public func fetch(_ url: URL) throws -> Response {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw LedgerError(.invalidInput, "the JWKS URL \(quoted(url.absoluteString)) is not valid: use an http:// or https:// URL with a host")
        }

        // One deadline covers every request of the fetch, redirects included.
        let deadline = ContinuousClock.now + .milliseconds(Int64((timeout * 1000).rounded(.up)))
        var current = url
        var redirects = 0
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw Self.timedOut(url, after: timeout)
            }
            let response = try get(current, original: url, remainingMilliseconds: Self.milliseconds(remaining))

            if (300...399).contains(response.statusCode), let location = response.location {
                current = try Self.allowedRedirect(from: current, to: location)
                redirects += 1
                guard redirects <= Self.maximumRedirects else {
                    throw LedgerError(.fetchFailed,
                        "\(quoted(url.absoluteString)) redirected more than \(Self.maximumRedirects) times: check the URL for a redirect loop")
                }
                continue
            }
            guard (200...299).contains(response.statusCode) else {
                let status = ([String(response.statusCode)] + (response.reasonPhrase.map { [$0] } ?? [])).joined(separator: " ")
                throw LedgerError(.httpStatus, "\(quoted(current.absoluteString)) responded with HTTP status \(status): expected 200 to 299")
            }
            return Response(
                body: response.body,
                statusCode: response.statusCode,
                finalURL: current,
                bodySHA256: Digest.sha256(response.body)
            )
        }
    }

    /// Sends one GET for `url` and translates libcurl's failures. `original` is the URL named in messages.
    private func get(_ url: URL, original: URL, remainingMilliseconds: Int) throws -> HTTPGet.Response {
        do {
            return try HTTPGet.fetch(
                url.absoluteString,
                headers: ["Accept: application/jwk-set+json, application/json"],
                userAgent: "keyledger/\(KeyLedgerVersion.current)",
                timeoutMilliseconds: remainingMilliseconds,
                maximumBodyBytes: Self.maximumBodyBytes
            )
        } catch HTTPGet.Failure.libraryUnavailable(let message) {
            throw LedgerError(.fetchFailed, "cannot fetch \(quoted(original.absoluteString)): \(message)")
        } catch HTTPGet.Failure.bodyTooLarge(let declaredLength) {
            let declared = declaredLength.map { " (Content-Length \($0))" } ?? ""
            throw LedgerError(
                .responseTooLarge,
                "\(quoted(url.absoluteString)) sent a body larger than the limit of \(Self.maximumBodyBytes) bytes\(declared): a JWK Set is expected to be far smaller"
            )
        } catch HTTPGet.Failure.transferFailed(let failure) {
            let target = quoted(original.absoluteString)
            switch failure.kind {
            case .timedOut:
                throw Self.timedOut(original, after: timeout)
            case .cannotConnect:
                throw LedgerError(.fetchFailed, "cannot connect to \(target): check the URL and that the server is running and reachable")
            case .noResponse:
                throw LedgerError(.fetchFailed, "\(target) closed the connection without a response")
            case .tls:
                throw LedgerError(.fetchFailed, "the TLS connection to \(target) failed: \(failure.message)")
            case .other:
                throw LedgerError(.fetchFailed, "fetching \(target) failed: \(failure.message)")
            }
        }
    }

    /// Returns the URL a redirect from `from` leads to, or throws when it may not be followed:
    /// only http and https are followed, and never from https to http.
    ///
    /// `location` may be relative, and is resolved against `from` as RFC 3986 section 5.2 describes.
    private static func allowedRedirect(from: URL, to location: String) throws -> URL {
        let target = URL(string: location, relativeTo: from)?.absoluteURL
        let targetScheme = target?.scheme?.lowercased()
        let allowed = (targetScheme == "https") || (targetScheme == "http" && from.scheme?.lowercased() == "http")
        guard allowed, let target else {
            throw LedgerError(
                .fetchFailed,
                "\(quoted(from.absoluteString)) redirected to \(quoted(target?.absoluteString ?? location)), "
                    + "which is not allowed: only http and https are followed, and never from https to http"
            )
        }
        return target
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    static func timedOut(_ url: URL, after timeout: TimeInterval) -> LedgerError {
        let seconds = timeout.rounded() == timeout ? String(Int(timeout)) : String(timeout)
        return LedgerError(
            .fetchTimedOut,
            "fetching \(quoted(url.absoluteString)) timed out after \(seconds) s: check that the server responds, or raise the timeout"
        )
    }
}
