import Foundation
import JOSE
import KeyLedger
import OpenSSLBridge

enum InitCommand: Command {
    static let spec = CommandSpec(
        path: ["init"],
        summary: "Create a ledger and print its trust anchor.",
        usage: "--ledger PATH (--signing-key PEM | --generate-signing-key ALG --key-out PEM) [--checkpoint-key PEM | --generate-checkpoint-key --checkpoint-key-out PEM] [--checkpoint-origin ORIGIN] [--actor WHO] [--json]",
        discussion: """
        The trust anchor is the RFC 7638 thumbprint of the first ledger signing key.
        Keep it outside the ledger: `keyledger verify --trust-anchor KID` starts from it.
        ALG is one of RS256, PS256, ES256, ES384, EdDSA (RSA keys have 2048 bits).
        A checkpoint key (Ed25519, not the signing key) signs the ledger's checkpoints; init then also prints
        its verifier key, which checkpoint verifiers pin. It can be added later with `keyledger checkpoint key rotate`.
        """,
        options: [
            .value("ledger", "PATH", "The ledger file to create; it must not exist.", environment: "KEYLEDGER_LEDGER"),
            .value("signing-key", "PEM", "An existing private key (PKCS#8 PEM, mode 0600) to sign with.", environment: "KEYLEDGER_SIGNING_KEY"),
            .value("alg", "ALG", "The JWS algorithm for --signing-key. Default: RS256, ES256, ES384 or EdDSA by key type."),
            .value("generate-signing-key", "ALG", "Generate a new signing key for this algorithm."),
            .value("key-out", "PEM", "Where to write the generated private key (created with mode 0600, never overwritten)."),
            .value("checkpoint-key", "PEM", "An existing Ed25519 private key (PKCS#8 PEM, mode 0600) to sign checkpoints with."),
            .flag("generate-checkpoint-key", "Generate a new Ed25519 checkpoint key."),
            .value("checkpoint-key-out", "PEM", "Where to write the generated checkpoint key (created with mode 0600, never overwritten)."),
            .value("checkpoint-origin", "ORIGIN", "The first line of the ledger's checkpoints. Default: keyledger/<ledger id>."),
            .value("actor", "WHO", "Who creates the ledger. Default: the user name."),
            .flag("json", "Print the result as JSON."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let path = try arguments.required("ledger")
        try checkDistinctOutputs(arguments, ledger: path)
        let actor = arguments.value("actor") ?? defaultActor()
        let signingKey: SigningKey
        var createdKeyFile: String?
        if let name = arguments.value("generate-signing-key") {
            guard arguments.values("signing-key").isEmpty else {
                throw UsageError("give either --signing-key or --generate-signing-key, not both")
            }
            let algorithm = try parseAlgorithm(name, option: "generate-signing-key", allowed: SigningKey.ledgerAlgorithms)
            let keyOut = try arguments.required("key-out")
            signingKey = try SigningKey.generate(algorithm)
            try KeyFile.writePrivateKey(signingKey.privateKey, to: keyOut)
            createdKeyFile = keyOut
        } else if let keyPath = arguments.value("signing-key") {
            let algorithm = try arguments.value("alg").map { try parseAlgorithm($0, option: "alg", allowed: SigningKey.ledgerAlgorithms) }
            signingKey = try SigningKey(privateKey: KeyFile.loadPrivateKey(path: keyPath), algorithm: algorithm)
        } else {
            throw UsageError("give --signing-key PEM or --generate-signing-key ALG --key-out PEM")
        }

        let checkpointKey: PrivateKey?
        var createdCheckpointKeyFile: String?
        do {
            (checkpointKey, createdCheckpointKeyFile) = try loadCheckpointKey(arguments)
        } catch {
            if let createdKeyFile { try? FileManager.default.removeItem(atPath: createdKeyFile) }
            throw error
        }
        let ledger: Ledger
        do {
            ledger = try Ledger.create(at: path, signingKey: signingKey, actor: actor, checkpointKey: checkpointKey,
                                       checkpointOrigin: arguments.value("checkpoint-origin"))
        } catch {
            // A generated key without its ledger signs nothing. Removing it lets
            // the corrected command be rerun with the same --key-out.
            for file in [createdKeyFile, createdCheckpointKeyFile].compactMap({ $0 }) {
                try? FileManager.default.removeItem(atPath: file)
            }
            throw error
        }

        if let createdKeyFile {
            Terminal.message("wrote the new ledger signing key to \(createdKeyFile) (mode 0600)")
        }
        if let createdCheckpointKeyFile {
            Terminal.message("wrote the new checkpoint key to \(createdCheckpointKeyFile) (mode 0600)")
        }
        let head = try ledger.head()
        let checkpointVerifierKey = try ledger.currentCheckpointKey()?.verifierKey
        if arguments.flag("json") {
            var result: [String: JSONValue] = [
                "ledger": .string(path),
                "ledger_id": .string(ledger.ledgerID),
                "trust_anchor": .string(signingKey.keyID),
                "alg": .string(signingKey.algorithm.rawValue),
                "head": .string(head?.description ?? ""),
            ]
            if let checkpointVerifierKey { result["checkpoint_vkey"] = .string(checkpointVerifierKey.encoded) }
            Terminal.output(try JCS.canonicalString(.object(result)))
        } else {
            Terminal.message("created ledger \(path) (id \(ledger.ledgerID)), signing with \(signingKey.algorithm.rawValue)")
            Terminal.message("trust anchor (keep it outside the ledger; verify with --trust-anchor):")
            Terminal.output(signingKey.keyID)
            if let checkpointVerifierKey {
                Terminal.message("checkpoint verifier key (give it to checkpoint verifiers):")
                Terminal.output(checkpointVerifierKey.encoded)
            }
        }
        return 0
    }

    /// Rejects a command line that names one file for two of the files init creates. Otherwise
    /// the second write would fail with "already exists" for a file that the cleanup then removes.
    private static func checkDistinctOutputs(_ arguments: ParsedArguments, ledger: String) throws {
        var seen: [URL: String] = [URL(fileURLWithPath: ledger).standardizedFileURL: "--ledger"]
        for option in ["key-out", "checkpoint-key-out"] {
            guard let value = arguments.value(option) else { continue }
            let url = URL(fileURLWithPath: value).standardizedFileURL
            if let earlier = seen[url] {
                throw UsageError("\(earlier) and --\(option) both name \(value): give each file init creates its own path")
            }
            seen[url] = "--" + option
        }
    }

    /// Loads or generates the checkpoint key, returning the path of a generated key file.
    private static func loadCheckpointKey(_ arguments: ParsedArguments) throws -> (PrivateKey?, String?) {
        if arguments.flag("generate-checkpoint-key") {
            guard arguments.value("checkpoint-key") == nil else {
                throw UsageError("give either --checkpoint-key or --generate-checkpoint-key, not both")
            }
            let keyOut = try arguments.required("checkpoint-key-out")
            let key = try PrivateKey.generate(.ed25519)
            try KeyFile.writePrivateKey(key, to: keyOut)
            return (key, keyOut)
        }
        if arguments.value("checkpoint-key-out") != nil {
            throw UsageError("--checkpoint-key-out needs --generate-checkpoint-key")
        }
        return (try arguments.value("checkpoint-key").map { try KeyFile.loadPrivateKey(path: $0) }, nil)
    }
}

/// Parses a JWS algorithm name given on the command line.
func parseAlgorithm(_ name: String, option: String, allowed: [JWSAlgorithm] = JWSAlgorithm.allCases) throws -> JWSAlgorithm {
    guard let algorithm = JWSAlgorithm(rawValue: name), allowed.contains(algorithm) else {
        let names = allowed.map(\.rawValue).joined(separator: ", ")
        throw UsageError("--\(option) \"\(name)\" is not a supported algorithm: use one of \(names)")
    }
    return algorithm
}
