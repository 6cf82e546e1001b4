import JOSE

extension Ledger {
    /// The JWKS the endpoint of `environment` should serve: every key that is
    /// published or verified and not retired or rolled back, in the order the keys were recorded.
    public func expectedJWKS(environment: String) throws -> JWKS {
        try validateIdentifier(environment, what: "the environment", example: "production")
        let keys = try keys(environment: environment).filter { $0.state.isServed }
        return JWKS(keys: keys.compactMap(\.publicJWK))
    }

    /// Compares a served JWKS with the expected set by key material (RFC 7638
    /// thumbprints, not `kid` strings) and records the result.
    ///
    /// Appends, in one transaction, a `verified` entry for each expected key
    /// that is served, then a `jwks_checked` entry when the sets match or a
    /// `verification_failed` entry naming the missing and unexpected keys.
    /// Both record the source, the SHA-256 of the response and which retired
    /// or rolled-back keys were shown absent. A check is evidence, not a key
    /// change, so it needs no change, or a change in any state.
    ///
    /// An environment in which no key was ever generated or imported is
    /// rejected as a likely typo, and nothing is appended.
    public func checkJWKS(environment: String, observation: JWKSObservation, change: String? = nil,
                          context: StepContext, signingKey: SigningKey) throws -> JWKSCheckResult {
        try validateIdentifier(environment, what: "the environment", example: "production")
        if let change { try validateIdentifier(change, what: "the change id", example: "CHG-1001") }
        try Event.validate(actor: context.actor)

        var servedKeyIDs: [String] = []
        var parseError = observation.error
        if let body = observation.body {
            do {
                let set = try JWKS(json: JSONValue(parsing: body))
                servedKeyIDs = try set.keys.map { try $0.thumbprint() }
                // A key keyledger cannot read is still a key the endpoint serves; it is named by its kid.
                servedKeyIDs += set.unsupportedKeys.map { "unsupported:" + ($0["kid"]?.stringValue ?? "no-kid") }
            } catch {
                parseError = "the response is not a valid JWKS: \(error)"
            }
        }

        var result: JWKSCheckResult?
        let entries = try append(signingKey: signingKey) {
            let keys = try keys(environment: environment)
            if keys.isEmpty { throw try unknownEnvironment(environment) }
            let expected = keys.filter { $0.state.isServed }.map(\.keyID)
            let ended = keys.filter { $0.state == .retired || $0.state == .rolledBack }.map(\.keyID)
            let served = Set(servedKeyIDs)
            let missing = parseError == nil ? expected.filter { !served.contains($0) } : expected
            let unexpected = servedKeyIDs.filter { !expected.contains($0) }
            let absentConfirmed = parseError == nil ? ended.filter { !served.contains($0) } : []
            let matched = parseError == nil && missing.isEmpty && unexpected.isEmpty

            var common = observation.sourceMembers
            common["env"] = .string(environment)
            if let digest = observation.sha256 { common["jwks_sha256"] = .string(digest) }
            if let change { common["change"] = .string(change) }

            var events: [Event] = []
            if parseError == nil {
                for keyID in expected where served.contains(keyID) {
                    var body = common
                    body["kid"] = .string(keyID)
                    events.append(try Event(dedicatedKind: .verified, actor: context.actor, body: context.decorate(body)))
                }
            }
            var summary = common
            summary["expected"] = .array(expected.map(JSONValue.string))
            summary["served"] = .array(servedKeyIDs.map(JSONValue.string))
            summary["missing"] = .array(missing.map(JSONValue.string))
            summary["unexpected"] = .array(unexpected.map(JSONValue.string))
            summary["absent_confirmed"] = .array(absentConfirmed.map(JSONValue.string))
            summary["result"] = .string(matched ? "pass" : "fail")
            if let parseError { summary["error"] = .string(parseError) }
            events.append(try Event(dedicatedKind: matched ? .jwksChecked : .verificationFailed, actor: context.actor,
                                    body: context.decorate(summary)))
            result = JWKSCheckResult(matched: matched, expected: expected, served: servedKeyIDs, missing: missing,
                                     unexpected: unexpected, absentConfirmed: absentConfirmed, error: parseError, entries: [])
            return events
        }
        let outcome = result!
        return JWKSCheckResult(matched: outcome.matched, expected: outcome.expected, served: outcome.served,
                               missing: outcome.missing, unexpected: outcome.unexpected,
                               absentConfirmed: outcome.absentConfirmed, error: outcome.error, entries: entries)
    }

    /// Throws `notFound` when no key was ever generated or imported in `environment`, naming the environments that have keys.
    public func checkEnvironmentHasKeys(_ environment: String) throws {
        try validateIdentifier(environment, what: "the environment", example: "production")
        if try keys(environment: environment).isEmpty { throw try unknownEnvironment(environment) }
    }

    /// Returns the error for an environment in which no key was ever recorded, naming the environments that have keys.
    private func unknownEnvironment(_ environment: String) throws -> LedgerError {
        var known: [String] = []
        for key in try keys() where !known.contains(key.environment) { known.append(key.environment) }
        guard !known.isEmpty else {
            return LedgerError(.notFound,
                "no key was ever recorded in environment \(quoted(environment)), nor in any other: generate or import a key first")
        }
        return LedgerError(.notFound,
            "no key was ever recorded in environment \(quoted(environment)): check --env, the environments with keys are \(known.sorted().joined(separator: ", "))")
    }
}
