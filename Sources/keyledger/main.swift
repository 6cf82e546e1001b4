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
        let group = allCommands.filter { $0.spec.path.first == arguments[0] }
        if !group.isEmpty, arguments.dropFirst().contains("--help") || arguments.dropFirst().contains("-h") {
            var text = "Subcommands of keyledger \(arguments[0]):\n\n"
            for command in group {
                text += "  " + command.spec.path.joined(separator: " ") + "  " + command.spec.summary + "\n"
            }
            text += "\nRun `keyledger \(arguments[0]) SUBCOMMAND --help` for a subcommand's options."
            Terminal.output(text)
            return 0
        }
        if !group.isEmpty {
            let names = group.map { $0.spec.path.joined(separator: " ") }.joined(separator: ", ")
            Terminal.message("error: `keyledger \(arguments[0])` needs a subcommand: \(names)")
        } else {
            Terminal.message("error: unknown command \"\(arguments[0])\": run `keyledger --help` for the list")
        }
        return 2
    }
    // A word after the command that names a group of longer commands, such as
    // `checkpoint key`, needs one of that group's subcommands.
    if let next = arguments.dropFirst(command.spec.path.count).first {
        let group = command.spec.path + [next]
        let members = allCommands.filter { Array($0.spec.path.prefix(group.count)) == group }
        if !members.isEmpty {
            let names = members.map { $0.spec.path.joined(separator: " ") }.joined(separator: ", ")
            Terminal.message("error: `keyledger \(group.joined(separator: " "))` needs a subcommand: \(names)")
            return 2
        }
    }
    do {
        let parsed = try ParsedArguments(Array(arguments.dropFirst(command.spec.path.count)),
                                         spec: command.spec, environment: ProcessInfo.processInfo.environment)
        if parsed.wantsHelp {
            Terminal.output(command.spec.help)
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
