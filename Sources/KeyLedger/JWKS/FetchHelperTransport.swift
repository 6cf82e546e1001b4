import Dispatch
import Foundation
import JOSE

extension LedgerError.Code {
    /// The program that fetches over HTTP for this one could not be run, or
    /// its output was not a fetch result.
    public static let fetchHelperFailed = LedgerError.Code("fetch_helper_failed")
}

/// Fetches by running the `keyledger-fetch` program, which performs the
/// HTTP exchange in its own process (see ``FetchHelperMessage`` for what
/// the two exchange).
///
/// The `keyledger` command fetches this way, so the HTTP and TLS libraries
/// that Foundation's networking loads never start in a process that has a
/// private signing key, and commands that do not fetch do not pay for
/// loading them. The program gets the caller's environment without the
/// `KEYLEDGER_` variables, reads the URL from its standard input rather than
/// its command line, which other local users can read, and ends when the
/// process that started it ends.
public struct FetchHelperTransport: JWKSTransport {
    /// The name of the program, which is built and installed beside `keyledger`.
    public static let programName = "keyledger-fetch"

    /// The path of the program to run.
    public let executablePath: String

    public init(executablePath: String) {
        self.executablePath = executablePath
    }

    /// Returns a transport that runs the program from the directory of the running
    /// executable, where `swift build` and an installation put it.
    ///
    /// The running executable is `/proc/self/exe`. Where that cannot be
    /// read, it is the first command-line argument when that is a path, or
    /// the first match on `PATH`.
    public static func besideRunningExecutable() -> FetchHelperTransport {
        let directory = runningExecutable().map { URL(fileURLWithPath: $0).deletingLastPathComponent() }
        // With no directory, the bare name fails in `checkReady` with the fix.
        let path = directory.map { $0.appendingPathComponent(programName).path } ?? programName
        return FetchHelperTransport(executablePath: path)
    }

    private static func runningExecutable() -> String? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return path
        }
        let invoked = CommandLine.arguments.first ?? ""
        if invoked.contains("/") {
            return URL(fileURLWithPath: invoked).resolvingSymlinksInPath().path
        }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(invoked).path
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return URL(fileURLWithPath: candidate).resolvingSymlinksInPath().path
            }
        }
        return nil
    }

    /// Checks that the program exists and may be run.
    public func checkReady() throws {
        var isDirectory: ObjCBool = false
        guard executablePath.contains("/"),
              FileManager.default.fileExists(atPath: executablePath, isDirectory: &isDirectory) else {
            throw LedgerError(
                .fetchHelperFailed,
                "\(quoted(executablePath)), which fetches over HTTP for keyledger, does not exist: "
                    + "install \(Self.programName) in the same directory as keyledger (swift build builds both)"
            )
        }
        guard !isDirectory.boolValue, FileManager.default.isExecutableFile(atPath: executablePath) else {
            throw LedgerError(
                .fetchHelperFailed,
                "\(quoted(executablePath)), which fetches over HTTP for keyledger, is not an executable file: "
                    + "run `chmod 755 \(executablePath)`, or install \(Self.programName) again"
            )
        }
    }

    public func download(_ url: URL, timeout: TimeInterval, maximumBytes: Int) throws -> JWKSDownload {
        try checkReady()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executablePath)
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        // Proxy settings and the like pass through; keyledger's own
        // variables, which include a key passphrase, do not.
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KEYLEDGER_") }
        // The request goes into the pipe before the program starts. It is far
        // smaller than a pipe's buffer, and this process still holds the read
        // end, so the write neither blocks nor raises SIGPIPE, even when the
        // program exits without reading it.
        let request = FetchHelperMessage.request(
            url: url, timeout: timeout, maximumBytes: maximumBytes, parentProcess: ProcessInfo.processInfo.processIdentifier
        )
        try? input.fileHandleForWriting.write(contentsOf: Array(request.utf8))
        try? input.fileHandleForWriting.close()
        do {
            try process.run()
        } catch {
            throw LedgerError(
                .fetchHelperFailed,
                "cannot run \(quoted(executablePath)), which fetches over HTTP for keyledger (\(error.localizedDescription)): "
                    + "install \(Self.programName) in the same directory as keyledger (swift build builds both)"
            )
        }

        // The program enforces the timeout itself; this only ends one that hangs.
        let watchdog = Watchdog(process: process)
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout + 5) { watchdog.fire() }
        let printed = (try? output.fileHandleForReading.readToEnd()) ?? Data()
        process.waitUntilExit()

        if watchdog.disarm() {
            throw JWKSFetcher.timedOut(url, after: timeout)
        }
        if process.terminationReason == .uncaughtSignal {
            throw LedgerError(
                .fetchHelperFailed,
                "\(quoted(executablePath)) was ended by signal \(process.terminationStatus) while fetching \(quoted(url.absoluteString))"
            )
        }
        guard process.terminationStatus == 0 else {
            throw LedgerError(
                .fetchHelperFailed,
                "\(quoted(executablePath)) exited with status \(process.terminationStatus) while fetching "
                    + "\(quoted(url.absoluteString)): run it with --help to check the installation"
            )
        }
        return try FetchHelperMessage.decode(Array(printed), program: executablePath)
    }
}

/// Ends a fetch program that outlives its timeout, unless the fetch ended first.
private final class Watchdog: @unchecked Sendable {
    private let process: Process
    private let lock = NSLock()
    private var disarmed = false
    private var fired = false

    init(process: Process) {
        self.process = process
    }

