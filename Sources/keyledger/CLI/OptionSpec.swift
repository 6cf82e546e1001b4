/// One option a command accepts.
struct OptionSpec {
    /// The long name without dashes, for example "ledger".
    let name: String
    /// The placeholder for the value, or nil for a flag that takes none.
    let valueName: String?
    let help: String
    /// An environment variable that supplies the value when the option is absent.
    var environment: String? = nil
    /// Whether the option may be given more than once.
    var repeatable = false

    static func value(_ name: String, _ valueName: String, _ help: String, environment: String? = nil, repeatable: Bool = false) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, environment: environment, repeatable: repeatable)
    }

    static func flag(_ name: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, help: help)
    }
}

/// A command's name, purpose, usage line and options, from which help and parsing both derive.
struct CommandSpec {
    /// The words that select the command, for example ["signing-key", "rotate"].
    let path: [String]
    let summary: String
    let usage: String
    var discussion: String? = nil
    let options: [OptionSpec]
    /// The name of positional arguments in help, or nil when the command takes none.
    var positionalName: String? = nil
    /// Option names an earlier version accepted, each mapped to its replacement as help writes it,
    /// so that an old script fails with the new name instead of "unknown option".
    var renamedOptions: [String: String] = [:]
    /// Option names that other commands use for a value this command takes under another name,
    /// each mapped to this command's option as help writes it.
    var optionsOfOtherCommands: [String: String] = [:]

    var fullName: String { (["keyledger"] + path).joined(separator: " ") }

    var help: String {
        var text = "\(summary)\n\nUsage: \(fullName) \(usage)\n"
        if let discussion { text += "\n\(discussion)\n" }
        let all = options + [OptionSpec.flag("help", "Show this help and exit. -h does the same.")]
        text += "\nOptions:\n"
        let labels = all.map { option in "--\(option.name)" + (option.valueName.map { " \($0)" } ?? "") }
        let width = min(30, (labels.map(\.count).max() ?? 0) + 2)
        for (option, label) in zip(all, labels) {
            var line = "  " + label.padding(toLength: max(width, label.count + 1), withPad: " ", startingAt: 0) + option.help
            if let variable = option.environment { line += " Default: $\(variable)." }
            text += line + "\n"
        }
        text += "\nExit status: 0 success, 1 a check failed, 2 usage or input error.\n"
        return text
    }
}
