import Foundation

/// Standard output for results, standard error for messages and progress.
enum Terminal {
    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func message(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static var standardErrorIsTerminal: Bool { isatty(FileHandle.standardError.fileDescriptor) == 1 }

    /// A progress line on standard error, redrawn in place at most ten times a second.
    ///
    /// It is silent unless standard error is a terminal and the output is not
    /// JSON, so pipes and machine-read output stay clean.
    final class Progress: @unchecked Sendable {
        private let label: String
        private let enabled: Bool
        private let lock = NSLock()
        private var lastDraw = Date.distantPast
        private var drewAnything = false

        init(_ label: String, json: Bool) {
            self.label = label
            self.enabled = !json && Terminal.standardErrorIsTerminal
        }

        /// ``update(_:_:)`` when the line is shown, else `nil`, so that work
        /// done only for progress, such as counting entries, is skipped.
        var handler: ((_ completed: Int, _ total: Int) -> Void)? {
            enabled ? update : nil
        }

        func update(_ completed: Int, _ total: Int) {
            guard enabled else { return }
            lock.lock()
            defer { lock.unlock() }
            let now = Date()
            guard now.timeIntervalSince(lastDraw) >= 0.1 || completed == total else { return }
            lastDraw = now
            drewAnything = true
            let percent = total > 0 ? completed * 100 / total : 100
            FileHandle.standardError.write(Data("\r\(label): \(completed)/\(total) (\(percent)%)\u{1B}[K".utf8))
        }

        /// Clears the progress line so the next message starts on a clean line.
        func finish() {
            guard enabled, drewAnything else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        }
    }
}