    func fire() {
        lock.withLock {
            guard !disarmed else { return }
            fired = true
            process.terminate()
        }
    }

    /// Stops the watchdog and returns whether it ended the program.
    func disarm() -> Bool {
        lock.withLock {
            disarmed = true
            return fired
        }
    }
}

/// The messages that `keyledger` and `keyledger-fetch` exchange.
///
/// The program reads one JSON object from its standard input:
/// `{"url": "https://…", "timeout_seconds": 10, "max_bytes": 1048576,
/// "parent_pid": 1234}`. It prints one JSON object and exits 0 whether or
/// not the fetch worked:
/// - `{"status": 200, "url": "https://…", "body": "<base64url>"}` for a
///   response from 200 to 299, with the URL after redirects;
/// - `{"error": "fetch_failed", "message": "…"}` for a failed fetch, where
///   `error` is a ``LedgerError/Code`` name.
public enum FetchHelperMessage {
    /// The codes that a failed fetch may report.
    static let fetchErrorCodes: Set<LedgerError.Code> = [
        .invalidInput, .fetchFailed, .fetchTimedOut, .httpStatus, .responseTooLarge,
    ]

    /// The maximum timeout, in seconds, and the maximum body size, in bytes, that the program accepts.
    public static let timeoutRange: ClosedRange<TimeInterval> = 0.001...3_600
    public static let maximumBytesRange: ClosedRange<Int> = 1...(16 << 20)

    /// One fetch that the program is asked for.
    public struct Request: Sendable {
        public let url: URL
        public let timeout: TimeInterval
        public let maximumBytes: Int
        /// The process that asked, which the program outlives by no more than a moment.
        public let parentProcess: Int32
    }

    /// Returns the request for one fetch as one line of JSON.
    public static func request(url: URL, timeout: TimeInterval, maximumBytes: Int, parentProcess: Int32) -> String {
        let object: JSONValue = .object([
            "url": .string(url.absoluteString),
            "timeout_seconds": .number(timeout),
            "max_bytes": .number(Double(maximumBytes)),
            "parent_pid": .number(Double(parentProcess)),
        ])
        // Strings and finite numbers always canonicalize.
        return ((try? JCS.canonicalString(object)) ?? "{}") + "\n"
    }

    /// Reads and checks a request.
    /// - Throws: ``LedgerError`` with `invalidInput`, naming the bad member.
    public static func parseRequest(_ bytes: [UInt8]) throws -> Request {
        guard let json = try? JSONValue(parsing: bytes), json.objectValue != nil else {
            throw LedgerError(.invalidInput, "the request is not a JSON object")
        }
        guard let text = json["url"]?.stringValue, let url = URL(string: text),
              let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw LedgerError(.invalidInput, "\"url\" must be an http:// or https:// URL with a host")
        }
        guard let timeout = json["timeout_seconds"]?.doubleValue, timeoutRange.contains(timeout) else {
            throw LedgerError(.invalidInput, "\"timeout_seconds\" must be a number from \(timeoutRange.lowerBound) to \(Int(timeoutRange.upperBound))")
        }
        guard let bytes = json["max_bytes"]?.int64Value, let maximumBytes = Int(exactly: bytes),
              maximumBytesRange.contains(maximumBytes) else {
            throw LedgerError(.invalidInput, "\"max_bytes\" must be a whole number from 1 to \(maximumBytesRange.upperBound)")
        }
        guard let parent = json["parent_pid"]?.int64Value, let parentProcess = Int32(exactly: parent), parentProcess > 0 else {
            throw LedgerError(.invalidInput, "\"parent_pid\" must be a process id")
        }
        return Request(url: url, timeout: timeout, maximumBytes: maximumBytes, parentProcess: parentProcess)
    }

    /// Returns the output for a response.
    public static func encode(_ download: JWKSDownload) throws -> String {
        try JCS.canonicalString(.object([
            "status": .number(Double(download.statusCode)),
            "url": .string(download.finalURL.absoluteString),
            "body": .string(Base64URL.encode(download.body)),
        ]))
    }

    /// Returns the output for a failed fetch.
    public static func encode(_ error: LedgerError) throws -> String {
        try JCS.canonicalString(.object([
            "error": .string(error.code.name),
            "message": .string(error.message),
        ]))
    }

    /// Reads the program's output: returns the response or throws the
    /// fetch's error.
    ///
    /// - Throws: ``LedgerError`` with the fetch's own code, or
    ///   `fetchHelperFailed` for output that is not one of the two objects.
    public static func decode(_ output: [UInt8], program: String) throws -> JWKSDownload {
        let unexpected = LedgerError(
            .fetchHelperFailed,
            "\(quoted(program)) printed something other than a fetch result: check that it is the \(FetchHelperTransport.programName) built with this keyledger"
        )
        guard let json = try? JSONValue(parsing: output), json.objectValue != nil else {
            throw unexpected
        }
        if let name = json["error"]?.stringValue {
            let code = LedgerError.Code(name)
            guard fetchErrorCodes.contains(code), let message = json["message"]?.stringValue else {
                throw unexpected
            }
            throw LedgerError(code, message)
        }
        guard let status = json["status"]?.int64Value, (200...299).contains(status),
              let served = json["url"]?.stringValue, let finalURL = URL(string: served),
              let encodedBody = json["body"]?.stringValue,
              let body = try? Base64URL.decode(encodedBody) else {
            throw unexpected
        }
        return JWKSDownload(body: body, statusCode: Int(status), finalURL: finalURL)
    }
}
