import CCurl

/// One HTTP or HTTPS GET through libcurl, which is loaded on first use.
///
/// Redirects are not followed: a 3xx response comes back with its
/// `Location` header, so the caller decides which ones to follow. Only http
/// and https URLs are fetched.
public enum HTTPGet {
    /// A response whose headers arrived.
    public struct Response: Sendable {
        /// The HTTP status code.
        public let statusCode: Int
        /// The reason phrase of the status line, such as "Not Found". HTTP/2 sends none.
        public let reasonPhrase: String?
        /// The body after content decoding, for a 2xx status only. Other
        /// responses are cut off after their headers.
        public let body: [UInt8]
        /// The value of the `Location` header as sent, which may be a
        /// relative reference, or nil without one.
        public let location: String?
    }

    /// A GET that did not produce a response.
    public enum Failure: Error, Sendable {
        /// libcurl could not be loaded, and the message names the library.
        case libraryUnavailable(String)
        /// A 2xx body was longer than the limit, or its `Content-Length` declared so.
        case bodyTooLarge(declaredLength: Int64?)
        /// The transfer failed: a libcurl error code with libcurl's message.
        case transferFailed(TransferError)
    }

    /// A failed libcurl transfer.
    public struct TransferError: Sendable {
        /// The kind of failure, from the `CURLcode`.
        public enum Kind: Sendable {
            case timedOut
            case cannotConnect
            case noResponse
            case tls
            case other
        }

        public let kind: Kind
        /// The `CURLcode`.
        public let code: Int32
        /// libcurl's message, the detailed one from `CURLOPT_ERRORBUFFER` when there is one.
        public let message: String
    }

    /// Fetches `url` with GET and returns the response of that one request.
    ///
    /// Blocks the calling thread until the transfer ends.
    /// - Parameters:
    ///   - headers: Request header lines such as "Accept: application/json".
    ///   - timeoutMilliseconds: The limit for the whole transfer, at least 1.
    ///   - maximumBodyBytes: The longest 2xx body accepted.
    /// - Throws: ``Failure``.
    public static func fetch(
        _ url: String, headers: [String], userAgent: String, timeoutMilliseconds: Int, maximumBodyBytes: Int
    ) throws -> Response {
        if let failure = keyledger_curl_load() {
            throw Failure.libraryUnavailable(String(cString: failure))
        }
        // libcurl keeps pointers to the error buffer and the header list
        // until curl_easy_cleanup, so both are freed after it. Deferred
        // blocks run in reverse order: the cleanup first, then these.
        let errorBufferSize = Int(KEYLEDGER_CURL_ERROR_SIZE)
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: errorBufferSize)
        errorBuffer.initialize(repeating: 0, count: errorBufferSize)
        defer { errorBuffer.deallocate() }
        var headerList: UnsafeMutableRawPointer?
        defer { keyledger_curl_slist_free_all(headerList) }
        for header in headers {
            headerList = keyledger_curl_slist_append(headerList, header)
        }
        let transfer = Transfer(maximumBodyBytes: maximumBodyBytes)
        guard let handle = keyledger_curl_easy_init() else {
            throw Failure.transferFailed(TransferError(kind: .other, code: -1, message: "curl_easy_init failed"))
        }
        defer { keyledger_curl_easy_cleanup(handle) }
        transfer.handle = handle

        let code = try withExtendedLifetime(transfer) { () throws -> Int32 in
            let context = Unmanaged.passUnretained(transfer).toOpaque()
            try setOption(handle, KEYLEDGER_CURLOPT_URL, url)
            try setOption(handle, KEYLEDGER_CURLOPT_USERAGENT, userAgent)
            // An empty list accepts every content coding this libcurl can decode.
            try setOption(handle, KEYLEDGER_CURLOPT_ACCEPT_ENCODING, "")
            try check(keyledger_curl_setopt_pointer(handle, KEYLEDGER_CURLOPT_HTTPHEADER, headerList))
            try check(keyledger_curl_setopt_long(handle, KEYLEDGER_CURLOPT_PROTOCOLS,
                                                 Int(KEYLEDGER_CURLPROTO_HTTP | KEYLEDGER_CURLPROTO_HTTPS)))
            try check(keyledger_curl_setopt_long(handle, KEYLEDGER_CURLOPT_FOLLOWLOCATION, 0))
            try check(keyledger_curl_setopt_long(handle, KEYLEDGER_CURLOPT_TIMEOUT_MS, max(1, timeoutMilliseconds)))
            // Without this, libcurl's DNS timeout uses SIGALRM, which is not safe with threads.
            try check(keyledger_curl_setopt_long(handle, KEYLEDGER_CURLOPT_NOSIGNAL, 1))
            try check(keyledger_curl_setopt_pointer(handle, KEYLEDGER_CURLOPT_ERRORBUFFER, errorBuffer))
            try check(keyledger_curl_setopt_callback(handle, KEYLEDGER_CURLOPT_HEADERFUNCTION, receiveHeader))
            try check(keyledger_curl_setopt_pointer(handle, KEYLEDGER_CURLOPT_HEADERDATA, context))
            try check(keyledger_curl_setopt_callback(handle, KEYLEDGER_CURLOPT_WRITEFUNCTION, receiveBody))
            try check(keyledger_curl_setopt_pointer(handle, KEYLEDGER_CURLOPT_WRITEDATA, context))
            return keyledger_curl_easy_perform(handle)
        }

