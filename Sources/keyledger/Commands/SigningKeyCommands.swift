import Foundation
import JOSE
import KeyLedger

enum SigningKeyRotateCommand: Command {
    static let spec = CommandSpec(
        path: ["signing-key", "rotate"],
        summary: "Hand the ledger's signing over to a new key, signed by the current key.",
        usage: "--ledger PATH --signing-key PEM (--new-key PEM | --generate ALG --key-out PEM) [--actor WHO] [--reason TEXT] [--json]",
        options: [
            .value("ledger", "PATH", "The ledger file.", environment: "KEYLEDGER_LEDGER"),
            .value("signing-key", "PEM", "The current signing key, which signs the handover.", environment: "KEYLEDGER_SIGNING_KEY"),
            .value("new-key", "PEM", "The incoming private key (PKCS#8 PEM, mode 0600): not a checkpoint key, an earlier signing key or a JWT key the ledger records."),
            .value("alg", "ALG", "The JWS algorithm for --new-key. Default: by key type."),
            .value("generate", "ALG", "Generate the incoming key for this algorithm."),
            .value("key-out", "PEM", "Where to write the generated key (mode 0600, never overwritten)."),
            .value("actor", "WHO", "Who performs the rotation. Default: the user name."),
            .value("reason", "TEXT", "Why the key is rotated, recorded in the handover."),
            .flag("json", "Print the handover entry as JSON."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let ledger = try Ledger(path: try arguments.required("ledger"))
        let current = try ledger.loadSigningKey(path: try arguments.required("signing-key"))
        let actor = arguments.value("actor") ?? defaultActor()
        let newKey: SigningKey
        switch try arguments.exactlyOne(of: ["new-key", "generate"]) {
        case "generate":
            let algorithm = try parseAlgorithm(try arguments.required("generate"), option: "generate")
            let keyOut = try arguments.required("key-out")
            newKey = try SigningKey.generate(algorithm)
            try KeyFile.writePrivateKey(newKey.privateKey, to: keyOut)
            Terminal.message("wrote the new ledger signing key to \(keyOut) (mode 0600)")
        default:
            let algorithm = try arguments.value("alg").map { try parseAlgorithm($0, option: "alg") }
            newKey = try SigningKey(privateKey: KeyFile.loadPrivateKey(path: try arguments.required("new-key")), algorithm: algorithm)
        }
        let entry = try ledger.rotateSigningKey(to: newKey, actor: actor, signingKey: current, reason: arguments.value("reason"))
        if arguments.flag("json") {
            Terminal.output(try JCS.canonicalString(entry.jsonValue))
        } else {
            Terminal.message("entry \(entry.sequence) hands signing from \(current.keyID) to the new key; sign from now on with the new key")
            Terminal.output(newKey.keyID)
        }
        return 0
    }
}

enum SigningKeyShowCommand: Command {
    static let spec = CommandSpec(
        path: ["signing-key", "show"],
        summary: "Show the key that must sign the next entry.",
        usage: "--ledger PATH [--json]",
        options: [
            .value("ledger", "PATH", "The ledger file.", environment: "KEYLEDGER_LEDGER"),
            .flag("json", "Print the signer as JSON, with its public JWK."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let ledger = try Ledger(path: try arguments.required("ledger"), readOnly: true)
        let signer = try ledger.currentSigner()
        if arguments.flag("json") {
            Terminal.output(try JCS.canonicalString(.object([
                "kid": .string(signer.keyID),
                "alg": .string(signer.algorithm.rawValue),
                "introduced_at": .number(Double(signer.introducedAt)),
                "jwk": signer.publicJWK.jsonValue,
            ])))
        } else {
            Terminal.output("\(signer.keyID) \(signer.algorithm.rawValue) (introduced at entry \(signer.introducedAt))")
        }
        return 0
    }
}
