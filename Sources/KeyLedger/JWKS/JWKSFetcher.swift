import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
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
/// Each fetch uses its own ephemeral session: no cache, no cookies and no
/// stored credentials. Redirects are followed, but never to a scheme other
/// than http or https, and never from https to http. The body is not
/// parsed, so a caller can hash, store or compare the bytes as served.
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

    /// Downloads `url`, blocking the calling thread until the fetch ends.
    ///
    /// Call it from a thread that may block, never from a Swift concurrency task.
    ///
    /// - Throws: ``LedgerError`` with one of these codes:
    ///   - `invalidInput` for a URL that is not http or https with a host.
    ///   - `fetchTimedOut` when the fetch takes longer than ``timeout``.
    ///   - `fetchFailed` when the host cannot be reached, TLS fails, or a
    ///     redirect is not allowed.
    ///   - `httpStatus` for a status outside 200 to 299, named in the message.
    ///   - `responseTooLarge` for a body over ``maximumBodyBytes``.
    public func fetch(_ url: URL) throws -> Response {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw LedgerError(.invalidInput, "the JWKS URL \(quoted(url.absoluteString)) is not valid: use an http:// or https:// URL with a host")
        }

        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.setValue("application/jwk-set+json, application/json", forHTTPHeaderField: "Accept")
        request.setValue("keyledger/\(KeyLedgerVersion.current)", forHTTPHeaderField: "User-Agent")

        let download = Download(url: url, maximumBytes: Self.maximumBodyBytes)
        let session = URLSession(configuration: configuration, delegate: download, delegateQueue: nil)
        // The session keeps its delegate until it is invalidated.
        defer { session.invalidateAndCancel() }
        let task = session.dataTask(with: request)
        task.resume()
        // The session's own timeouts end the task; the extra seconds only
        // guard against a completion that never arrives.
        if download.finished.wait(timeout: .now() + timeout + 5) == .timedOut {
            task.cancel()
            throw Self.timedOut(url, after: timeout)
        }
        return try download.result(timeout: timeout)
    }

    static func timedOut(_ url: URL, after timeout: TimeInterval) -> LedgerError {
        let seconds = timeout.rounded() == timeout ? String(Int(timeout)) : String(timeout)
        return LedgerError(
            .fetchTimedOut,
            "fetching \(quoted(url.absoluteString)) timed out after \(seconds) s: check that the server responds, or raise the timeout"
        )
    }
}

/// The delegate of one fetch: collects the body up to a size limit and
/// records the first reason to stop.
private final class Download: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let url: URL
    let maximumBytes: Int
    /// Signaled once, when the task completes.
    let finished = DispatchSemaphore(value: 0)

    // The session calls the delegate on its own queue; `lock` guards these
    // against the thread that reads the result.
    private let lock = NSLock()
    private var body: [UInt8] = []
    private var response: HTTPURLResponse?
    private var rejection: LedgerError?
    private var transportError: (any Error)?

    init(url: URL, maximumBytes: Int) {
        self.url = url
        self.maximumBytes = maximumBytes
    }

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        guard let http = response as? HTTPURLResponse else {
            reject(LedgerError(.fetchFailed, "\(quoted(url.absoluteString)) did not return an HTTP response"))
            return completionHandler(.cancel)
        }
        lock.withLock { self.response = http }
        let servedURL = http.url ?? url
        guard (200...299).contains(http.statusCode) else {
            let status = "\(http.statusCode) \(HTTPURLResponse.localizedString(forStatusCode: http.statusCode))"
            reject(LedgerError(.httpStatus, "\(quoted(servedURL.absoluteString)) responded with HTTP status \(status): expected 200 to 299"))
            return completionHandler(.cancel)
        }
        if http.expectedContentLength > Int64(maximumBytes) {
            reject(Self.tooLarge(servedURL, contentLength: http.expectedContentLength, limit: maximumBytes))
            return completionHandler(.cancel)
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let overflow: Bool = lock.withLock {
            guard body.count + data.count <= maximumBytes else {
                return true
            }
            body.append(contentsOf: data)
            return false
        }
        if overflow {
            reject(Self.tooLarge(dataTask.currentRequest?.url ?? url, contentLength: nil, limit: maximumBytes))
            dataTask.cancel()
        }
    }

    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        let from = task.currentRequest?.url ?? url
        var next = request
        // NOTE: FoundationNetworking (Swift 6.3.1 on Linux) drops the trailing
        // slash of a relative Location, so "/keys/" becomes "/keys" and a
        // server that adds the slash redirects forever. Resolving the header
        // against the current URL (RFC 3986 section 5.2) keeps the path exact.
        if let location = response.value(forHTTPHeaderField: "Location"),
           let resolved = URL(string: location, relativeTo: from)?.absoluteURL {
            next.url = resolved
        }
        let target = next.url
        let targetScheme = target?.scheme?.lowercased()
        let allowed = (targetScheme == "https") || (targetScheme == "http" && from.scheme?.lowercased() == "http")
        guard allowed else {
            reject(LedgerError(
                .fetchFailed,
                "\(quoted(from.absoluteString)) redirected to \(quoted(target?.absoluteString ?? "an invalid URL")), "
                    + "which is not allowed: only http and https are followed, and never from https to http"
            ))
            // Declining the redirect ends the task; cancelling it as well
            // makes FoundationNetworking trap.
            return completionHandler(nil)
        }
        completionHandler(next)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        lock.withLock { transportError = error }
        finished.signal()
    }

    /// Returns the response, or throws the first rejection or transport error.
    func result(timeout: TimeInterval) throws -> JWKSFetcher.Response {
        let (body, response, rejection, transportError) = lock.withLock {
            (self.body, self.response, self.rejection, self.transportError)
        }
        if let rejection {
            throw rejection
        }
        if let transportError {
            throw translate(transportError, timeout: timeout)
        }
        guard let response else {
            throw LedgerError(.fetchFailed, "\(quoted(url.absoluteString)) closed the connection without a response")
        }
        return JWKSFetcher.Response(
            body: body,
            statusCode: response.statusCode,
            finalURL: response.url ?? url,
            bodySHA256: Digest.sha256(body)
        )
    }

    /// Records the first reason to stop; later ones follow from it.
    private func reject(_ error: LedgerError) {
        lock.withLock {
            if rejection == nil {
                rejection = error
            }
        }
    }

    private func translate(_ error: any Error, timeout: TimeInterval) -> LedgerError {
        let target = quoted(url.absoluteString)
        guard let urlError = error as? URLError else {
            return LedgerError(.fetchFailed, "fetching \(target) failed: \(error.localizedDescription)")
        }
        switch urlError.code {
        case .timedOut:
            return JWKSFetcher.timedOut(url, after: timeout)
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .networkConnectionLost, .notConnectedToInternet:
            return LedgerError(.fetchFailed, "cannot connect to \(target): check the URL and that the server is running and reachable")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return LedgerError(.fetchFailed, "the TLS connection to \(target) failed: \(urlError.localizedDescription)")
        default:
            return LedgerError(.fetchFailed, "fetching \(target) failed: \(urlError.localizedDescription)")
        }
    }

    private static func tooLarge(_ url: URL, contentLength: Int64?, limit: Int) -> LedgerError {
        let declared = contentLength.map { " (Content-Length \($0))" } ?? ""
        return LedgerError(
            .responseTooLarge,
            "\(quoted(url.absoluteString)) sent a body larger than the limit of \(limit) bytes\(declared): a JWK Set is expected to be far smaller"
        )
    }
}
