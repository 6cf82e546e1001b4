import Foundation
import JOSE
import KeyLedger
import OpenSSLBridge

enum CheckpointCommand: Command {
    static let spec = CommandSpec(
        path: ["checkpoint"],
        summary: "Sign a checkpoint of the whole ledger with its checkpoint key.",
        usage: "--ledger PATH --checkpoint-key PEM [--out FILE]",
        discussion: """
        The checkpoint is a C2SP signed note: the origin, the number of entries and the Merkle tree root,
        signed by the ledger's current checkpoint key under its origin. It commits the ledger to its entries
        as stored: run `keyledger verify` first. Keep the checkpoints you publish; `keyledger verify
        --checkpoint FILE` later shows whether the ledger still contains them.
        Related commands: checkpoint verify, checkpoint cosign, checkpoint key show, checkpoint key rotate.
        """,
        options: [
            .value("ledger", "PATH", "The ledger file.", environment: "KEYLEDGER_LEDGER"),
            .value("checkpoint-key", "PEM", "The ledger's current checkpoint key (Ed25519 PKCS#8 PEM, mode 0600), as init and report name it."),
            .value("key", "PEM", "The older name of --checkpoint-key, still accepted. Give one of the two, not both."),
            .value("out", "FILE", "Write the signed note to FILE instead of standard output."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let keyPath = try checkpointKeyPath(arguments)
        let ledger = try Ledger(path: try arguments.required("ledger"), readOnly: true)
        let key = try KeyFile.loadPrivateKey(path: keyPath)
        let note = try ledger.signCheckpoint(checkpointKey: key)
        let checkpoint = try Checkpoint(body: note.text)
        try CheckpointFiles.write(note.formatted, to: arguments.value("out"))
        Terminal.message("signed the checkpoint of tree size \(checkpoint.treeSize) for \(checkpoint.origin)")
        return 0
    }

    /// Reads the checkpoint key's path from --checkpoint-key or from --key, its older name.
    /// - Throws: `UsageError` when both or neither are given.
    private static func checkpointKeyPath(_ arguments: ParsedArguments) throws -> String {
        let current = arguments.value("checkpoint-key")
        let older = arguments.value("key")
        if current != nil, older != nil {
            throw UsageError("--checkpoint-key and --key were both given, but --key is the older name of --checkpoint-key: give only --checkpoint-key")
        }
        guard let path = current ?? older else {
            throw UsageError("missing --checkpoint-key PEM: see `\(arguments.spec.fullName) --help`")
        }
        return path
    }
}

enum CheckpointVerifyCommand: Command {
    static let spec = CommandSpec(
        path: ["checkpoint", "verify"],
        summary: "Verify a signed checkpoint note and its witness cosignatures.",
        usage: "FILE --key VKEY... [--witness VKEY... [--quorum N]] [--json]",
        discussion: """
        VKEY is a C2SP verifier key (<name>+<key ID>+<base64 key>) or a file that contains one, as
        `keyledger checkpoint key show` prints it. The note needs a valid signature by one of the --key keys;
        signatures by keys that were not given are ignored, and one invalid signature by a given key rejects
        the note. Any C2SP checkpoint verifies, such as those of sum.golang.org. Exit status 1 when the note
        does not verify.
        """,
        options: [
            .value("key", "VKEY", "A log key (signature type 0x01) that may sign the checkpoint; repeatable.", repeatable: true),
            .value("witness", "VKEY", "A witness key (signature type 0x04) whose cosignature counts; repeatable.", repeatable: true),
            .value("quorum", "N", "How many distinct witnesses must have cosigned. Default: every --witness given."),
            .flag("json", "Print the result as one JSON object."),
        ],
        positionalName: "FILE",
        optionsOfOtherCommands: ["log-key": "--key VKEY for the log's verifier key"])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let file = try CheckpointFiles.singlePositional(arguments, name: "FILE")
        let json = arguments.flag("json")
        let logKeys = try CheckpointFiles.verifierKeys(arguments.values("key"), option: "key")
        guard !logKeys.isEmpty else {
            throw UsageError("missing --key VKEY: give the verifier key of the log that signs the checkpoint")
        }
        let witnesses = try CheckpointFiles.verifierKeys(arguments.values("witness"), option: "witness")
        try CheckpointFiles.rejectLogKeyAsWitness(witnesses.map(\.publicKey), logKeys: logKeys, witnessOption: "--witness")
        let quorum = try arguments.integer("quorum", in: 0...100) ?? Set(witnesses.map(\.publicKey)).count

        do {
            let note = try CheckpointFiles.readNote(file)
            let (verified, logKey) = try verify(note, logKeys: logKeys, witnesses: witnesses, quorum: quorum)
            try print(verified, logKey: logKey, json: json)
            return 0
        } catch let error as LedgerError where error.code == .integrity {
            if json {
                Terminal.output(try JCS.canonicalString(.object(["valid": false, "error": .string(error.message)])))
            }
            throw error
        }
    }

    /// Checks the note with every given key, then the checkpoint with the log key that signed it.
    private static func verify(_ note: SignedNote, logKeys: [NoteVerifierKey], witnesses: [NoteVerifierKey],
                               quorum: Int) throws -> (VerifiedCheckpoint, NoteVerifierKey) {
        let signedBy = try note.verify(with: logKeys + witnesses)
        guard let logKey = signedBy.first(where: { $0.key.signatureType == .ed25519 })?.key else {
            let names = logKeys.map(\.encoded).joined(separator: ", ")
            throw LedgerError(.integrity, "the checkpoint has no signature by any of the given log keys (\(names))")
        }
        return (try Checkpoint.verify(note, logKey: logKey, witnesses: witnesses, quorum: quorum), logKey)
    }

    private static func print(_ verified: VerifiedCheckpoint, logKey: NoteVerifierKey, json: Bool) throws {
        let checkpoint = verified.checkpoint
        let root = Data(checkpoint.rootHash).base64EncodedString()
        if json {
            Terminal.output(try JCS.canonicalString(.object([
                "valid": true,
                "origin": .string(checkpoint.origin),
                "tree_size": .number(Double(checkpoint.treeSize)),
                "root_hash": .string(root),
                "log_key": .string(logKey.encoded),
                "cosignatures": .array(verified.cosignatures.map { cosignature in
                    .object(["witness": .string(cosignature.witness.encoded),
                             "timestamp": .number(Double(cosignature.timestamp))])
                }),
            ])))
            return
        }
        Terminal.output("valid checkpoint")
        Terminal.output("origin \(checkpoint.origin)")
        Terminal.output("tree size \(checkpoint.treeSize)")
        Terminal.output("root \(root)")
        Terminal.output("signed by \(logKey.encoded)")
        for cosignature in verified.cosignatures {
            Terminal.output("cosigned by \(cosignature.witness.encoded) at \(cosignature.timestamp)")
        }
    }
}

enum CheckpointCosignCommand: Command {
    static let spec = CommandSpec(
        path: ["checkpoint", "cosign"],
        summary: "Add a witness cosignature (C2SP tlog-cosignature) to a signed checkpoint.",
        usage: "FILE --key WITNESS_KEY [--name NAME] [--log-key VKEY...] [--time SECONDS] [--out FILE]",
        discussion: """
        WITNESS_KEY is an Ed25519 private key: a PKCS#8 PEM file, which needs --name, or a signer key file
        in the form PRIVATE+KEY+<name>+<key ID>+<base64 key>, which names itself. Both must have mode 0600.
        A cosignature states that the witness saw this checkpoint: give --log-key so the log's signature is
        verified first, and check consistency with the last checkpoint you cosigned.
        """,
        options: [
            .value("key", "WITNESS_KEY", "The witness's private key file (mode 0600)."),
            .value("name", "NAME", "The witness's key name, such as witness.example.com/w1; required with a PEM key."),
            .value("log-key", "VKEY", "A log key that must have signed the checkpoint before it is cosigned; repeatable.", repeatable: true),
            .value("time", "SECONDS", "The cosignature time in seconds since the Unix epoch. Default: now."),
            .value("out", "FILE", "Write the cosigned note to FILE instead of standard output."),
        ],
        positionalName: "FILE")

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let file = try CheckpointFiles.singlePositional(arguments, name: "FILE")
        let cosigner = try loadCosigner(path: try arguments.required("key"), name: arguments.value("name"))
        let note = try CheckpointFiles.readNote(file)
        let logKeys = try CheckpointFiles.verifierKeys(arguments.values("log-key"), option: "log-key")
        try CheckpointFiles.rejectLogKeyAsWitness([cosigner.verifierKey.publicKey], logKeys: logKeys, witnessOption: "--key")
        if logKeys.isEmpty {
            Terminal.message("warning: the log's signature was not verified: pass --log-key VKEY to cosign only checkpoints the log signed")
        } else {
            let signedBy = try note.verify(with: logKeys)
            _ = try Checkpoint.verify(note, logKey: signedBy[0].key)
        }
        if note.signatures.contains(where: { cosigner.verifierKey.matches($0) }) {
            throw LedgerError(.invalidInput, "\(file) is already cosigned by \(cosigner.verifierKey.encoded)")
        }
        let time = try arguments.value("time").map { text -> UInt64 in
            guard let seconds = UInt64(text), seconds <= UInt64(Int64.max) else {
                throw UsageError("--time \"\(text)\" is not a number of seconds from 0 to 2^63 - 1")
            }
            return seconds
        }
        let cosigned = try note.adding(cosigner.cosign(note, timestamp: time))
        try CheckpointFiles.write(cosigned.formatted, to: arguments.value("out"))
        Terminal.message("cosigned as \(cosigner.verifierKey.encoded)")
        return 0
    }

