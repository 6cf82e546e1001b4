import Foundation
import JOSE
import KeyLedger

enum VerifyCommand: Command {
    static let spec = CommandSpec(
        path: ["verify"],
        summary: "Recompute every hash and signature and follow signer handovers.",
        usage: "--ledger PATH [--trust-anchor KID] [--expect-head SEQ:HASH] [--json]",
        discussion: """
        Exit status 0 when the ledger is valid, 1 when an entry fails (the first bad sequence number and the
        reason are printed), 2 when the ledger cannot be read. A hash chain alone cannot show entries removed
        from its end: record the printed head and pass it later with --expect-head to detect that.
        """,
        options: [
            .value("ledger", "PATH", "The ledger file.", environment: "KEYLEDGER_LEDGER"),
            .value("trust-anchor", "KID", "The genesis signing key's id, as printed by init; without it only internal consistency is proven."),
            .value("expect-head", "SEQ:HASH", "A head printed by an earlier verify; the ledger must still contain it unchanged."),
            .flag("json", "Print the result as one JSON object."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let json = arguments.flag("json")
        var options = VerifyOptions(trustAnchor: arguments.value("trust-anchor"))
        if let text = arguments.value("expect-head") {
            guard let head = VerifyOptions.parseHead(text) else {
                throw UsageError("--expect-head \"\(text)\" is not SEQ:HASH: give a sequence number, a colon and a 64-digit hex hash, as printed by verify")
            }
            options.expectedHead = head
        }
        let ledger = try Ledger(path: try arguments.required("ledger"), readOnly: true)
        let progress = Terminal.Progress("verifying", json: json)
        let result = try ledger.verify(options, progress: progress.update)
        progress.finish()

        if json {
            Terminal.output(try JCS.canonicalString(result.jsonValue))
            return result.isValid ? 0 : 1
        }
        if let failure = result.failure {
            Terminal.output("INVALID: entry \(failure.sequence): \(failure.reason.rawValue)")
            Terminal.output(failure.detail)
            Terminal.output("\(result.entriesChecked) entries before it verified")
            return 1
        }
        Terminal.output("valid: \(result.entriesChecked) entries, \(result.signaturesVerified) signatures verified")
        for signer in result.signers {
            let range = signer.firstSigned.map { "signed entries \($0) to \(signer.lastSigned ?? $0)" } ?? "signed no entries yet"
            Terminal.output("signer \(signer.keyID) (\(signer.algorithm)), introduced at entry \(signer.introducedAt), \(range)")
        }
        if let head = result.head { Terminal.output("head \(head)") }
        for warning in result.warnings { Terminal.message("warning: \(warning)") }
        return 0
    }
}
