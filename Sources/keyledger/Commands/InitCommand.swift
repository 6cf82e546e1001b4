import Foundation
import JOSE
import KeyLedger

enum InitCommand: Command {
    static let spec = CommandSpec(
        path: ["init"],
        summary: "Create a ledger and print its trust anchor.",
        usage: "--ledger PATH (--signing-key PEM | --generate-signing-key ALG --key-out PEM) [--actor WHO] [--json]",
        discussion: """
        The trust anchor is the RFC 7638 thumbprint of the first ledger signing key.
        Keep it outside the ledger: `keyledger verify --trust-anchor KID` starts from it.
        ALG is one of RS256, PS256, ES256, ES384, EdDSA (RSA keys have 2048 bits).
        """,
        options: [
            .value("ledger", "PATH", "The ledger file to create; it must not exist.", environment: "KEYLEDGER_LEDGER"),
            .value("signing-key", "PEM", "An existing private key (PKCS#8 PEM, mode 0600) to sign with.", environment: "KEYLEDGER_SIGNING_KEY"),
            .value("alg", "ALG", "The JWS algorithm for --signing-key. Default: RS256, ES256, ES384 or EdDSA by key type."),
            .value("generate-signing-key", "ALG", "Generate a new signing key for this algorithm."),
            .value("key-out", "PEM", "Where to write the generated private key (created with mode 0600, never overwritten)."),
            .value("actor", "WHO", "Who creates the ledger. Default: the user name."),
            .flag("json", "Print the result as JSON."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let path = try arguments.required("ledger")
        let actor = arguments.value("actor") ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        let signingKey: SigningKey
        var createdKeyFile: String?
        if let name = arguments.value("generate-signing-key") {
            guard arguments.values("signing-key").isEmpty else {
                throw UsageError("give either --signing-key or --generate-signing-key, not both")
            }
            let algorithm = try parseAlgorithm(name, option: "generate-signing-key")
            let keyOut = try arguments.required("key-out")
            signingKey = try SigningKey.generate(algorithm)
            try KeyFile.writePrivateKey(signingKey.privateKey, to: keyOut)
            createdKeyFile = keyOut
        } else if let keyPath = arguments.value("signing-key") {
            let algorithm = try arguments.value("alg").map { try parseAlgorithm($0, option: "alg") }
            signingKey = try SigningKey(privateKey: KeyFile.loadPrivateKey(path: keyPath), algorithm: algorithm)
        } else {
            throw UsageError("give --signing-key PEM or --generate-signing-key ALG --key-out PEM")
        }
        let ledger: Ledger
        do {
            ledger = try Ledger.create(at: path, signingKey: signingKey, actor: actor)
        } catch {
            // A generated key without its ledger signs nothing. Removing it lets
            // the corrected command be rerun with the same --key-out.
            if let createdKeyFile { try? FileManager.default.removeItem(atPath: createdKeyFile) }
            throw error
        }
        if let createdKeyFile {
            Terminal.message("wrote the new ledger signing key to \(createdKeyFile) (mode 0600)")
        }
        let head = try ledger.head()
        if arguments.flag("json") {
            let result: JSONValue = .object([
                "ledger": .string(path),
                "ledger_id": .string(ledger.ledgerID),
                "trust_anchor": .string(signingKey.keyID),
                "alg": .string(signingKey.algorithm.rawValue),
                "head": .string(head?.description ?? ""),
            ])
            Terminal.output(try JCS.canonicalString(result))
        } else {
            Terminal.message("created ledger \(path) (id \(ledger.ledgerID)), signing with \(signingKey.algorithm.rawValue)")
            Terminal.message("trust anchor (keep it outside the ledger; verify with --trust-anchor):")
            Terminal.output(signingKey.keyID)
        }
        return 0
    }
}

/// Parses a JWS algorithm name given on the command line.
func parseAlgorithm(_ name: String, option: String) throws -> JWSAlgorithm {
    guard let algorithm = JWSAlgorithm(rawValue: name) else {
        let names = JWSAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")
        throw UsageError("--\(option) \"\(name)\" is not a supported algorithm: use one of \(names)")
    }
    return algorithm
}
