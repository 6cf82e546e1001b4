import Foundation
import XCTest

/// The outcome of one finished program run: its exit status and everything it printed.
struct ProgramRun {
    let command: [String]
    let status: Int32
    let standardOutput: String
    let standardError: String

    /// Standard output split into lines, without the empty string after a final newline.
    var outputLines: [String] { Self.lines(standardOutput) }
    var errorLines: [String] { Self.lines(standardError) }

    /// The command, exit status and output, for assertion messages.
    var summary: String {
        """
        $ \(command.joined(separator: " "))
        exit status \(status)
        --- stdout ---
        \(standardOutput)--- stderr ---
        \(standardError)
        """
    }

    static func lines(_ text: String) -> [String] {
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

/// A program started with `Program.start`, still running or finished.
final class RunningProgram {
    let process: Process
    let command: [String]
    private let outputURL: URL
    private let errorURL: URL
    private let finished: DispatchSemaphore

    fileprivate init(process: Process, command: [String], outputURL: URL, errorURL: URL, finished: DispatchSemaphore) {
        self.process = process
        self.command = command
        self.outputURL = outputURL
        self.errorURL = errorURL
        self.finished = finished
    }

    var processIdentifier: Int32 { process.processIdentifier }

    /// Sends SIGKILL to the program's whole process group, so that a shell
    /// and the command it is running die together.
    ///
    /// Foundation's `Process` on Linux starts each child as the leader of a
    /// new process group, which is what makes the group signal reach only it.
    func killGroup() {
        kill(-process.processIdentifier, SIGKILL)
    }

    /// Returns what the program has written to standard output so far.
    func standardOutputSoFar() -> String {
        String(decoding: (try? Data(contentsOf: outputURL)) ?? Data(), as: UTF8.self)
    }

    /// Waits for the program to end and returns what it printed.
    ///
    /// - Throws: an error naming the command when it is still running after
    ///   `timeout` seconds; the program is killed first.
    func wait(timeout: TimeInterval) throws -> ProgramRun {
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            killGroup()
            _ = finished.wait(timeout: .now() + 10)
            throw ProgramError("\(command.joined(separator: " ")) did not finish within \(Int(timeout)) s and was killed")
        }
        defer {
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }
        let output = (try? Data(contentsOf: outputURL)) ?? Data()
        let error = (try? Data(contentsOf: errorURL)) ?? Data()
        return ProgramRun(
            command: command, status: process.terminationStatus,
            standardOutput: String(decoding: output, as: UTF8.self),
            standardError: String(decoding: error, as: UTF8.self))
    }
}

struct ProgramError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Starting programs with an exact environment and captured output.
enum Program {
    /// The environment of the test process without any `KEYLEDGER_` variable,
    /// so that a developer's own settings cannot change a test's result.
    static var cleanEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KEYLEDGER_") }
    }

    /// Starts `executable` with `arguments`.
    ///
    /// Standard output and standard error go to temporary files rather than
    /// pipes, so a program that prints a lot never blocks on a full pipe.
    /// - Parameters:
    ///   - environment: variables added to `cleanEnvironment`.
    ///   - input: bytes for standard input; without it, standard input is /dev/null.
    static func start(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                      input: Data? = nil, workingDirectory: URL? = nil) throws -> RunningProgram {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = cleanEnvironment.merging(environment) { $1 }
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }

        let scratch = FileManager.default.temporaryDirectory
        let stem = "keyledger-cli-\(UUID().uuidString)"
        let outputURL = scratch.appendingPathComponent("\(stem).stdout")
        let errorURL = scratch.appendingPathComponent("\(stem).stderr")
        for url in [outputURL, errorURL] {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw ProgramError("cannot create \(url.path) for the output of \(executable.lastPathComponent)")
            }
        }
        var childEnds = [try FileHandle(forWritingTo: outputURL), try FileHandle(forWritingTo: errorURL)]
        process.standardOutput = childEnds[0]
        process.standardError = childEnds[1]
        if let input {
            let inputURL = scratch.appendingPathComponent("\(stem).stdin")
            try input.write(to: inputURL)
            childEnds.append(try FileHandle(forReadingFrom: inputURL))
            process.standardInput = childEnds[2]
            try? FileManager.default.removeItem(at: inputURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }

        // The handler is set before the launch so that an instant exit cannot be missed.
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        let command = [executable.lastPathComponent] + arguments
        try process.run()
        // The child has its own copies of these descriptors now.
        for handle in childEnds { try? handle.close() }
        return RunningProgram(process: process, command: command, outputURL: outputURL, errorURL: errorURL, finished: finished)
    }

    /// Runs a program to the end.
    static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                    input: Data? = nil, workingDirectory: URL? = nil, timeout: TimeInterval = 60) throws -> ProgramRun {
        try start(executable, arguments, environment: environment, input: input, workingDirectory: workingDirectory)
            .wait(timeout: timeout)
    }

    /// Finds `name` on PATH, or nil when it is not installed.
    static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Finds `name` on PATH, or skips the test with the reason when it is absent.
    static func require(_ name: String, for purpose: String) throws -> URL {
        guard let url = find(name) else {
            throw XCTSkip("\(name) is not installed; it is needed to \(purpose)")
        }
        return url
    }
}
