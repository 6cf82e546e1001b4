/// The options of one subcommand: `--name value` pairs, and the words after `--`.
struct BenchOptions {
    private var values: [String: String] = [:]
    /// Everything after a `--` word, passed through unparsed (a command to run).
    private(set) var trailing: [String] = []

    init(_ arguments: [String]) throws {
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" {
                trailing = Array(arguments[(index + 1)...])
                return
            }
            guard word.hasPrefix("--"), word.count > 2 else {
                throw BenchUsageError("unexpected argument \"\(word)\": options are --name value")
            }
            guard index + 1 < arguments.count else {
                throw BenchUsageError("option \(word) needs a value")
            }
            values[String(word.dropFirst(2))] = arguments[index + 1]
            index += 2
        }
    }

    func string(_ name: String) throws -> String {
        guard let value = values[name] else { throw BenchUsageError("missing option --\(name)") }
        return value
    }

    func optionalString(_ name: String) -> String? { values[name] }

    /// Returns `--name` as a positive integer, or `defaultValue` when the option is absent.
    func positiveInteger(_ name: String, default defaultValue: Int? = nil) throws -> Int {
        guard let text = values[name] else {
            guard let defaultValue else { throw BenchUsageError("missing option --\(name)") }
            return defaultValue
        }
        guard let number = Int(text), number > 0 else {
            throw BenchUsageError("--\(name) \"\(text)\" is not a positive integer")
        }
        return number
    }

    /// Returns `--name` as an integer of 0 or more, or `defaultValue` when the option is absent.
    func count(_ name: String, default defaultValue: Int) throws -> Int {
        guard let text = values[name] else { return defaultValue }
        guard let number = Int(text), number >= 0 else {
            throw BenchUsageError("--\(name) \"\(text)\" is not a whole number of 0 or more")
        }
        return number
    }

    /// Returns `--name` as a positive number of seconds.
    func seconds(_ name: String) throws -> Double {
        let text = try string(name)
        guard let number = Double(text), number > 0 else {
            throw BenchUsageError("--\(name) \"\(text)\" is not a positive number of seconds")
        }
        return number
    }
}

struct BenchUsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// A failure while measuring, such as a command that exited with an error.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