        if transfer.bodyTooLarge {
            throw Failure.bodyTooLarge(declaredLength: transfer.declaredLength)
        }
        // Stopping after the headers of a response that is not 2xx ends the
        // transfer with CURLE_WRITE_ERROR, which is expected here.
        guard code == KEYLEDGER_CURLE_OK || (code == KEYLEDGER_CURLE_WRITE_ERROR && transfer.stoppedAfterHeaders) else {
            let detail = String(cString: errorBuffer)
            let message = detail.isEmpty ? String(cString: keyledger_curl_easy_strerror(code)) : detail
            throw Failure.transferFailed(TransferError(kind: kind(of: code), code: code, message: message))
        }

        var statusCode = 0
        try check(keyledger_curl_getinfo_long(handle, KEYLEDGER_CURLINFO_RESPONSE_CODE, &statusCode))
        return Response(
            statusCode: statusCode,
            reasonPhrase: transfer.reasonPhrase,
            body: transfer.body,
            location: transfer.location
        )
    }

    private static func setOption(_ handle: UnsafeMutableRawPointer, _ option: Int32, _ value: String) throws {
        // libcurl copies string options (since 7.17.0), so the pointer need not outlive the call.
        try check(keyledger_curl_setopt_pointer(handle, option, value))
    }

    private static func check(_ code: Int32) throws {
        guard code == KEYLEDGER_CURLE_OK else {
            let message = String(cString: keyledger_curl_easy_strerror(code))
            throw Failure.transferFailed(TransferError(kind: .other, code: code, message: "setting up the transfer failed: \(message)"))
        }
    }

    private static func kind(of code: Int32) -> TransferError.Kind {
        switch code {
        case KEYLEDGER_CURLE_OPERATION_TIMEDOUT:
            .timedOut
        case KEYLEDGER_CURLE_COULDNT_RESOLVE_HOST, KEYLEDGER_CURLE_COULDNT_RESOLVE_PROXY, KEYLEDGER_CURLE_COULDNT_CONNECT,
             KEYLEDGER_CURLE_SEND_ERROR, KEYLEDGER_CURLE_RECV_ERROR:
            .cannotConnect
        case KEYLEDGER_CURLE_GOT_NOTHING:
            .noResponse
        case KEYLEDGER_CURLE_SSL_CONNECT_ERROR, KEYLEDGER_CURLE_SSL_CERTPROBLEM, KEYLEDGER_CURLE_SSL_CIPHER,
             KEYLEDGER_CURLE_PEER_FAILED_VERIFICATION, KEYLEDGER_CURLE_SSL_CACERT_BADFILE, KEYLEDGER_CURLE_SSL_ISSUER_ERROR:
            .tls
        default:
            .other
        }
    }
}

/// The state of one transfer, which libcurl's callbacks reach through their context pointer.
private final class Transfer {
    /// The easy handle, which the header callback asks for the status code.
    var handle: UnsafeMutableRawPointer?
    let maximumBodyBytes: Int
    var body: [UInt8] = []
    var reasonPhrase: String?
    var location: String?
    var declaredLength: Int64?
    var bodyTooLarge = false
    var stoppedAfterHeaders = false

    init(maximumBodyBytes: Int) {
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Handles one header line. Returns false to stop the transfer after the
    /// headers of a response that is not 2xx or that declares a body over the limit.
    func receiveHeader(_ line: [UInt8]) -> Bool {
        if line.starts(with: Array("HTTP/".utf8)) {
            reasonPhrase = Self.reasonPhrase(ofStatusLine: line)
            location = nil
            return true
        }
        if let value = Self.value(ofHeader: "location", in: line) {
            location = value
            return true
        }
        guard line == [0x0D, 0x0A] || line == [0x0A], let handle else {
            return true
        }
        var statusCode = 0
        _ = keyledger_curl_getinfo_long(handle, KEYLEDGER_CURLINFO_RESPONSE_CODE, &statusCode)
        // The headers of an interim 1xx response end the same way; the final ones follow.
        if statusCode < 200 {
            return true
        }
        guard (200...299).contains(statusCode) else {
            stoppedAfterHeaders = true
            return false
        }
        var length: Int64 = -1
        if keyledger_curl_getinfo_off_t(handle, KEYLEDGER_CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == KEYLEDGER_CURLE_OK,
           length > Int64(maximumBodyBytes) {
            declaredLength = length
            bodyTooLarge = true
            return false
        }
        return true
    }

    /// Appends body bytes. Returns false once the body would pass the limit.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= maximumBodyBytes else {
            bodyTooLarge = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// Returns the value of header `name` (lowercase) with surrounding
    /// whitespace removed, or nil when `line` is another header.
    private static func value(ofHeader name: String, in line: [UInt8]) -> String? {
        let text = String(decoding: line, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":"), text[..<colon].lowercased() == name else {
            return nil
        }
        return String(text[text.index(after: colon)...]).trimmingWhitespace()
    }

    /// Returns the text after the status code of "HTTP/1.1 404 Not Found", or nil when there is none.
    private static func reasonPhrase(ofStatusLine line: [UInt8]) -> String? {
        let text = String(decoding: line, as: UTF8.self).trimmingWhitespace()
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        return parts.count == 3 ? String(parts[2]) : nil
    }
}

private extension String {
    func trimmingWhitespace() -> String {
        String(self.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

/// `CURLOPT_HEADERFUNCTION`: one header line per call, with its line ending.
/// Returning anything but `size * count` makes libcurl stop the transfer.
private let receiveHeader: keyledger_curl_data_callback = { data, size, count, context in
    let length = size * count
    guard let data, let context else { return length }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let line = Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(data), count: length))
    return transfer.receiveHeader(line) ? length : 0
}

/// `CURLOPT_WRITEFUNCTION`: the next part of the body.
private let receiveBody: keyledger_curl_data_callback = { data, size, count, context in
    let length = size * count
    guard let data, let context else { return length }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: UnsafeRawPointer(data), count: length)) ? length : 0
}
