import Foundation
import XCTest

/// `--help` for the tool and every command, and the errors for unknown commands.
final class HelpTests: CLITestCase {
    /// The options each core command must list, besides --help.
    static let coreOptions: [String: [String]] = [
        "init": ["ledger", "signing-key", "alg", "generate-signing-key", "key-out", "actor", "json"],
        "append": ["ledger", "signing-key", "kind", "actor", "body", "body-file", "ndjson", "durability", "json"],
        "log": ["ledger", "kind", "since", "until", "kid", "change", "json"],
        "verify": ["ledger", "trust-anchor", "expect-head", "json"],
        "signing-key rotate": ["ledger", "signing-key", "new-key", "alg", "generate", "key-out", "actor", "reason", "json"],
        "signing-key show": ["ledger", "json"],
    ]

    func testTopLevelHelpListsCommands() throws {
        let run = try keyledger(["--help"])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.standardError, "")
        XCTAssertTrue(run.standardOutput.contains("Usage: keyledger COMMAND [OPTIONS]"), run.summary)
        let commands = try listedCommands()
        for command in Self.coreOptions.keys {
            XCTAssertTrue(commands.contains(command), "top-level help does not list \(command)\n\(run.summary)")
        }
    }

    func testEveryCommandHelpListsItsOptions() throws {
        let commands = try listedCommands()
        XCTAssertFalse(commands.isEmpty)
        for command in commands {
            let words = command.split(separator: " ").map(String.init)
            let run = try keyledger(words + ["--help"])
            XCTAssertEqual(run.status, 0, run.summary)
            XCTAssertEqual(run.standardError, "", run.summary)
            XCTAssertTrue(run.standardOutput.contains("Usage: keyledger \(command) "), run.summary)
            XCTAssertTrue(run.standardOutput.contains("Exit status: 0 success, 1 a check failed, 2 usage or input error."), run.summary)

            let listed = Self.optionNames(inOptionsSectionOf: run.standardOutput)
            XCTAssertTrue(listed.contains("help"), "\(command) --help does not list --help\n\(run.summary)")
            for option in Self.coreOptions[command] ?? [] {
                XCTAssertTrue(listed.contains(option), "\(command) --help does not list --\(option)\n\(run.summary)")
            }
            // Every option the usage line mentions must be explained below it.
            for option in Self.optionNames(inUsageLineOf: run.standardOutput) {
                XCTAssertTrue(listed.contains(option), "\(command) usage names --\(option), which the options list lacks\n\(run.summary)")
            }
        }
    }

    func testRenamedOptionsNameReplacement() throws {
        let cases: [(arguments: [String], message: String)] = [
            (["verify", "--ledger", path("ledger.db"), "--checkpoint", path("a.checkpoint"), "--checkpoint-key", "VKEY"],
             "error: --checkpoint-key was renamed: use --log-key VKEY"),
            (["prove", "verify", "--consistency", path("proof.txt"), "--to", path("new.checkpoint"),
              "--old-checkpoint", path("old.checkpoint"), "--key", "VKEY"],
             "error: --old-checkpoint was renamed: use --from OLD_CHECKPOINT"),
            (["prove", "verify", "--consistency", path("proof.txt"), "--checkpoint", path("new.checkpoint"), "--key", "VKEY"],
             "error: --checkpoint is for inclusion proofs: give a consistency proof's checkpoints as --from OLD_CHECKPOINT and --to NEW_CHECKPOINT"),
            (["prove", "verify", "--inclusion", path("proof.txt"), "--checkpoint", path("a.checkpoint"), "--to", path("b.checkpoint"),
              "--key", "VKEY"],
             "error: --to is for consistency proofs: give an inclusion proof's checkpoint as --checkpoint FILE"),
        ]
        for (arguments, message) in cases {
            let run = try keyledger(arguments)
            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertEqual(run.standardOutput, "", run.summary)
            XCTAssertTrue(run.standardError.hasPrefix(message), run.summary)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("ledger.db")), "a rejected verify created the ledger")
    }

    func testHelpWorksAfterOtherOptions() throws {
        let run = try keyledger(["append", "--ledger", path("missing.db"), "--help"])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertTrue(run.standardOutput.hasPrefix("Append one event"), run.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("missing.db")))
    }

    func testVersionIsPrinted() throws {
        let run = try keyledger(["--version"])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertTrue(run.standardOutput.hasPrefix("keyledger "), run.summary)
        XCTAssertEqual(run.outputLines.count, 1, run.summary)
    }

    func testUnknownCommandIsNamed() throws {
        let run = try keyledger(["rotate"])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardOutput, "")
        XCTAssertEqual(run.standardError, "error: unknown command \"rotate\": run `keyledger --help` for the list\n")
    }

    func testCommandGroupNeedsSubcommand() throws {
        let run = try keyledger(["signing-key"])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardOutput, "")
        XCTAssertTrue(run.standardError.hasPrefix("error: `keyledger signing-key` needs a subcommand: "), run.summary)
        XCTAssertTrue(run.standardError.contains("signing-key rotate"), run.summary)
        XCTAssertTrue(run.standardError.contains("signing-key show"), run.summary)
    }

    func testGroupHelpListsSubcommands() throws {
        let run = try keyledger(["change", "--help"])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertTrue(run.standardOutput.contains("change approve"), run.summary)
        XCTAssertTrue(run.standardOutput.contains("change rollback"), run.summary)
    }

    func testEveryGroupHelpListsSubcommands() throws {
        let groups: [(words: [String], members: [String])] = [
            (["change"], ["change open", "change rollback", "change show"]),
            (["key"], ["key generate", "key import", "key list", "key show"]),
            (["prove"], ["prove inclusion", "prove consistency", "prove verify"]),
            (["signing-key"], ["signing-key rotate", "signing-key show"]),
            (["jwks"], ["jwks render", "jwks check"]),
            (["token"], ["token issue", "token verify"]),
            (["checkpoint", "key"], ["checkpoint key show", "checkpoint key rotate"]),
        ]
        for (words, members) in groups {
            for flag in ["--help", "-h"] {
                let run = try keyledger(words + [flag])
                XCTAssertEqual(run.status, 0, run.summary)
                XCTAssertEqual(run.standardError, "", run.summary)
                XCTAssertTrue(run.standardOutput.hasPrefix("Subcommands of keyledger \(words.joined(separator: " ")):"), run.summary)
                var summaryColumns: Set<Int> = []
                for member in members {
                    let line = try XCTUnwrap(run.outputLines.first { $0.hasPrefix("  \(member) ") }, "\(member) is not listed\n\(run.summary)")
                    summaryColumns.insert(line.count - line.dropFirst(2 + member.count).drop { $0 == " " }.count)
                }
                XCTAssertEqual(summaryColumns.count, 1, "the summaries do not start in one column\n\(run.summary)")
            }
        }
    }

    func testCommandThatIsGroupListsSubcommands() throws {
        let run = try keyledger(["checkpoint", "--help"])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertTrue(run.standardOutput.hasPrefix("Sign a checkpoint of the whole ledger"), run.summary)
        XCTAssertTrue(run.standardOutput.contains("Subcommands of keyledger checkpoint:"), run.summary)
        XCTAssertTrue(run.standardOutput.contains("  checkpoint key rotate "), run.summary)
    }

    func testShortHelpFlagMatchesLongOne() throws {
        for words in [["verify"], ["checkpoint", "key", "show"], ["append", "--ledger", path("missing.db")]] {
            let short = try keyledger(words + ["-h"])
            let long = try keyledger(words + ["--help"])
            XCTAssertEqual(short.status, 0, short.summary)
            XCTAssertEqual(short.standardOutput, long.standardOutput, short.summary)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("missing.db")))
    }

    func testUnknownSubcommandIsNamed() throws {
        let cases: [(words: [String], message: String)] = [
            (["key", "lst"], "error: unknown subcommand \"lst\" for `keyledger key`: use one of key generate, key import, "),
            (["checkpoint", "key", "lst"], "error: unknown subcommand \"lst\" for `keyledger checkpoint key`: use one of checkpoint key show, checkpoint key rotate\n"),
            (["key", "--ledger", "l.db"], "error: `keyledger key` needs a subcommand: key generate, "),
        ]
        for (words, message) in cases {
            let run = try keyledger(words)
            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertEqual(run.standardOutput, "", run.summary)
            XCTAssertTrue(run.standardError.hasPrefix(message), run.summary)
        }
    }

    func testOtherCommandsOptionNamesOwnOption() throws {
        let cases: [(arguments: [String], message: String)] = [
            (["prove", "verify", "--inclusion", path("p"), "--checkpoint", path("c"), "--log-key", "VKEY"],
             "error: unknown option --log-key for `keyledger prove verify`: use --key VKEY"),
            (["checkpoint", "verify", path("c"), "--log-key", "VKEY"],
             "error: unknown option --log-key for `keyledger checkpoint verify`: use --key VKEY"),
            (["verify", "--ledger", path("l.db"), "--key", "VKEY"],
             "error: unknown option --key for `keyledger verify`: use --log-key VKEY"),
        ]
        for (arguments, message) in cases {
            let run = try keyledger(arguments)
            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertTrue(run.standardError.hasPrefix(message), run.summary)
        }
    }

    func testInvalidUTF8ArgumentIsRejected() throws {
        let run = try shell(#"exec "$KEYLEDGER" log --ledger "$(printf 'l\377.db')""#, environment: ["KEYLEDGER": executable.path])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.contains("argument 3 is not valid UTF-8"), run.summary)
    }

    func testNestedGroupNeedsSubcommand() throws {
        let run = try keyledger(["checkpoint", "key"])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.hasPrefix("error: `keyledger checkpoint key` needs a subcommand: "), run.summary)
        XCTAssertTrue(run.standardError.contains("checkpoint key rotate"), run.summary)
    }

    func testNoArgumentsIsUsageError() throws {
        let run = try keyledger([])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.contains("Usage: keyledger COMMAND [OPTIONS]"), run.summary)
        XCTAssertEqual(run.standardOutput, "", run.summary)
    }

    /// Reads the command names in the "Commands:" section of `keyledger --help`, such as "signing-key rotate".
    private func listedCommands() throws -> [String] {
        let run = try keyledger(["--help"])
        var commands: [String] = []
        var inCommands = false
        for line in run.outputLines {
            if line == "Commands:" {
                inCommands = true
            } else if inCommands {
                guard line.hasPrefix("  ") else { break }
                // Two or more spaces separate the name from its summary; a name has single spaces.
                let trimmed = line.drop { $0 == " " }
                guard let gap = trimmed.range(of: "  ") else { continue }
                commands.append(String(trimmed[..<gap.lowerBound]))
            }
        }
        return commands
    }

    /// Collects the option names at the start of the lines of the "Options:" section.
    static func optionNames(inOptionsSectionOf help: String) -> Set<String> {
        var names: Set<String> = []
        var inOptions = false
        for line in ProgramRun.lines(help) {
            if line == "Options:" {
                inOptions = true
            } else if inOptions {
                guard line.hasPrefix("  --") else {
                    if line.isEmpty { break }
                    continue
                }
                let word = line.dropFirst(4).prefix { $0 != " " && $0 != "=" }
                names.insert(String(word))
            }
        }
        return names
    }

    /// Collects the option names that the "Usage:" line mentions.
    static func optionNames(inUsageLineOf help: String) -> Set<String> {
        guard let usage = ProgramRun.lines(help).first(where: { $0.hasPrefix("Usage: ") }) else { return [] }
        var names: Set<String> = []
        var rest = Substring(usage)
        while let start = rest.range(of: "--") {
            let word = rest[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" }
            if !word.isEmpty { names.insert(String(word)) }
            rest = rest[start.upperBound...]
        }
        return names
    }
}
