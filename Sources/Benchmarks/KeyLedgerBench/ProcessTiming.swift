import Foundation

/// `time-process`: runs a command `--runs` times after `--warmup` untimed
/// runs, and prints the median, minimum, mean and maximum wall time from
/// spawn to exit in milliseconds.
///
/// Each run is started with `posix_spawnp` and reaped with `waitpid`, so the
/// time includes the dynamic loader and everything the program does up to
/// its exit, and no shell. Standard output is discarded, standard input
/// comes from `--stdin` (default /dev/null), and standard error is appended
/// to `--log` (default /dev/null). A run that exits with a non-zero status
/// stops the measurement, so a failing command is never reported as fast.
enum ProcessTiming {
    static func run(_ options: BenchOptions) throws {
        let runs = try options.positiveInteger("runs")
        let warmup = try options.count("warmup", default: 0)
        let command = options.trailing
        guard !command.isEmpty else { throw BenchUsageError("give the command to time after --") }
        let input = options.optionalString("stdin") ?? "/dev/null"
        let log = options.optionalString("log") ?? "/dev/null"

        for _ in 0..<warmup {
            _ = try timeOneRun(command, input: input, log: log)
        }
        var milliseconds: [Double] = []
        for _ in 0..<runs {
            milliseconds.append(try timeOneRun(command, input: input, log: log) * 1000)
        }
        milliseconds.sort()
        let middle = milliseconds.count / 2
        let median = milliseconds.count % 2 == 1 ? milliseconds[middle] : (milliseconds[middle - 1] + milliseconds[middle]) / 2
        printResult("runs", runs)
        printResult("median_ms", median)
        printResult("min_ms", milliseconds.first!)
        printResult("mean_ms", milliseconds.reduce(0, +) / Double(milliseconds.count))
        printResult("max_ms", milliseconds.last!)
    }

    /// Runs `command` once and returns its wall time in seconds.
    private static func timeOneRun(_ command: [String], input: String, log: String) throws -> Double {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)

        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }

        var pid = pid_t()
        let start = monotonicSeconds()
        let spawnStatus = posix_spawnp(&pid, command[0], &actions, nil, argv, environ)
        guard spawnStatus == 0 else {
            throw BenchFailure("cannot start \(command[0]): \(String(cString: strerror(spawnStatus)))")
        }
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) == -1 {
            guard errno == EINTR else {
                throw BenchFailure("waitpid failed for \(command[0]): \(String(cString: strerror(errno)))")
            }
        }
        let elapsed = monotonicSeconds() - start

        // WIFEXITED and WEXITSTATUS are macros that Swift does not import: the
        // low 7 bits are the terminating signal (0 for a normal exit), the next 8 the exit status.
        let signal = waitStatus & 0x7F
        let exitStatus = (waitStatus >> 8) & 0xFF
        guard signal == 0, exitStatus == 0 else {
            let outcome = signal == 0 ? "exited with status \(exitStatus)" : "was killed by signal \(signal)"
            throw BenchFailure("\(command.joined(separator: " ")) \(outcome): see its standard error in \(log)")
        }
        return elapsed
    }
}
