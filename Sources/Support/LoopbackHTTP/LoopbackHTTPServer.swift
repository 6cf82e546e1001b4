import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 that serves fixed documents by path.
///
/// It exists so that the demo can publish JWKS documents to a real endpoint
/// without any dependency: one thread accepts connections one at a time,
/// serves `GET` for registered paths (404 otherwise) and closes each
/// connection. It binds only the loopback address, on a port the kernel picks.
public final class LoopbackHTTPServer: @unchecked Sendable {
    /// The port the server listens on.
    public let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var documents: [String: (contentType: String, body: [UInt8])] = [:]
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    /// Starts listening on 127.0.0.1 and serving on a background thread.
    public init() throws {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw Self.systemError("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            let error = Self.systemError("bind or listen on 127.0.0.1")
            close(descriptor)
            throw error
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else {
            let error = Self.systemError("getsockname")
            close(descriptor)
            throw error
        }
        self.listener = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in
            acceptLoop()
            finished.signal()
        }
        thread.name = "LoopbackHTTPServer"
        thread.start()
    }

    deinit {
        stop()
    }

    /// Returns the URL for `path` on this server, for example `http://127.0.0.1:40123/jwks.json`.
    public func url(_ path: String) -> String {
        "http://127.0.0.1:\(port)/" + (path.hasPrefix("/") ? String(path.dropFirst()) : path)
    }

    /// Serves `body` at `path` from now on, replacing what was served there.
    public func serve(_ path: String, body: [UInt8], contentType: String = "application/json") {
        lock.lock()
        documents[path.hasPrefix("/") ? path : "/" + path] = (contentType, body)
        lock.unlock()
    }

    /// Stops accepting connections and waits for the serving thread to end.
    public func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        guard !wasStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        finished.wait()
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func acceptLoop() {
        while !isStopped {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ connection: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let headerEnd: [UInt8] = Array("\r\n\r\n".utf8)
        while request.count < 16_384 {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            request += buffer[0..<count]
            if request.count >= 4, request.suffix(from: max(0, request.count - count - 3)).containsSequence(headerEnd) { break }
        }
        let requestLine = String(decoding: request.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let parts = requestLine.split(separator: " ")
        var status = "404 Not Found"
        var contentType = "text/plain"
        var body = Array("not found\n".utf8)
        if parts.count >= 2, parts[0] == "GET" {
            let path = String(parts[1].split(separator: "?", maxSplits: 1)[0])
            lock.lock()
            let document = documents[path]
            lock.unlock()
            if let document {
                status = "200 OK"
                contentType = document.contentType
                body = document.body
            }
        } else {
            status = "405 Method Not Allowed"
            body = Array("only GET is served\n".utf8)
        }
        let header = "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let response = Array(header.utf8) + body
        var sent = 0
        while sent < response.count {
            let count = response[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return }
            sent += count
        }
    }

    private static func systemError(_ operation: String) -> Error {
        NSError(domain: NSPOSIXErrorDomain, code: Int(errno),
                userInfo: [NSLocalizedDescriptionKey: "\(operation) failed: \(String(cString: strerror(errno)))"])
    }
}

private extension ArraySlice where Element == UInt8 {
    func containsSequence(_ pattern: [UInt8]) -> Bool {
        guard count >= pattern.count else { return false }
        var index = startIndex
        while index + pattern.count <= endIndex {
            if self[index..<index + pattern.count].elementsEqual(pattern) { return true }
            index += 1
        }
        return false
    }
}
