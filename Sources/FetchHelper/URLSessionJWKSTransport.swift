import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KeyLedger

/// Fetches with Foundation's `URLSession`.
///
/// Only this program links Foundation's networking, which loads libcurl and
/// its TLS libraries. Each fetch uses its own ephemeral session: no cache, no cookies and no
/// stored credentials. Redirects are followed only on the same host, never
/// to a URL with a user name or password, never to a scheme other than http
/// or https, and never from https to http
/// (``JWKSFetcher`` explains why).
struct URLSessionJWKSTransport: JWKSTransport {
    func download(_ url: URL, timeout: TimeInterval, maximumBytes: Int) throws -> JWKSDownload {
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

        let download = Download(url: url, maximumBytes: maximumBytes)
        let session = URLSession(configuration: configuration, delegate: download, delegateQueue: nil)
        // The session keeps its delegate until it is invalidated.
        defer { session.invalidateAndCancel() }
        let task = session.dataTask(with: request)
        task.resume()
        // The session's resource timeout does not end a body that keeps
        // arriving slowly, so the whole fetch is timed here as well.
        if download.finished.wait(timeout: .now() + timeout) == .timedOut {
            task.cancel()
            throw JWKSFetcher.timedOut(url, after: timeout)
        }
        return try download.result(timeout: timeout)
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
            reject(JWKSFetcher.notHTTP(url))
            return completionHandler(.cancel)
        }
        lock.withLock { self.response = http }
        let servedURL = http.url ?? url
        guard (200...299).contains(http.statusCode) else {
            let reason = HTTPURLResponse.localizedString(forStatusCode: http.statusCode)
            reject(JWKSFetcher.badStatus(servedURL, statusCode: http.statusCode, reason: reason))
            return completionHandler(.cancel)
        }
        if http.expectedContentLength > Int64(maximumBytes) {
            reject(JWKSFetcher.tooLarge(servedURL, contentLength: http.expectedContentLength, limit: maximumBytes))
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
            reject(JWKSFetcher.tooLarge(dataTask.currentRequest?.url ?? url, contentLength: nil, limit: maximumBytes))
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
        let schemeAllowed = (targetScheme == "https") || (targetScheme == "http" && from.scheme?.lowercased() == "http")
        // The host is compared with the URL first requested, so a chain of redirects cannot leave it either.
        let allowed = schemeAllowed && target.map { JWKSFetcher.isAllowedRedirect(to: $0, from: url) } == true
        guard allowed else {
            reject(JWKSFetcher.redirectNotAllowed(from: from, to: target))
            // Declining the redirect ends the task; cancelling it as well
            // makes FoundationNetworking trap.
            return completionHandler(nil)
        }
        completionHandler(next)
    }

    /// Rejects an authentication challenge, such as a 401 response with
    /// `WWW-Authenticate: Basic`, without credentials. The fetch then ends
    /// with that response's status instead of waiting for credentials that
    /// never come.
    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        let httpMethods = [
            NSURLAuthenticationMethodDefault, NSURLAuthenticationMethodHTTPBasic, NSURLAuthenticationMethodHTTPDigest,
            NSURLAuthenticationMethodNTLM, NSURLAuthenticationMethodNegotiate,
        ]
        guard httpMethods.contains(challenge.protectionSpace.authenticationMethod) else {
            return completionHandler(.performDefaultHandling, nil)
        }
        completionHandler(.rejectProtectionSpace, nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        lock.withLock { transportError = error }
        finished.signal()
    }

    /// Returns the response, or throws the first rejection or transport error.
    func result(timeout: TimeInterval) throws -> JWKSDownload {
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
            throw JWKSFetcher.noResponse(url)
        }
        return JWKSDownload(body: body, statusCode: response.statusCode, finalURL: response.url ?? url)
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
        guard let urlError = error as? URLError else {
            return JWKSFetcher.failed(url, detail: error.localizedDescription)
        }
        switch urlError.code {
        case .timedOut:
            return JWKSFetcher.timedOut(url, after: timeout)
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .networkConnectionLost, .notConnectedToInternet:
            return JWKSFetcher.cannotConnect(url)
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return JWKSFetcher.tlsFailed(url, detail: urlError.localizedDescription)
        default:
            // FoundationNetworking on Linux reports a self-signed certificate with the code
            // `unknown` and libcurl's message "SSL certificate problem: self-signed certificate".
            // Other TLS failures may arrive the same way, so for HTTPS the message is the only sign.
            let detail = urlError.localizedDescription
            if url.scheme?.lowercased() == "https", detail.contains("SSL") || detail.contains("certificate") {
                return JWKSFetcher.tlsFailed(url, detail: detail)
            }
            return JWKSFetcher.failed(url, detail: detail)
        }
    }
}
