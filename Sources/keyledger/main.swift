import Foundation
import KeyLedger

// Entry point: finds the command named by the first words and runs it.
// Exit status: 0 success, 1 a check failed, 2 usage or input error.

setvbuf(stdout, nil, _IOFBF, 1 << 16)

func topLevelHelp() -> String {
    var text = """
    keyledger: a tamper-evident ledger of JWT signing-key lifecycles and change control.

    Usage: keyledger COMMAND [OPTIONS]

    Commands:

    """
    let width = allCommands.map { $0.spec.path.joined(separator: " ").count }.max() ?? 0
    for command in allCommands {
        let name = command.spec.path.joined(separator: " ")
        text += "  " + name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + command.spec.summary + "\n"
    }
    text += """

    Run `keyledger COMMAND --help` for a command's options.
    Exit status: 0 success, 1 a check failed, 2 usage or input error.
    """
    return text
}

/// Returns the position of the first argument that is not valid UTF-8, which
/// `CommandLine.arguments` would otherwise silently repair with U+FFFD.
func firstInvalidUTF8Argument() -> Int? {
    for index in 1..<Int(CommandLine.argc) {
        guard let argument = CommandLine.unsafeArgv[index] else { continue }
        if String(validatingCString: argument) == nil { return index }
    }
    return nil
}

/// Returns the commands whose path extends `group`, such as `checkpoint key show` for ["checkpoint", "key"].
func subcommands(of group: [String]) -> [Command.Type] {
    allCommands.filter { $0.spec.path.count > group.count && Array($0.spec.path.prefix(group.count)) == group }
}

/// Lists the subcommands of `group` with their summaries in aligned columns.
func subcommandList(_ group: [String]) -> String {
    let members = subcommands(of: group)
    let name = (["keyledger"] + group).joined(separator: " ")
    let width = members.map { $0.spec.path.joined(separator: " ").count }.max() ?? 0
    var text = "Subcommands of \(name):\n\n"
    for command in members {
        let path = command.spec.path.joined(separator: " ")
        text += "  " + path.padding(toLength: width + 2, withPad: " ", startingAt: 0) + command.spec.summary + "\n"
    }
    text += "\nRun `\(name) SUBCOMMAND --help` for a subcommand's options."
    return text
}

/// Handles a command line that names a group of commands, such as `key` or
/// `checkpoint key`, but none of its subcommands. With --help or -h it lists
/// the group and returns 0, otherwise it prints a usage error and returns 2.
func runGroup(_ group: [String], rest: [String]) -> Int32 {
    let name = (["keyledger"] + group).joined(separator: " ")
    if rest.contains("--help") || rest.contains("-h") {
        Terminal.output(subcommandList(group))
        return 0
    }
    let names = subcommands(of: group).map { $0.spec.path.joined(separator: " ") }.joined(separator: ", ")
    if let word = rest.first, !word.hasPrefix("-") {
        Terminal.message("error: unknown subcommand \"\(printable(word))\" for `\(name)`: use one of \(names)")
    } else {
        Terminal.message("error: `\(name)` needs a subcommand: \(names)")
    }
    return 2
}

func runMain() -> Int32 {
    if let position = firstInvalidUTF8Argument() {
        Terminal.message("error: argument \(position) is not valid UTF-8: give text in UTF-8, or pass bytes through a file such as --body-file")
        return 2
    }
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.isEmpty {
        // Called with nothing to do: the usage goes to standard error, as for any usage error.
        Terminal.message(topLevelHelp())
        return 2
    }
    if arguments == ["--help"] || arguments == ["help"] || arguments == ["-h"] {
        Terminal.output(topLevelHelp())
        return 0
    }
    if arguments == ["--version"] {
        Terminal.output("keyledger \(KeyLedgerVersion.current)")
        return 0
    }
    // Of the command paths that match the leading words, the longest is chosen.
    let match = allCommands
        .filter { Array(arguments.prefix($0.spec.path.count)) == $0.spec.path }
        .max { $0.spec.path.count < $1.spec.path.count }
    guard let command = match else {
        if allCommands.contains(where: { $0.spec.path.first == arguments[0] }) {
            return runGroup([arguments[0]], rest: Array(arguments.dropFirst()))
        }
        Terminal.message("error: unknown command \"\(printable(arguments[0]))\": run `keyledger --help` for the list")
        return 2
    }
    // A word after the command that names a group of longer commands, such as
    // `checkpoint key`, needs one of that group's subcommands.
    if let next = arguments.dropFirst(command.spec.path.count).first {
        let group = command.spec.path + [next]
        if !subcommands(of: group).isEmpty {
            return runGroup(group, rest: Array(arguments.dropFirst(group.count)))
        }
    }
    do {
        let parsed = try ParsedArguments(Array(arguments.dropFirst(command.spec.path.count)),
                                         spec: command.spec, environment: ProcessInfo.processInfo.environment)
        if parsed.wantsHelp {
            var help = command.spec.help
            // A command that also names a group, such as `checkpoint`, lists the group too.
            if !subcommands(of: command.spec.path).isEmpty {
                help += "\n" + subcommandList(command.spec.path)
            }
            Terminal.output(help)
            return 0
        }
        return try command.run(parsed)
    } catch let error as UsageError {
        Terminal.message("error: \(error)")
        return 2
    } catch let error as LedgerError {
        Terminal.message("error: \(error)")
        return error.exitStatus
    } catch {
        Terminal.message("error: \(error)")
        return 2
    }
}

let status = runMain()
fflush(stdout)
exit(status)
