import Foundation
import KeyLedger

/// The arguments of one command after parsing against its `CommandSpec`.
struct ParsedArguments {
    let spec: CommandSpec
    private(set) var values: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positional: [String] = []
    let environment: [String: String]

    /// Parses `arguments` (the words after the command path).
    ///
    /// Accepts `--name value`, `--name=value`, `-h` for `--help` and `--` to end options.
    /// - Throws: `UsageError` for an unknown option, a missing value or a repeated single-value option.
    init(_ arguments: [String], spec: CommandSpec, environment: [String: String]) throws {
        self.spec = spec
        self.environment = environment
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if !optionsEnded && argument == "-h" {
                flags.insert("help")
                continue
            }
            guard !optionsEnded, argument.hasPrefix("--") else {
                positional.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if name == "help" {
                flags.insert("help")
                continue
            }
            guard let option = spec.options.first(where: { $0.name == name }) else {
                if let replacement = spec.renamedOptions[name] {
                    throw UsageError("--\(name) was renamed: use \(replacement) (see `\(spec.fullName) --help`)")
                }
                if let replacement = spec.optionsOfOtherCommands[name] {
                    throw UsageError("unknown option --\(name) for `\(spec.fullName)`: use \(replacement) (see `\(spec.fullName) --help`)")
                }
                throw UsageError("unknown option --\(name) for `\(spec.fullName)`: see `\(spec.fullName) --help`")
            }
            if option.valueName == nil {
                guard inlineValue == nil else { throw UsageError("--\(name) takes no value") }
                flags.insert(name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else {
                    throw UsageError("--\(name) needs a value (\(option.valueName!)): see `\(spec.fullName) --help`")
                }
                value = arguments[index]
                index += 1
            }
            if values[name] != nil && !option.repeatable {
                throw UsageError("--\(name) was given more than once: give it once")
            }
            values[name, default: []].append(value)
        }
        if spec.positionalName == nil, let first = positional.first {
            throw UsageError("unexpected argument \"\(first)\" for `\(spec.fullName)`: see `\(spec.fullName) --help`")
        }
    }

    var wantsHelp: Bool { flags.contains("help") }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// Returns the option's value, or its environment variable's value when the option is absent.
    func value(_ name: String) -> String? {
        if let given = values[name]?.last { return given }
        if let variable = spec.options.first(where: { $0.name == name })?.environment,
           let fromEnvironment = environment[variable], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return nil
    }

    func values(_ name: String) -> [String] { values[name] ?? [] }

    func required(_ name: String) throws -> String {
        guard let value = value(name) else {
            let option = spec.options.first { $0.name == name }
            let viaEnvironment = option?.environment.map { " or set \($0)" } ?? ""
            throw UsageError("missing --\(name) \(option?.valueName ?? "VALUE")\(viaEnvironment): see `\(spec.fullName) --help`")
        }
        return value
    }

    func timestamp(_ name: String) throws -> Timestamp? {
        guard let text = value(name) else { return nil }
        guard let time = Timestamp(rfc3339: text) else {
            throw UsageError("--\(name) \"\(text)\" is not a time: use RFC 3339 such as 2026-10-01T00:00:00Z, or a date such as 2026-10-01")
        }
        return time
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError("--\(name) \"\(text)\" is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// Checks that exactly one of `names` is given, returning it.
    func exactlyOne(of names: [String]) throws -> String {
        let given = names.filter { value($0) != nil || flag($0) }
        guard given.count == 1 else {
            let list = names.map { "--\($0)" }.joined(separator: " or ")
            throw UsageError(given.isEmpty ? "give \(list): see `\(spec.fullName) --help`" : "give only one of \(list)")
        }
        return given[0]
    }
}

/// A mistake in how a command was called; exit status 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
