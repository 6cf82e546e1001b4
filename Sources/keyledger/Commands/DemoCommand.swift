import Foundation
import KeyLedger
import KeyLedgerDemo

enum DemoCommand: Command {
    static let spec = CommandSpec(
        path: ["demo"],
        summary: "Run a complete JWT signing-key rotation against a fresh ledger.",
        usage: "[--dir DIR]",
        discussion: """
        Creates a ledger in DIR and runs the rotation of the JWT signing keys of a SOX audit events
        reporting service the way a production change runs it: an earlier change that put a key in
        service, a rotation to new staging and production keys checked against a JWKS endpoint served
        on 127.0.0.1, a further rotation that fails its check and is rolled back, and the retirement of
        the old key. It then verifies the ledger and writes the quarterly report in every format.
        """,
        options: [.value("dir", "DIR", "A new or empty directory for the ledger, keys and report. Default: ./keyledger-demo.")])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let path = arguments.value("dir") ?? "keyledger-demo"
        // An empty path would name the current directory.
        guard !path.isEmpty else {
            throw UsageError("--dir is empty: give a new or empty directory, such as --dir keyledger-demo, or leave --dir out")
        }
        let directory = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        let demo = RotationDemo(directory: directory, transport: FetchHelperTransport.besideRunningExecutable()) {
            Terminal.message("• " + $0)
        }
        let outcome = try demo.run()
        Terminal.output("")
        Terminal.output("ledger:        \(outcome.ledgerPath)")
        Terminal.output("trust anchor:  \(outcome.trustAnchor)")
        Terminal.output("verified:      \(outcome.verification.entriesChecked) entries, head \(outcome.head)")
        Terminal.output("keys:          \(directory.appendingPathComponent("keys").path) (mode 0600)")
        for file in outcome.reportFiles {
            Terminal.output("report:        \(file)")
        }
        if let html = outcome.reportFiles.first(where: { $0.hasSuffix(".html") }) {
            Terminal.output("")
            Terminal.output("open the report in a browser: xdg-open \(html)")
            Terminal.output("without a desktop, copy that file (it is self-contained) to a machine with a browser")
        }
        // Name this binary by its path when it was started by one (as `swift run` does), so the command works as printed.
        let program = CommandLine.arguments[0].contains("/")
            ? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path : "keyledger"
        Terminal.output("verify it yourself with: \(program) verify --ledger \(outcome.ledgerPath) --trust-anchor \(outcome.trustAnchor)")
        return 0
    }
}
