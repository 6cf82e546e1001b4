import Foundation
import JOSE
import KeyLedger

enum ProveInclusionCommand: Command {
    static let spec = CommandSpec(
        path: ["prove", "inclusion"],
        summary: "Print the proof that an entry is in a checkpoint's tree.",
        usage: "--ledger PATH --seq N [--checkpoint FILE] [--json]",
        discussion: """
        Without --checkpoint the proof is for the ledger's current tree; sign a checkpoint of the same size
        with `keyledger checkpoint` so that verifiers can check it. The text form is a header, a blank line
        and one base64 hash per line; `keyledger prove verify --inclusion FILE` reads either form.
        """,
        options: [
            .value("ledger", "PATH", "The ledger file.", environment: "KEYLEDGER_LEDGER"),
            .value("seq", "N", "The entry's sequence number."),
            .value("checkpoint", "FILE", "A signed checkpoint of this ledger whose tree the proof is for."),
            .flag("json", "Print the proof as JSON."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let ledger = try Ledger(path: try arguments.required("ledger"), readOnly: true)
        guard let sequence = try arguments.integer("seq", in: 1...Int(Int64.max)) else {
            throw UsageError("missing --seq N: give the sequence number of the entry to prove")
        }
        let (origin, treeSize) = try ProofSource.tree(of: ledger, checkpointFile: arguments.value("checkpoint"))
        let proof = try ledger.inclusionProof(sequence: Int64(sequence), treeSize: treeSize, origin: origin)
        if arguments.flag("json") {
            Terminal.output(try JCS.canonicalString(proof.jsonValue))
        } else {
            FileHandle.standardOutput.write(Data(proof.text.utf8))
        }
        return 0
    }
}

enum ProveConsistencyCommand: Command {
    static let spec = CommandSpec(
        path: ["prove", "consistency"],
        summary: "Print the proof that a later tree extends a signed checkpoint's tree.",
        usage: "--ledger PATH --from OLD_CHECKPOINT [--to NEW_CHECKPOINT] [--json]",
        discussion: """
        Without --to the proof is to the ledger's current tree. The ledger must still contain the tree of
        each checkpoint; when it does not, the command fails with exit status 1 and names the tree size.
        """,
        options: [
            .value("ledger", "PATH", "The ledger file.", environment: "KEYLEDGER_LEDGER"),
            .value("from", "OLD_CHECKPOINT", "The signed checkpoint of the older tree."),
            .value("to", "NEW_CHECKPOINT", "The signed checkpoint of the newer tree. Default: the current tree."),
            .flag("json", "Print the proof as JSON."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let ledger = try Ledger(path: try arguments.required("ledger"), readOnly: true)
        let (origin, oldSize) = try ProofSource.tree(of: ledger, checkpointFile: try arguments.required("from"))
        let (newOrigin, newSize) = try ProofSource.tree(of: ledger, checkpointFile: arguments.value("to"))
        guard Array(origin.utf8) == Array(newOrigin.utf8) else {
            throw LedgerError(.invalidInput, "the checkpoints have the origins \(origin) and \(newOrigin): a consistency proof is between trees of one origin")
        }
        guard oldSize <= newSize else {
            throw LedgerError(.invalidInput,
                "the old checkpoint's tree size \(oldSize) is larger than the new tree size \(newSize): a consistency proof goes from a smaller tree to a larger one")
        }
        let proof = try ledger.consistencyProof(from: oldSize, to: newSize, origin: origin)
        if arguments.flag("json") {
            Terminal.output(try JCS.canonicalString(proof.jsonValue))
        } else {
            FileHandle.standardOutput.write(Data(proof.text.utf8))
        }
        return 0
    }
}

enum ProveVerifyCommand: Command {
    static let spec = CommandSpec(
        path: ["prove", "verify"],
        summary: "Check a saved inclusion or consistency proof against signed checkpoints, without the ledger.",
        usage: "(--inclusion FILE --checkpoint FILE | --consistency FILE [--from OLD_CHECKPOINT] --to NEW_CHECKPOINT) --key VKEY... [--json]",
        discussion: """
        The checkpoint options are those of `keyledger prove inclusion` and `prove consistency`: --checkpoint
        for an inclusion proof, --from and --to for a consistency proof. Each checkpoint must be signed by
        one of the --key verifier keys (as `keyledger checkpoint key show` prints them) with its origin as
        key name. The sizes and roots come from the checkpoints: a proof whose header disagrees with them
        fails. A consistency proof needs --from, except from tree size 0, whose root is fixed. Exit status 1
        when the proof or a checkpoint does not verify; --json then prints "valid": false with the error.
        """,
        options: [
            .value("inclusion", "FILE", "An inclusion proof written by `keyledger prove inclusion`."),
            .value("checkpoint", "FILE", "The signed checkpoint of the inclusion proof's tree."),
            .value("consistency", "FILE", "A consistency proof written by `keyledger prove consistency`."),
            .value("from", "OLD_CHECKPOINT", "The signed checkpoint of the consistency proof's older tree."),
            .value("to", "NEW_CHECKPOINT", "The signed checkpoint of the consistency proof's newer tree."),
            .value("key", "VKEY", "A checkpoint verifier key, as text or a file; repeatable.", repeatable: true),
            .flag("json", "Print the result as JSON."),
        ],
        renamedOptions: ["old-checkpoint": "--from OLD_CHECKPOINT, as in `keyledger prove consistency`"],
        optionsOfOtherCommands: ["log-key": "--key VKEY for the checkpoint verifier key"])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let kind = try arguments.exactlyOne(of: ["inclusion", "consistency"])
        try rejectCheckpointOptions(of: kind == "inclusion" ? "consistency" : "inclusion", arguments)
        let keys = try CheckpointFiles.verifierKeys(arguments.values("key"), option: "key")
        guard !keys.isEmpty else {
            throw UsageError("missing --key VKEY: give the checkpoint key's verifier key")
        }
        let proofFile = try arguments.required(kind)
        let checkpointOption = kind == "inclusion" ? "checkpoint" : "to"
        do {
            return try verify(kind, proofFile: proofFile, checkpointFile: try arguments.required(checkpointOption),
                              keys: keys, arguments: arguments)
        } catch let error as LedgerError where error.code == .integrity {
            // The check ran and failed (exit status 1), so --json still prints its result.
            if arguments.flag("json") {
                Terminal.output(try JCS.canonicalString(.object(["valid": false, "type": .string(kind), "error": .string(error.message)])))
            }
            throw error
        }
    }

    /// Verifies the checkpoints and the proof, and prints the result.
    /// - Throws: `LedgerError` with the code `integrity` when a checkpoint or the proof does not verify.
    private static func verify(_ kind: String, proofFile: String, checkpointFile: String, keys: [NoteVerifierKey],
                               arguments: ParsedArguments) throws -> Int32 {
        let checkpoint = try verifiedCheckpoint(checkpointFile, keys: keys)
        var result: [String: JSONValue] = ["valid": true, "type": .string(kind)]
        let summary: String
        if kind == "inclusion" {
            let proof = try parse(proofFile) { try InclusionProof(parsing: $0) }
            try proof.verify(against: checkpoint)
            result["seq"] = .number(Double(proof.sequence))
            result["tree_size"] = .number(Double(proof.treeSize))
            summary = "valid: entry \(proof.sequence) (hash \(hexString(proof.entryHash))) is in the tree of size \(proof.treeSize) of \(checkpoint.origin)"
        } else {
            let proof = try parse(proofFile) { try ConsistencyProof(parsing: $0) }
            let old: Checkpoint
            if let oldFile = arguments.value("from") {
                old = try verifiedCheckpoint(oldFile, keys: keys)
            } else if proof.oldSize == 0 {
                old = try Checkpoint(origin: checkpoint.origin, treeSize: 0, rootHash: MerkleTree.emptyRoot)
            } else {
                throw UsageError("missing --from OLD_CHECKPOINT: a consistency proof from tree size \(proof.oldSize) needs the older signed checkpoint")
            }
            try proof.verify(from: old, to: checkpoint)
            result["old_size"] = .number(Double(proof.oldSize))
            result["new_size"] = .number(Double(proof.newSize))
            summary = "valid: the tree of size \(proof.newSize) extends the tree of size \(proof.oldSize) of \(checkpoint.origin)"
        }
        if arguments.flag("json") {
            result["origin"] = .string(checkpoint.origin)
            Terminal.output(try JCS.canonicalString(.object(result)))
        } else {
            Terminal.output(summary)
        }
        return 0
    }

    /// Throws when a checkpoint option of the other proof type is given, naming the option to use instead.
    private static func rejectCheckpointOptions(of otherKind: String, _ arguments: ParsedArguments) throws {
        if otherKind == "inclusion", arguments.value("checkpoint") != nil {
            throw UsageError("--checkpoint is for inclusion proofs: give a consistency proof's checkpoints as --from OLD_CHECKPOINT and --to NEW_CHECKPOINT")
        }
        if otherKind == "consistency" {
            for option in ["from", "to"] where arguments.value(option) != nil {
                throw UsageError("--\(option) is for consistency proofs: give an inclusion proof's checkpoint as --checkpoint FILE")
            }
        }
    }

    private static func verifiedCheckpoint(_ file: String, keys: [NoteVerifierKey]) throws -> Checkpoint {
        let note = try CheckpointFiles.readNote(file)
        do {
            return try LedgerCheckpoint.verify(note, keys: keys).checkpoint
        } catch let error as LedgerError {
            throw LedgerError(error.code, "\(file): \(error.message)")
        }
    }

    private static func parse<Proof>(_ file: String, _ parse: ([UInt8]) throws -> Proof) throws -> Proof {
        do {
            return try parse(CheckpointFiles.read(file))
        } catch let error as LedgerError {
            throw LedgerError(error.code, "\(file): \(error.message)")
        }
    }
}

/// The tree that a proof command works on: a signed checkpoint's, or the ledger's current one.
enum ProofSource {
    /// Returns the origin and size of the tree in `checkpointFile`, or of the
    /// current tree without a file. The checkpoint's signature is checked with
    /// the ledger's checkpoint keys, and the ledger must still have its root.
    static func tree(of ledger: Ledger, checkpointFile: String?) throws -> (origin: String, size: Int) {
        guard let checkpointFile else {
            let origin = try ledger.currentCheckpointKey()?.origin ?? LedgerCheckpointKey.defaultOrigin(ledgerID: ledger.ledgerID)
            return (origin, try ledger.merkleTree().size())
        }
        let note = try CheckpointFiles.readNote(checkpointFile)
        let checkpoint: Checkpoint
        do {
            checkpoint = try LedgerCheckpoint.verify(note, history: ledger.checkpointKeys()).checkpoint
        } catch let error as LedgerError {
            throw LedgerError(error.code, "\(checkpointFile): \(error.message)")
        }
        let tree = ledger.merkleTree()
        let storedSize = try tree.size()
        guard checkpoint.treeSize <= storedSize else {
            throw LedgerError(.integrity,
                "\(checkpointFile) is of tree size \(checkpoint.treeSize), but the ledger's tree has only \(storedSize) entries: entries were cut from the end; run `keyledger verify --checkpoint \(checkpointFile)`")
        }
        guard try tree.root(size: checkpoint.treeSize) == checkpoint.rootHash else {
            throw LedgerError(.integrity,
                "the ledger parts from \(checkpointFile) at or before entry \(checkpoint.treeSize): its tree of that size has another root; run `keyledger verify --checkpoint \(checkpointFile)`")
        }
        return (checkpoint.origin, checkpoint.treeSize)
    }
}

/// Formats bytes as lowercase hex, as `keyledger log` prints hashes.
private func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}
