import Foundation
import XCTest

/// A static file server on 127.0.0.1 (Python's http.server) for tests that fetch JWKS documents.
///
/// It binds port 0, so the kernel picks a free port, and it is stopped when the test ends.
public final class LocalHTTPServer {
    public let directory: URL
    public let port: Int
    private let process: Process

    public init(_ testCase: XCTestCase, directory: URL) throws {
        self.directory = directory
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", directory.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        testCase.addTeardownBlock {
            process.terminate()
            process.waitUntilExit()
        }

        // http.server prints "Serving HTTP on 127.0.0.1 port N (http://127.0.0.1:N/) ..." once it listens.
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
            throw XCTSkip("python3 http.server did not start: \(text)")
        }
        self.port = port
    }

    public func url(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name)" }

    /// Writes `document` where the server serves it as `name`.
    public func serve(_ name: String, _ document: String) throws {
        try Data(document.utf8).write(to: directory.appendingPathComponent(name))
    }
}

/// Returns a 127.0.0.1 port with nothing listening, for unreachable-endpoint tests.
public func closedLocalPort() -> Int {
    // Nothing listens on the discard port on the machines these tests run on,
    // so a connection to it is refused at once.
    9
}
