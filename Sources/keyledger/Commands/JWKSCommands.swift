import Foundation
import JOSE
import KeyLedger

enum JWKSRenderCommand: Command {
    static let spec = CommandSpec(
        path: ["jwks", "render"],
        summary: "Print the JWKS an environment's endpoint should serve.",
        usage: "--ledger PATH --env ENV [--trust-anchor KID]",
        discussion: """
        The set holds every key that is published or verified and not retired or rolled back, in the order
        the keys were recorded. The keys it prints are trusted to verify API tokens, so it first verifies the
        whole ledger, as `keyledger verify` does, and prints nothing when that fails: someone who can write
        the ledger file but does not hold its signing key could otherwise add a key of their own.
        Exit status 0 when the JWKS was printed, 1 when the ledger failed verification, 2 for usage or input
        errors, including an environment in which no key was ever recorded, as for `keyledger jwks check`.
        """,
        options: [CommonOptions.ledger, .value("env", "ENV", "The environment."), CommonOptions.trustAnchorBeforePrinting])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let trustAnchor = try CommonOptions.trustAnchor(arguments)
        let ledger = try Ledger(path: try arguments.required("ledger"), readOnly: true)
        let environment = try arguments.required("env")
        let set = try CommonOptions.verifyBeforePrinting(ledger, trustAnchor: trustAnchor, printed: "JWKS") {
            // A misspelled environment would otherwise print an empty set, which rejects every token.
            try ledger.checkEnvironmentHasKeys(environment)
            return try ledger.expectedJWKS(environment: environment)
        }
        if set.keys.isEmpty {
            // An endpoint serving this would reject every token, so the command warns.
            Terminal.message("warning: no key is published or verified in \"\(environment)\": a JWKS with no keys rejects every token; check the environment name with `keyledger key list`")
        }
        Terminal.output(try set.jsonValue.serialized(pretty: true))
        return 0
    }
}

enum JWKSCheckCommand: Command {
    static let spec = CommandSpec(
        path: ["jwks", "check"],
        summary: "Compare a served JWKS with the expected keys and record the result.",
        usage: "--ledger PATH --env ENV (--url URL | --file PATH) --actor WHO [--change ID] [--timeout SECONDS] [--json]",
        discussion: """
        Keys are compared by RFC 7638 thumbprint, not by kid. Each expected key that is served gets a
        `verified` entry; the check itself is recorded as jwks_checked or verification_failed with the
        URL, the final URL after any redirects (final_url), and the SHA-256 of the response. Redirects are
        followed only on the same host (any port), never from https to http, and never to a URL with a user
        name or password: any other redirect fails the check, so check the JWKS's new URL directly. Exit status 0 when the sets match, 1 when they do not or the
        endpoint cannot be read (the failed check is recorded), 2 for usage or input errors, including an
        environment in which no key was ever recorded (nothing is recorded then).
        """,
        options: [CommonOptions.ledger, CommonOptions.signingKey, CommonOptions.actor,
                  .value("env", "ENV", "The environment."),
                  .value("url", "URL", "The JWKS endpoint (http or https, without a user name or password), whose response may be at most \(JWKSFetcher.maximumBodyBytes) bytes. keyledger-fetch, installed beside keyledger, fetches it."),
                  .value("file", "PATH", "A saved JWKS document, at most \(JWKSFetcher.maximumBodyBytes) bytes like a response from --url."),
                  .value("change", "ID", "The change the check belongs to, if any."),
                  .value("timeout", "SECONDS", "Seconds allowed for fetching --url, 1 to 300. Default: 10."),
                  .flag("json", "Print the result as JSON.")])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let environment = try arguments.required("env")
        let context = StepContext(actor: try arguments.required("actor"))
        let source = try arguments.exactlyOne(of: ["url", "file"])
        let (ledger, key) = try CommonOptions.openForAppend(arguments)
        // A mistyped --env fails here, before waiting for the endpoint. checkJWKS checks again under the write lock.
        try ledger.checkEnvironmentHasKeys(environment)
        let observation: JWKSObservation
        switch source {
        case "url":
            let timeout = try arguments.integer("timeout", in: 1...300) ?? 10
            let fetcher = JWKSFetcher(timeout: Double(timeout), transport: FetchHelperTransport.besideRunningExecutable())
            observation = try JWKSObservation.fetch(try arguments.required("url"), with: fetcher)
        default:
            observation = try JWKSObservation.read(file: try arguments.required("file"))
        }
        let result = try ledger.checkJWKS(environment: environment, observation: observation,
                                          change: arguments.value("change"), context: context, signingKey: key)
        if arguments.flag("json") {
            var object: [String: JSONValue] = observation.sourceMembers
            object.merge([
                "matched": .bool(result.matched),
                "expected": .array(result.expected.map(JSONValue.string)),
                "served": .array(result.served.map(JSONValue.string)),
                "missing": .array(result.missing.map(JSONValue.string)),
                "unexpected": .array(result.unexpected.map(JSONValue.string)),
                "absent_confirmed": .array(result.absentConfirmed.map(JSONValue.string)),
                "entries": .array(result.entries.map { .number(Double($0.sequence)) }),
            ]) { _, checkMember in checkMember }
            if let error = result.error { object["error"] = .string(error) }
            Terminal.output(try JSONValue.object(object).serialized(pretty: false))
        } else {
            if case .url(let url) = observation.source, let finalURL = observation.finalURL, finalURL != url {
                Terminal.output("redirected: \(printable(url)) was served from \(printable(finalURL))")
            }
            // When the document could not be read, every expected key counts as
            // missing, and the FAILED line below gives the reason, once.
            if result.error == nil {
                for kid in result.missing { Terminal.output("missing: \(kid) is expected but not served") }
            }
            for kid in result.unexpected { Terminal.output("unexpected: \(printable(kid)) is served but not expected") }
            for kid in result.absentConfirmed { Terminal.output("absent: \(kid) (retired or rolled back) is no longer served") }
            let summary = result.entries.last.map { "entry \($0.sequence)" } ?? "no entry"
            let count = result.expected.count
            if result.matched {
                Terminal.output("match: \(count) expected \(count == 1 ? "key" : "keys") served (recorded as \(summary))")
            } else if let error = result.error {
                let source: String
                switch observation.source {
                case .url(let url): source = url
                case .file(let path): source = path
                }
                Terminal.output("FAILED: could not read the JWKS from \(printable(source)): \(error) (recorded as \(summary))")
            } else {
                Terminal.output("MISMATCH: the served JWKS differs from the expected set (recorded as \(summary))")
            }
        }
        return result.matched ? 0 : 1
    }
}
