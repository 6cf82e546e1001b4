import Foundation
import JOSE
import KeyLedger

/// Options shared by the commands that append a change or key step.
enum CommonOptions {
    static let ledger = OptionSpec.value("ledger", "PATH", "The ledger file.", environment: "KEYLEDGER_LEDGER")
    static let signingKey = OptionSpec.value("signing-key", "PEM", "The ledger's current signing key (PKCS#8 PEM, mode 0600).", environment: "KEYLEDGER_SIGNING_KEY")
    static let actor = OptionSpec.value("actor", "WHO", "Who performs the step.")
    static let at = OptionSpec.value("at", "T", "When the step really happened (RFC 3339), for a step done outside keyledger; the recorded time is kept too. Not later than now plus 5 min; a time before the ledger was created is listed in reports.")
    static let emergency = OptionSpec.value("emergency", "REASON", "Perform the step outside an approved, in-progress change; it is reported as an exception.")
    static let json = OptionSpec.flag("json", "Print the appended entries as JSON lines.")
    /// --trust-anchor of the commands that verify the ledger before they print what others trust
    /// (jwks render, checkpoint key show) or rely on its records (token issue).
    static let trustAnchorBeforePrinting = OptionSpec.value(
        "trust-anchor", "KID",
        "The genesis signing key's id, as printed by init; without it the ledger is checked against its own genesis key only.")

    /// The options every appending step takes.
    static let step = [ledger, signingKey, actor, at, json]

    /// Opens the ledger and loads its current signing key.
    static func openForAppend(_ arguments: ParsedArguments) throws -> (Ledger, SigningKey) {
        let ledger = try Ledger(path: try arguments.required("ledger"))
        let key = try ledger.loadSigningKey(path: try arguments.required("signing-key"))
        return (ledger, key)
    }

    static func context(_ arguments: ParsedArguments) throws -> StepContext {
        // The library rejects a claimed time later than the recorded time plus
        // the clock skew when it appends (`ClaimedTime`).
        StepContext(actor: try arguments.required("actor"), claimedTime: try arguments.timestamp("at"),
                    emergency: arguments.value("emergency"))
    }

    /// Reads --trust-anchor, which must have the form of a key id: an RFC 7638
    /// SHA-256 thumbprint, 43 base64url characters.
    /// - Throws: `UsageError` for any other value, which can never match a
    ///   ledger, so that a mistyped anchor exits 2 instead of failing verification.
    static func trustAnchor(_ arguments: ParsedArguments) throws -> String? {
        guard let text = arguments.value("trust-anchor") else { return nil }
        let isBase64URL = text.utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        guard text.utf8.count == 43, isBase64URL else {
            throw UsageError("--trust-anchor \"\(printable(text))\" is not a key id: give the 43-character thumbprint that `keyledger init` printed as the trust anchor")
        }
        return text
    }

    /// Verifies the whole ledger, as `keyledger verify` does, and then runs
    /// `read` on the same snapshot, before a command prints something that
    /// others trust, such as a JWKS or a checkpoint verifier key. Someone who
    /// can write the ledger file but has no signing key could otherwise
    /// substitute a key of their own. Without a trust anchor it warns that
    /// only the ledger's own genesis key was used.
    /// - Parameters:
    ///   - printed: What the command prints, named in the error, such as "JWKS".
    ///   - jsonOutput: Whether the command prints JSON. A failed verification
    ///     then prints its result as `keyledger verify --json` does, before the error.
    ///   - read: Reads what the command prints, in the read transaction that verification used.
    /// - Throws: `LedgerError` with the code `integrity`, naming the first bad entry.
    static func verifyBeforePrinting<Result>(_ ledger: Ledger, trustAnchor: String?, printed: String, jsonOutput: Bool = false,
                                             read: () throws -> Result) throws -> Result {
        let result: Result
        switch try ledger.readVerified(VerifyOptions(trustAnchor: trustAnchor), read) {
        case .valid(_, let value):
            result = value
        case .invalid(let verification):
            if jsonOutput {
                Terminal.output(try JCS.canonicalString(verification.jsonValue))
            }
            let failure = verification.failure!
            throw LedgerError(.integrity,
                "the ledger failed verification at entry \(failure.sequence) (\(failure.reason.rawValue)), so no \(printed) was printed: run `keyledger verify` for the details")
        }
        if trustAnchor == nil {
            Terminal.message(noTrustAnchorWarning)
        }
        return result
    }

    /// The warning of a command that verified the ledger without --trust-anchor.
    static let noTrustAnchorWarning = "warning: no trust anchor given: the ledger was checked against its own genesis key only; pass --trust-anchor with the key id recorded at init"

    /// Prints appended entries: JSON lines with --json, else one summary line each on standard error.
    static func report(_ entries: [Entry], _ arguments: ParsedArguments) throws {
        for entry in entries {
            if arguments.flag("json") {
                Terminal.output(try entry.jsonValue.serialized(pretty: false))
            } else {
                var line = "entry \(entry.sequence): \(entry.kind)"
                if let change = entry.changeID { line += " \(change)" }
                if let kid = entry.keyID { line += " key \(kid)" }
                if entry.kind == .restored, let state = entry.body["state"]?.stringValue { line += " (back to \(state))" }
                if let emergency = entry.body["emergency"]?.stringValue { line += " (emergency: \(printable(emergency)))" }
                Terminal.message(line)
            }
        }
    }
}

/// Returns the user name to record when a command that allows it is given no --actor.
func defaultActor() -> String {
    let environment = ProcessInfo.processInfo.environment
    if let user = environment["USER"], !user.isEmpty { return user }
    let name = ProcessInfo.processInfo.userName
    return name.isEmpty ? "unknown" : name
}
