import Foundation
import JOSE
import KeyLedger

enum KeyGenerateCommand: Command {
    static let spec = CommandSpec(
        path: ["key", "generate"],
        summary: "Generate a JWT signing key pair and record it; prints the new kid.",
        usage: "--name NAME --env ENV [--alg ALG] [--bits N] --out PEM --change ID --actor WHO [--custody TEXT] [--emergency REASON]",
        discussion: """
        The private key is written as PKCS#8 PEM with mode 0600 to a new file (never overwritten) and
        never enters the ledger. The change must be approved and in progress unless --emergency is given.
        """,
        // No --at: the key is generated now, so there is no earlier time to claim.
        options: CommonOptions.step.filter { $0.name != "at" } + [
            .value("name", "NAME", "The key's name, for example sox_audit_events_jwt_signing_key."),
            .value("env", "ENV", "The environment, for example staging or production."),
            .value("alg", "ALG", "RS256 (default), RS384, RS512, PS256, ES256, ES384 or EdDSA."),
            .value("bits", "N", "RSA modulus size: 2048 (default), 3072 or 4096."),
            .value("out", "PEM", "Where to write the private key."),
            .value("change", "ID", "The change the key is generated under."),
            .value("custody", "TEXT", "Where the private key will be kept, for example \"credentials.yml.enc (production)\"."),
            CommonOptions.emergency,
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let algorithm = try parseAlgorithm(arguments.value("alg") ?? "RS256", option: "alg")
        let bits = try arguments.integer("bits", in: 2048...4096) ?? 2048
        let request = KeyGenerationRequest(
            name: try arguments.required("name"), environment: try arguments.required("env"), algorithm: algorithm,
            rsaBits: bits, outputPath: try arguments.required("out"), change: try arguments.required("change"),
            custody: arguments.value("custody"))
        let (ledger, key) = try CommonOptions.openForAppend(arguments)
        let entry = try ledger.generateKey(request, context: try CommonOptions.context(arguments), signingKey: key)
        if arguments.flag("json") {
            try CommonOptions.report([entry], arguments)
        } else {
            Terminal.message("entry \(entry.sequence): generated \(request.algorithm.rawValue) key for \(request.environment), private key in \(request.outputPath) (mode 0600)")
            Terminal.output(entry.keyID ?? "")
        }
        return 0
    }
}

enum KeyImportCommand: Command {
    static let spec = CommandSpec(
        path: ["key", "import"],
        summary: "Record keys generated elsewhere from their public part.",
        usage: "--name NAME --env ENV (--public PEM | --jwk FILE | --jwks FILE) --change ID --actor WHO [--emergency REASON]",
        discussion: """
        Keys are identified by their RFC 7638 thumbprint; a provider's kid is kept. A JWK with private
        members (d, p, q, ...) is rejected: import public keys only. So is one of the ledger's own
        signing or checkpoint keys. The change must be approved and in progress unless --emergency is given.
        """,
        options: CommonOptions.step + [
            .value("name", "NAME", "The key's name."),
            .value("env", "ENV", "The environment."),
            .value("public", "PEM", "A public key in PEM (SubjectPublicKeyInfo)."),
            .value("jwk", "FILE", "A public JWK."),
            .value("jwks", "FILE", "A JWK Set; every key in it is recorded."),
            .value("alg", "ALG", "The algorithm to record for --public."),
            .value("change", "ID", "The change the keys are recorded under."),
            CommonOptions.emergency,
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let source = try arguments.exactlyOne(of: ["public", "jwk", "jwks"])
        let path = try arguments.required(source)
        let format = KeyImportFormat(rawValue: source)!
        let keys = try format.keys(from: try readInput(path), source: path, algorithm: arguments.value("alg"))
        let (ledger, key) = try CommonOptions.openForAppend(arguments)
        let entries = try ledger.importKeys(keys, name: try arguments.required("name"), environment: try arguments.required("env"),
                                            change: try arguments.required("change"), source: path,
                                            context: try CommonOptions.context(arguments), signingKey: key)
        if arguments.flag("json") {
            try CommonOptions.report(entries, arguments)
        } else {
            for entry in entries { Terminal.output(entry.keyID ?? "") }
        }
        return 0
    }
}

/// `key publish` and `key retire`, which differ only in the step they append.
enum KeyStepCommand {
    static func spec(_ name: String, summary: String) -> CommandSpec {
        CommandSpec(
            path: ["key", name], summary: summary,
            usage: "--kid KID --env ENV --change ID --actor WHO [--emergency REASON]",
            options: CommonOptions.step + [
                .value("kid", "KID", "The key's id (its RFC 7638 thumbprint)."),
                .value("env", "ENV", "The environment."),
                .value("change", "ID", "The change the step belongs to."),
                CommonOptions.emergency,
            ])
    }

