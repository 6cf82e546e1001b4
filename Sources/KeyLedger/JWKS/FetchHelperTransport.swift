import Dispatch
import Foundation
import JOSE

extension LedgerError.Code {
    /// The program that fetches over HTTP for this one could not be run, or
    /// answered with something other than its result.
    public static let fetchHelperFailed = LedgerError.Code("fetch_helper_failed")
}

/// Fetches by running the `keyledger-fetch` program, which performs the
/// HTTP exchange in its own process and prints the outcome as one JSON
/// object (see ``FetchHelperMessage``).
///
/// The `keyledger` command fetches this way, so the HTTP and TLS libraries
/// that Foundation's networking loads never start in a process that holds a
/// private signing key, and commands that do not fetch do not pay for
/// loading them. The program gets the caller's environment without the
/// `KEYLEDGER_` variables.
public struct FetchHelperTransport: JWKSTransport {
    /// The name of the program, which is built and installed beside `keyledger`.
    public static let programName = "keyledger-fetch"

    /// The path of the program to run.
    public let executablePath: String

    public init(executablePath: String) {
        self.executablePath = executablePath
    }

    /// A transport that runs the program from the directory of the running
    /// executable, where `swift build` and an installation put it.
    public static func besideRunningExecutable() -> FetchHelperTransport {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        let directory = URL(fileURLWithPath: running).deletingLastPathComponent()
        return FetchHelperTransport(executablePath: directory.appendingPathComponent(programName).path)
    }

    public func download(_ url: URL, timeout: TimeInterval, maximumBytes: Int) throws -> JWKSDownload {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executablePath)
        process.arguments = FetchHelperMessage.arguments(url: url, timeout: timeout, maximumBytes: maximumBytes)
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        // Proxy settings and the like pass through; keyledger's own
        // variables, which include a key passphrase, do not.
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KEYLEDGER_") }
        do {
            try process.run()
        } catch {
            throw LedgerError(
                .fetchHelperFailed,
                "cannot run \(quoted(executablePath)), which fetches over HTTP for keyledger: "
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

/// The command line and the output of `keyledger-fetch`.
///
/// The program is called as
/// `keyledger-fetch --timeout SECONDS --max-bytes N URL` and prints one JSON
/// object and exits 0 whether or not the fetch worked:
/// - `{"status": 200, "url": "https://…", "body": "<base64url>"}` for a
///   response from 200 to 299, with the URL after redirects;
/// - `{"error": "fetch_failed", "message": "…"}` for a failed fetch, where
///   `error` is a ``LedgerError/Code`` name.
public enum FetchHelperMessage {
    /// The codes that a failed fetch may report.
    static let fetchErrorCodes: Set<LedgerError.Code> = [
        .invalidInput, .fetchFailed, .fetchTimedOut, .httpStatus, .responseTooLarge,
    ]

    /// The arguments for one fetch.
    public static func arguments(url: URL, timeout: TimeInterval, maximumBytes: Int) -> [String] {
        ["--timeout", String(timeout), "--max-bytes", String(maximumBytes), url.absoluteString]
    }

    /// The output for a response.
    public static func encode(_ download: JWKSDownload) throws -> String {
        try JCS.canonicalString(.object([
            "status": .number(Double(download.statusCode)),
            "url": .string(download.finalURL.absoluteString),
            "body": .string(Base64URL.encode(download.body)),
        ]))
    }

    /// The output for a failed fetch.
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
