import Foundation

// keyledger-bench: the measurements behind bench/run.
//
// Each measuring subcommand prints `name=value` lines on standard output.
// bench/run prefixes the names, collects them in one results file, and
// `report` turns that file into a table of figures against their limits.
// Exit status: 0 success, 1 a measurement failed, 2 usage error.

struct Subcommand {
    let name: String
    let usage: String
    let run: (BenchOptions) throws -> Void
}

let subcommands: [Subcommand] = [
    Subcommand(name: "sign-rate", usage: "--threads N --seconds S [--layer bridge|jws] [--signing-key PEM]", run: SigningRate.run),
    Subcommand(name: "signature-verify-rate", usage: "--threads N --seconds S [--layer bridge|jws] [--signing-key PEM]", run: VerificationRate.run),
    Subcommand(name: "insert-rate", usage: "--database PATH --schema SQL-FILE --rows N", run: InsertRate.run),
    Subcommand(name: "append-batch", usage: "--ledger PATH --signing-key PEM --entries N [--transaction-size N]", run: AppendRate.runBatch),
    Subcommand(name: "append-single", usage: "--ledger PATH --signing-key PEM --entries N", run: AppendRate.runSingle),
    Subcommand(name: "verify-rate", usage: "--ledger PATH", run: VerifyRate.run),
    Subcommand(name: "write-ndjson", usage: "--entries N --first N --output FILE", run: BenchEvents.writeNDJSON),
    Subcommand(name: "time-process", usage: "--runs N [--warmup N] [--stdin FILE] [--log FILE] -- COMMAND [ARGUMENT...]", run: ProcessTiming.run),
    Subcommand(name: "report", usage: "--results FILE", run: Report.run),
]

func usageText() -> String {
    var text = "Usage: keyledger-bench SUBCOMMAND [OPTIONS]\n\nSubcommands:\n"
    for subcommand in subcommands {
        text += "  \(subcommand.name) \(subcommand.usage)\n"
    }
    text += "\nMeasuring subcommands print name=value lines; bench/run calls them in order.\n"
    return text
}

func runMain() -> Int32 {
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard let name = arguments.first, name != "--help", name != "-h" else {
        FileHandle.standardError.write(Data(usageText().utf8))
        return arguments.isEmpty ? 2 : 0
    }
    guard let subcommand = subcommands.first(where: { $0.name == name }) else {
        FileHandle.standardError.write(Data("error: unknown subcommand \"\(name)\"\n\n\(usageText())".utf8))
        return 2
    }
    do {
        let options = try BenchOptions(Array(arguments.dropFirst()))
        try subcommand.run(options)
        return 0
    } catch let error as BenchUsageError {
        FileHandle.standardError.write(Data("error: \(error.message)\nusage: keyledger-bench \(subcommand.name) \(subcommand.usage)\n".utf8))
        return 2
    } catch {
        FileHandle.standardError.write(Data("error: \(subcommand.name) failed: \(error)\n".utf8))
        return 1
    }
}

let status = runMain()
fflush(stdout)
exit(status)
