import Foundation
import XCTest

/// A static file server on 127.0.0.1 (Python's http.server) for tests that fetch JWKS documents.
///
/// It binds port 0, so the kernel picks a free port, and it is stopped when the test ends.
public final class LocalHTTPServer {
    public let directory: URL
    public let port: Int
    private let scheme: String
    private let process: Process

    public convenience init(_ testCase: XCTestCase, directory: URL) throws {
        try self.init(testCase, directory: directory, scheme: "http",
                      arguments: ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", directory.path])
    }

    /// Starts the server with TLS. It presents a new self-signed certificate
    /// for 127.0.0.1, which no trust store contains, written to
    /// `certificateDirectory` with its key.
    public convenience init(_ testCase: XCTestCase, directory: URL, selfSignedTLSIn certificateDirectory: URL) throws {
        let certificate = certificateDirectory.appendingPathComponent("server-cert.pem").path
        let key = certificateDirectory.appendingPathComponent("server-key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
                             "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else {
            throw CertificateError(description: "openssl req could not make a self-signed certificate (exit status \(openssl.terminationStatus))")
        }
        try self.init(testCase, directory: directory, scheme: "https",
                      arguments: ["python3", "-u", "-c", Self.tlsServerScript, directory.path, certificate, key])
    }

    /// Python's http.server behind an `ssl` context, announcing its port as http.server does.
    private static let tlsServerScript = """
        import functools, http.server, ssl, sys
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
        server = http.server.HTTPServer(("127.0.0.1", 0), handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print(f"Serving HTTPS on 127.0.0.1 port {server.server_address[1]}")
        server.serve_forever()
        """

    private init(_ testCase: XCTestCase, directory: URL, scheme: String, arguments: [String]) throws {
        self.directory = directory
        self.scheme = scheme
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        testCase.addTeardownBlock {
            process.terminate()
            process.waitUntilExit()
        }

        // Both servers print "Serving HTTP(S) on 127.0.0.1 port N ..." once they listen.
        var line = Data()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line += byte
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: #"port (\d+)"#, options: .regularExpression),
              let port = Int(text[range].dropFirst(5)) else {
            process.terminate()
            throw XCTSkip("python3 \(scheme) server did not start: \(text)")
        }
        self.port = port
    }

    public func url(_ name: String) -> String { "\(scheme)://127.0.0.1:\(port)/\(name)" }

    /// Writes `document` where the server serves it as `name`.
    public func serve(_ name: String, _ document: String) throws {
        try Data(document.utf8).write(to: directory.appendingPathComponent(name))
    }
}

/// The reason a test server's certificate could not be made.
struct CertificateError: Error, CustomStringConvertible {
    let description: String
}

/// Returns a 127.0.0.1 port with nothing listening, for unreachable-endpoint tests.
public func closedLocalPort() -> Int {
    // Nothing listens on the discard port on the machines these tests run on,
    // so a connection to it is refused at once.
    9
}