    private static func loadCosigner(path: String, name: String?) throws -> Cosigner {
        let text = try CheckpointFiles.readSecretText(path)
        if text.hasPrefix("PRIVATE+KEY+") {
            let cosigner = try Cosigner(signerKey: text)
            if let name, Array(name.utf8) != Array(cosigner.name.utf8) {
                throw UsageError("--name \"\(name)\" differs from the name \"\(cosigner.name)\" in the signer key \(path)")
            }
            return cosigner
        }
        guard let name else {
            throw UsageError("missing --name NAME: a PEM witness key does not carry the witness's key name")
        }
        return try Cosigner(name: name, privateKey: KeyFile.loadPrivateKey(path: path))
    }
}

enum CheckpointKeyShowCommand: Command {
    static let spec = CommandSpec(
        path: ["checkpoint", "key", "show"],
        summary: "Print the verifier key of the ledger's current checkpoint key.",
        usage: "--ledger PATH [--trust-anchor KID] [--json]",
        discussion: """
        The verifier key (<origin>+<key ID>+<base64 key>) is what checkpoint verifiers pin, so the command
        first verifies the whole ledger, as `keyledger verify` does, and prints nothing when that fails:
        someone who can write the ledger file but does not hold its signing key could otherwise put a key of
        their own in its place. --json also lists every earlier checkpoint key; when verification fails it
        prints the verification result instead, as `keyledger verify --json` does.
        Exit status 0 when the key was printed, 1 when the ledger failed verification.
        """,
        options: [
            .value("ledger", "PATH", "The ledger file.", environment: "KEYLEDGER_LEDGER"),
            CommonOptions.trustAnchorBeforePrinting,
            .flag("json", "Print the current key and the key history as JSON."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let trustAnchor = try CommonOptions.trustAnchor(arguments)
        let ledger = try Ledger(path: try arguments.required("ledger"), readOnly: true)
        let history = try CommonOptions.verifyBeforePrinting(ledger, trustAnchor: trustAnchor, printed: "checkpoint verifier key",
                                                             jsonOutput: arguments.flag("json")) {
            try ledger.checkpointKeys()
        }
        guard let current = history.last else {
            throw LedgerError(.notFound,
                "the ledger \(try arguments.required("ledger")) has no checkpoint key: add one with `keyledger checkpoint key rotate`")
        }
        if arguments.flag("json") {
            Terminal.output(try JCS.canonicalString(.object([
                "current": CheckpointFiles.jsonValue(current),
                "history": .array(history.map(CheckpointFiles.jsonValue)),
            ])))
        } else {
            Terminal.output(current.verifierKey.encoded)
            Terminal.message("checkpoint key \(current.keyID), origin \(current.origin), introduced at entry \(current.introducedAt)")
        }
        return 0
    }
}

enum CheckpointKeyRotateCommand: Command {
    static let spec = CommandSpec(
        path: ["checkpoint", "key", "rotate"],
        summary: "Introduce or replace the ledger's checkpoint key.",
        usage: "--ledger PATH --signing-key PEM (--new-key PEM | --generate --key-out PEM) [--previous-key PEM] [--origin ORIGIN] [--actor WHO] [--reason TEXT] [--json]",
        discussion: """
        Appends a checkpoint_key_rotated entry signed by the ledger signing key. When the ledger already
        has a checkpoint key, --previous-key must be that key: it signs the handover to the new one.
        Checkpoints of trees that include the entry must be signed by the new key. Prints the new verifier key.
        """,
        options: [
            .value("ledger", "PATH", "The ledger file.", environment: "KEYLEDGER_LEDGER"),
            .value("signing-key", "PEM", "The ledger's current signing key, which signs the entry.", environment: "KEYLEDGER_SIGNING_KEY"),
            .value("new-key", "PEM", "The incoming checkpoint key (Ed25519 PKCS#8 PEM, mode 0600)."),
            .flag("generate", "Generate the incoming Ed25519 checkpoint key."),
            .value("key-out", "PEM", "Where to write the generated key (mode 0600, never overwritten)."),
            .value("previous-key", "PEM", "The outgoing checkpoint key, which signs the handover."),
            .value("origin", "ORIGIN", "The origin of the new key's checkpoints. Default: the outgoing key's, or keyledger/<ledger id>."),
            .value("actor", "WHO", "Who performs the rotation. Default: the user name."),
            .value("reason", "TEXT", "Why the key changes, recorded in the entry."),
            .flag("json", "Print the entry and the new verifier key as JSON."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let (ledger, signingKey) = try CommonOptions.openForAppend(arguments)
        let actor = arguments.value("actor") ?? defaultActor()
        let previous = try arguments.value("previous-key").map { try KeyFile.loadPrivateKey(path: $0) }

        let newKey: PrivateKey
        var createdKeyFile: String?
        switch try arguments.exactlyOne(of: ["new-key", "generate"]) {
        case "generate":
            let keyOut = try arguments.required("key-out")
            newKey = try PrivateKey.generate(.ed25519)
            try KeyFile.writePrivateKey(newKey, to: keyOut)
            createdKeyFile = keyOut
        default:
            newKey = try KeyFile.loadPrivateKey(path: try arguments.required("new-key"))
        }

        let entry: Entry
        do {
            entry = try ledger.rotateCheckpointKey(to: newKey, previous: previous, actor: actor, signingKey: signingKey,
                                                   reason: arguments.value("reason"), origin: arguments.value("origin"))
        } catch {
            // A generated key that the ledger did not accept signs nothing.
            if let createdKeyFile { try? FileManager.default.removeItem(atPath: createdKeyFile) }
            throw error
        }
        if let createdKeyFile {
            Terminal.message("wrote the new checkpoint key to \(createdKeyFile) (mode 0600)")
        }
        guard let current = try ledger.currentCheckpointKey() else {
            throw LedgerError(.integrity, "entry \(entry.sequence) introduced no checkpoint key: run `keyledger verify`")
        }

        if arguments.flag("json") {
            Terminal.output(try JCS.canonicalString(.object([
                "entry": entry.jsonValue,
                "checkpoint_key": CheckpointFiles.jsonValue(current),
            ])))
        } else {
            Terminal.message("entry \(entry.sequence) introduces checkpoint key \(current.keyID); sign checkpoints with it from now on")
            Terminal.output(current.verifierKey.encoded)
        }
        return 0
    }
}

/// Reading and writing the files that the checkpoint and proof commands take.
enum CheckpointFiles {
    /// Returns the one positional argument, or throws a usage error naming it.
    static func singlePositional(_ arguments: ParsedArguments, name: String) throws -> String {
        guard arguments.positional.count == 1 else {
            throw UsageError("`\(arguments.spec.fullName)` takes one \(name): see `\(arguments.spec.fullName) --help`")
        }
        return arguments.positional[0]
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LedgerError(.invalidInput, "cannot read \(path): \(KeyFile.readFailureReason(path)): check the path and that this user may read the file")
        }
        return [UInt8](data)
    }

    /// Reads a secret key file as text after checking that only its owner may read it.
    static func readSecretText(_ path: String) throws -> String {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: target) else {
            throw LedgerError(.unreadableKey, "cannot read the key file \(path): it does not exist or is not accessible")
        }
        if let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            throw LedgerError(.insecureKeyFile, KeyFile.insecureModeMessage(path: path, mode: mode, quotePath: false))
        }
        guard let text = String(data: Data(try read(path)), encoding: .utf8) else {
            throw LedgerError(.unreadableKey, "the key file \(path) is not a text file")
        }
        return text
    }

    /// Parses a signed note file, naming the file in any error.
    static func readNote(_ path: String) throws -> SignedNote {
        let bytes = try read(path)
        do {
            return try SignedNote(parsing: bytes)
        } catch let error as LedgerError {
            throw LedgerError(error.code, "\(path): \(error.message)")
        }
    }

    /// Rejects a witness key whose Ed25519 public key is also a log key: a
    /// cosignature by the log's own key adds no independent witness.
    static func rejectLogKeyAsWitness(_ witnessKeys: [[UInt8]], logKeys: [NoteVerifierKey], witnessOption: String) throws {
        for logKey in logKeys where witnessKeys.contains(logKey.publicKey) {
            throw UsageError("the \(witnessOption) key has the same public key as the log key \(logKey.encoded): a log cannot witness its own checkpoints, so use the key of an independent witness")
        }
    }

    /// Reads verifier keys given as text or as the path of a file that contains one.
    static func verifierKeys(_ values: [String], option: String) throws -> [NoteVerifierKey] {
        try values.map { value in
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: value, isDirectory: &isDirectory), !isDirectory.boolValue {
                let text = String(decoding: try read(value), as: UTF8.self)
                do {
                    return try NoteVerifierKey(text)
                } catch let error as LedgerError {
                    throw LedgerError(error.code, "--\(option) \(value): \(error.message)")
                }
            }
            do {
                return try NoteVerifierKey(value)
            } catch let error as LedgerError {
                throw UsageError("--\(option) \"\(value)\" is neither a readable file nor a verifier key: \(error.message)")
            }
        }
    }

    /// Writes `text` to `path`, or to standard output when `path` is nil.
    static func write(_ text: String, to path: String?) throws {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw LedgerError(.storage, "cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func jsonValue(_ key: LedgerCheckpointKey) -> JSONValue {
        .object([
            "kid": .string(key.keyID),
            "origin": .string(key.origin),
            "vkey": .string(key.verifierKey.encoded),
            "introduced_at": .number(Double(key.introducedAt)),
            "jwk": key.publicJWK.jsonValue,
        ])
    }
}
