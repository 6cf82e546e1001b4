import Foundation
import JOSE
import KeyLedger

enum VerifyCommand: Command {
    static let spec = CommandSpec(
        path: ["verify"],
        summary: "Recompute every hash and signature and follow signer handovers.",
        usage: "--ledger PATH [--trust-anchor KID] [--expect-head SEQ:HASH] [--checkpoint FILE... [--log-key VKEY...]] [--json]",
        discussion: """
        Exit status 0 when the ledger is valid, 1 when an entry fails (the first bad sequence number and the
        reason are printed), 2 when the ledger cannot be read. A hash chain alone cannot show entries removed
        from its end: record the printed head and pass it later with --expect-head to detect that, or keep
        signed checkpoints and pass them with --checkpoint. Each checkpoint must be signed by a --log-key,
        or without one by the ledger's checkpoint key for its tree size, read from the verified ledger (give
        --trust-anchor so that this history is the one you expect). A ledger that was cut, rewritten or forked
        since a checkpoint fails with checkpoint_mismatch and the tree size where it parts from it.
        """,
        options: [
            .value("ledger", "PATH", "The ledger file.", environment: "KEYLEDGER_LEDGER"),
            .value("trust-anchor", "KID", "The genesis signing key's id, as printed by init; without it only internal consistency is proven."),
            .value("expect-head", "SEQ:HASH", "A head printed by an earlier verify; the ledger must still contain it unchanged."),
            .value("checkpoint", "FILE", "A signed checkpoint whose tree the ledger must still contain; repeatable.", repeatable: true),
            .value("log-key", "VKEY",
                   "A pinned verifier key of the ledger's checkpoints, as `checkpoint key show` prints it, as text or a file; repeatable.",
                   repeatable: true),
            .flag("json", "Print the result as one JSON object."),
        ],
        renamedOptions: ["checkpoint-key": "--log-key VKEY, the checkpoint verifier key (init and report take the private --checkpoint-key)"],
        optionsOfOtherCommands: ["key": "--log-key VKEY for the checkpoint verifier key"])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let json = arguments.flag("json")
        var options = VerifyOptions(trustAnchor: try CommonOptions.trustAnchor(arguments))
        if let text = arguments.value("expect-head") {
            guard let head = VerifyOptions.parseHead(text) else {
                throw UsageError("--expect-head \"\(text)\" is not SEQ:HASH: give a sequence number, a colon and a 64-digit hex hash, as printed by verify")
            }
            options.expectedHead = head
        }
        let ledger = try Ledger(path: try arguments.required("ledger"), readOnly: true)
        let progress = Terminal.Progress("verifying", json: json)
        var result = try ledger.verify(options, progress: progress.handler)
        progress.finish()
        do {
            try checkCheckpoints(arguments, ledger: ledger, result: &result)
        } catch let error as LedgerError where error.code == .integrity && json {
            // The ledger was checked, so --json still prints the result, marked invalid with the checkpoint's error.
            var object = jsonValue(result).objectValue ?? [:]
            object["valid"] = .bool(false)
            object["error"] = .string(error.message)
            Terminal.output(try JCS.canonicalString(.object(object)))
            throw error
        }

        if json {
            Terminal.output(try JCS.canonicalString(jsonValue(result)))
            return result.isValid ? 0 : 1
        }
        if let failure = result.failure {
            Terminal.output("INVALID: entry \(failure.sequence): \(failure.reason.rawValue)")
            Terminal.output(failure.detail)
            if failure.reason == .treeMismatch {
                // The tree is checked only after every entry's hash and signature verified.
                Terminal.output("the hash chain and the signatures of all \(result.entriesChecked) entries verified, but the stored Merkle tree does not match them")
            } else {
                Terminal.output(result.entriesChecked == 1 ? "1 entry before it verified" : "\(result.entriesChecked) entries before it verified")
            }
            return 1
        }
        Terminal.output("valid: \(result.entriesChecked) entries, \(result.signaturesVerified) signatures verified")
        for signer in result.signers {
            let range = signer.firstSigned.map { "signed entries \($0) to \(signer.lastSigned ?? $0)" } ?? "signed no entries yet"
            Terminal.output("signer \(signer.keyID) (\(signer.algorithm)), introduced at entry \(signer.introducedAt), \(range)")
        }
        for key in result.checkpointKeys {
            Terminal.output("checkpoint key \(key.keyID) (\(key.origin)), introduced at entry \(key.introducedAt)")
        }
        for checkpoint in result.checkpoints {
            Terminal.output("checkpoint of tree size \(checkpoint.treeSize) (\(checkpoint.origin)) matches, signed by \(checkpoint.signerKey)")
        }
        if let head = result.head { Terminal.output("head \(head)") }
        for warning in result.warnings { Terminal.message("warning: \(warning)") }
        return 0
    }

    /// Verifies the signature of each --checkpoint and compares the ledger with them.
    private static func checkCheckpoints(_ arguments: ParsedArguments, ledger: Ledger, result: inout VerificationResult) throws {
        let files = arguments.values("checkpoint")
        let pinnedKeys = try CheckpointFiles.verifierKeys(arguments.values("log-key"), option: "log-key")
        if files.isEmpty {
            guard pinnedKeys.isEmpty else { throw UsageError("--log-key needs --checkpoint FILE") }
            return
        }
        guard result.isValid else { return }
        if pinnedKeys.isEmpty && !result.trustAnchorChecked {
            result.warnings.append("the checkpoint keys were read from a ledger checked without a trust anchor: pass --trust-anchor, or pin the key with --log-key")
        }
        let checkpoints = try files.map { file in
            let note = try CheckpointFiles.readNote(file)
            do {
                return pinnedKeys.isEmpty
                    ? try LedgerCheckpoint.verify(note, history: result.checkpointKeys)
                    : try LedgerCheckpoint.verify(note, keys: pinnedKeys)
            } catch let error as LedgerError {
                throw LedgerError(error.code, "\(file): \(error.message)")
            }
        }
        try ledger.checkConsistency(with: checkpoints, result: &result)
    }

    /// Builds the result's JSON, adding the checkpoint keys and checkpoints to the library's members.
    private static func jsonValue(_ result: VerificationResult) -> JSONValue {
        var object = result.jsonValue.objectValue ?? [:]
        object["merkle_tree_checked"] = .bool(result.merkleTreeChecked)
        object["checkpoint_keys"] = .array(result.checkpointKeys.map(CheckpointFiles.jsonValue))
        object["checkpoints"] = .array(result.checkpoints.map { checkpoint in
            .object([
                "origin": .string(checkpoint.origin),
                "tree_size": .number(Double(checkpoint.treeSize)),
                "root_hash": .string(Data(checkpoint.rootHash).base64EncodedString()),
                "signer_key": .string(checkpoint.signerKey),
                "matches": .bool(checkpoint.matches),
            ])
        })
        return .object(object)
    }
}