    static func run(_ arguments: ParsedArguments, retire: Bool) throws -> Int32 {
        let (ledger, key) = try CommonOptions.openForAppend(arguments)
        let kid = try arguments.required("kid")
        let env = try arguments.required("env")
        let change = try arguments.required("change")
        let context = try CommonOptions.context(arguments)
        let entry = retire
            ? try ledger.retireKey(id: kid, environment: env, change: change, context: context, signingKey: key)
            : try ledger.publishKey(id: kid, environment: env, change: change, context: context, signingKey: key)
        try CommonOptions.report([entry], arguments)
        return 0
    }
}

enum KeyPublishCommand: Command {
    static let spec = KeyStepCommand.spec("publish", summary: "Record that a generated key is published in the JWKS.")
    static func run(_ arguments: ParsedArguments) throws -> Int32 { try KeyStepCommand.run(arguments, retire: false) }
}

enum KeyRetireCommand: Command {
    static let spec = KeyStepCommand.spec("retire", summary: "Record that a verified key is retired from the JWKS.")
    static func run(_ arguments: ParsedArguments) throws -> Int32 { try KeyStepCommand.run(arguments, retire: true) }
}

enum KeyListCommand: Command {
    static let spec = CommandSpec(
        path: ["key", "list"],
        summary: "List keys and their lifecycle states.",
        usage: "--ledger PATH [--env ENV] [--json]",
        discussion: """
        It reads the ledger file as stored and does not verify hashes or signatures, so it shows whatever
        someone who can write the file put there. Run `keyledger verify --trust-anchor KID` first when the
        result must be trusted.
        """,
        options: [CommonOptions.ledger, .value("env", "ENV", "Only keys in this environment, which must have keys (exit 2 otherwise)."),
                  .flag("json", "Print one JSON object per key.")])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let ledger = try Ledger(path: try arguments.required("ledger"), readOnly: true)
        let environment = arguments.value("env")
        let records = try ledger.keys(environment: environment)
        // A mistyped --env would otherwise print nothing and look like an environment without keys.
        if let environment, records.isEmpty {
            try ledger.checkEnvironmentHasKeys(environment)
        }
        for record in records {
            if arguments.flag("json") {
                Terminal.output(try record.jsonValue.serialized(pretty: false))
            } else {
                Terminal.output("\(printable(record.keyID))\t\(printable(record.environment))\t\(record.state.rawValue)\t\(printable(record.algorithm ?? "-"))\t\(printable(record.name))")
            }
        }
        return 0
    }
}

enum KeyShowCommand: Command {
    static let spec = CommandSpec(
        path: ["key", "show"],
        summary: "Show one key's lifecycle in an environment.",
        usage: "--ledger PATH --kid KID --env ENV [--json]",
        discussion: """
        It reads the ledger file as stored and does not verify hashes or signatures, so it shows whatever
        someone who can write the file put there. Run `keyledger verify --trust-anchor KID` first when the
        result must be trusted.
        """,
        options: [CommonOptions.ledger, .value("kid", "KID", "The key's id."), .value("env", "ENV", "The environment."),
                  .flag("json", "Print JSON.")])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let ledger = try Ledger(path: try arguments.required("ledger"), readOnly: true)
        let kid = try arguments.required("kid")
        let env = try arguments.required("env")
        guard let record = try ledger.key(id: kid, environment: env) else {
            throw LedgerError(.notFound, "key \"\(kid)\" is not recorded in \"\(env)\": list keys with `keyledger key list --env \(env)`")
        }
        if arguments.flag("json") {
            Terminal.output(try record.jsonValue.serialized(pretty: false))
        } else {
            Terminal.output("\(printable(record.keyID)) \(printable(record.environment)) \(record.state.rawValue) \(printable(record.algorithm ?? "-")) \(printable(record.name))")
            if let custody = record.custody { Terminal.output("custody: \(printable(custody))") }
            for step in record.steps {
                Terminal.output("  \(step.sequence)\t\(step.time)\t\(step.kind)\t\(printable(step.actor))\t\(printable(step.change ?? "-"))")
            }
        }
        return 0
    }
}
