import Foundation
import JOSE
import OpenSSLBridge

/// The parameters of a key that `generateKey` creates and records.
public struct KeyGenerationRequest: Sendable {
    public var name: String
    public var environment: String
    public var algorithm: JWSAlgorithm
    /// The RSA modulus size for the RSA algorithms: 2048, 3072 or 4096.
    public var rsaBits: Int
    /// The path for the private key as PKCS#8 PEM (mode 0600). The file must not exist.
    public var outputPath: String
    public var change: String
    /// The place the private key will be kept, for example `credentials.yml.enc (production)`.
    public var custody: String?

    public init(name: String, environment: String, algorithm: JWSAlgorithm = .rs256, rsaBits: Int = 2048,
                outputPath: String, change: String, custody: String? = nil) {
        self.name = name
        self.environment = environment
        self.algorithm = algorithm
        self.rsaBits = rsaBits
        self.outputPath = outputPath
        self.change = change
        self.custody = custody
    }
}

extension Ledger {
    /// Rebuilds the key `keyID` in `environment` from its entries. Returns nil when it was never generated or imported there.
    public func key(id keyID: String, environment: String) throws -> KeyRecord? {
        var record = KeyRecord(keyID: keyID, environment: environment)
        var found = false
        try entries(EntryFilter(keyID: keyID)) { entry in
            guard EntryKind.keySteps.contains(entry.kind), entry.body["env"]?.stringValue == environment else { return }
            found = true
            record.apply(entry)
        }
        return found && record.origin != nil ? record : nil
    }

    /// Rebuilds every key, optionally in one environment, in the order they were generated or imported.
    public func keys(environment: String? = nil) throws -> [KeyRecord] {
        var records: [String: KeyRecord] = [:]
        var order: [String] = []
        try entries(EntryFilter(kinds: EntryKind.keySteps)) { entry in
            guard let keyID = entry.keyID, let env = entry.body["env"]?.stringValue else { return }
            if let environment, env != environment { return }
            let slot = env + "\u{0}" + keyID
            if records[slot] == nil {
                records[slot] = KeyRecord(keyID: keyID, environment: env)
                order.append(slot)
            }
            records[slot]!.apply(entry)
        }
        return order.compactMap { records[$0] }.filter { $0.origin != nil }
    }

    /// Generates a key pair, writes the private key to a new file with mode 0600,
    /// and appends a `generated` entry with the public JWK. The private key never enters the ledger.
    ///
    /// - Returns: the entry; its `keyID` is the new key's RFC 7638 thumbprint.
    /// - Throws: `LedgerError` when the change is not approved and in progress
    ///   (unless `context.emergency` is set), the output file exists, the
    ///   parameters are invalid, or `context` has a claimed time. Nothing is
    ///   appended and no file is left behind on error.
    @discardableResult
    public func generateKey(_ request: KeyGenerationRequest, context: StepContext, signingKey: SigningKey) throws -> Entry {
        // The key is generated here and now, so no earlier time can be true for this step.
        if let claimed = context.claimedTime {
            throw LedgerError(.invalidInput,
                "a key that keyledger generates is generated now, so the claimed time \(claimed) (--at) does not apply: leave it out, or record a key generated earlier elsewhere with `key import`")
        }
        try validateIdentifier(request.name, what: "the key name", example: "sox_audit_events_jwt_signing_key")
        try validateIdentifier(request.environment, what: "the environment", example: "production")
        try validateIdentifier(request.change, what: "the change id", example: "CHG-1001")
        try Event.validate(actor: context.actor)
        if let custody = request.custody { try validateText(custody, what: "the custody", maximumLength: 512) }
        let spec: KeySpec
        switch request.algorithm {
        case .rs256, .rs384, .rs512, .ps256:
            guard [2048, 3072, 4096].contains(request.rsaBits) else {
                throw LedgerError(.invalidInput, "--bits \(request.rsaBits) is not supported: use 2048, 3072 or 4096 (fewer than 2048 bits is too weak)")
            }
            spec = .rsa(bits: request.rsaBits)
        case .es256: spec = .ec(.p256)
        case .es384: spec = .ec(.p384)
        case .edDSA: spec = .ed25519
        }
        if FileManager.default.fileExists(atPath: request.outputPath) {
            throw LedgerError(.invalidInput, "\(quoted(request.outputPath)) already exists: choose a new --out path; an existing key file is never overwritten")
        }

        // Generating a large RSA key takes a while, so it happens before the write lock is taken.
        let privateKey = try PrivateKey.generate(spec)
        var jwk = try JWK(publicKey: privateKey.publicKey(), algorithm: request.algorithm.rawValue, use: "sig")
        let keyID = try jwk.thumbprint()
        jwk.keyID = keyID

        var wroteFile = false
        do {
            return try append(signingKey: signingKey) {
                try authorizeKeyStep(change: request.change, context: context, step: "generate a key")
                var body: [String: JSONValue] = [
                    "kid": .string(keyID),
                    "env": .string(request.environment),
                    "name": .string(request.name),
                    "alg": .string(request.algorithm.rawValue),
                    "jwk": jwk.jsonValue,
                    "change": .string(request.change),
                ]
                if case .rsa(let bits) = spec { body["bits"] = .number(Double(bits)) }
                if let custody = request.custody { body["custody"] = .string(custody) }
                let event = try Event(dedicatedKind: .generated, actor: context.actor, body: context.decorate(body))
                try KeyFile.writePrivateKey(privateKey, to: request.outputPath)
                wroteFile = true
                return [event]
            }[0]
        } catch {
            if wroteFile { try? FileManager.default.removeItem(atPath: request.outputPath) }
            throw error
        }
    }

    /// Records keys generated elsewhere (a KMS, another tool) from their public JWKs.
    ///
    /// Each key is identified by its RFC 7638 thumbprint; a provider's own
    /// `kid` is kept as `provider_kid`. All keys are recorded in one
    /// transaction, or none. Like a generated key, an imported key needs an
    /// approved change in progress unless the step is an emergency.
    /// - Throws: `LedgerError` for a JWK with private members, an unsupported
    ///   key type, a key already recorded in the environment, a key that is
    ///   one of the ledger's own signing or checkpoint keys, or a change that
    ///   is not in progress.
    @discardableResult
    public func importKeys(_ keys: [JWK], name: String, environment: String, change: String, source: String,
                           context: StepContext, signingKey: SigningKey) throws -> [Entry] {
        try validateIdentifier(name, what: "the key name", example: "idp_signing_key")
        try validateIdentifier(environment, what: "the environment", example: "production")
        try validateIdentifier(change, what: "the change id", example: "CHG-1001")
        guard !keys.isEmpty else {
            throw LedgerError(.invalidInput, "no keys to import: give a public key, a JWK or a JWKS with at least one key")
        }
        var events: [Event] = []
        var seen: Set<String> = []
        for jwk in keys {
            let keyID = try jwk.thumbprint()
            guard seen.insert(keyID).inserted else { continue }
            var body: [String: JSONValue] = [
                "kid": .string(keyID),
                "env": .string(environment),
                "name": .string(name),
                "jwk": jwk.jsonValue,
                "change": .string(change),
                "source": .string(source),
            ]
            if let algorithm = jwk.algorithm { body["alg"] = .string(algorithm) }
            if let providerKeyID = jwk.keyID, providerKeyID != keyID { body["provider_kid"] = .string(providerKeyID) }
            events.append(try Event(dedicatedKind: .imported, actor: context.actor, body: context.decorate(body)))
        }
        return try append(signingKey: signingKey) {
            try authorizeKeyStep(change: change, context: context, step: "import a key")
            for event in events {
                let keyID = event.body["kid"]!.stringValue!
                if try key(id: keyID, environment: environment) != nil {
                    throw LedgerError(.notAllowed, "key \(keyID) is already recorded in \(environment): it needs no import")
                }
                try rejectLedgerOwnKey(keyID)
            }
            return events
        }
    }

    /// Marks a generated key as published in the environment's JWKS.
    @discardableResult
    public func publishKey(id keyID: String, environment: String, change: String, context: StepContext,
                           signingKey: SigningKey) throws -> Entry {
        try appendKeyStep(.published, keyID: keyID, environment: environment, change: change,
                          context: context, signingKey: signingKey)
    }

    /// Marks a verified key as retired: the endpoint must stop serving it.
    @discardableResult
    public func retireKey(id keyID: String, environment: String, change: String, context: StepContext,
                          signingKey: SigningKey) throws -> Entry {
        try appendKeyStep(.retired, keyID: keyID, environment: environment, change: change,
                          context: context, signingKey: signingKey)
    }

    func appendKeyStep(_ kind: EntryKind, keyID: String, environment: String, change: String,
                       context: StepContext, signingKey: SigningKey) throws -> Entry {
        try validateIdentifier(environment, what: "the environment", example: "production")
        try validateIdentifier(change, what: "the change id", example: "CHG-1001")
        try Event.validate(actor: context.actor)
        let next = KeyState(entryKind: kind)!
        return try append(signingKey: signingKey) {
            guard let record = try key(id: keyID, environment: environment) else {
                throw LedgerError(.notFound,
                    "key \(quoted(keyID)) is not recorded in \(quoted(environment)): check the kid with `keyledger key list --env \(environment)`")
            }
            try record.check(transitionTo: next)
            try authorizeKeyStep(change: change, context: context, step: "\(kind == .published ? "publish" : "retire") a key")
            let body: [String: JSONValue] = ["kid": .string(keyID), "env": .string(environment), "change": .string(change)]
            return [try Event(dedicatedKind: kind, actor: context.actor, body: context.decorate(body))]
        }[0]
    }

    /// Throws when `keyID` is one of the ledger's signing keys (current or
    /// earlier) or checkpoint keys, which must never also sign API tokens.
    /// The caller must be inside the write transaction.
    func rejectLedgerOwnKey(_ keyID: String) throws {
        if try isLedgerSigningKey(keyID) {
            throw LedgerError(.invalidInput,
                "key \(keyID) is a signing key of this ledger: a key that signs ledger entries must not also sign API tokens, so import a different key")
        }
        if try checkpointKeysLocked().contains(where: { $0.keyID == keyID }) {
            throw LedgerError(.invalidInput,
                "key \(keyID) is a checkpoint key of this ledger: a key that signs checkpoints must not also sign API tokens, so import a different key")
        }
    }

    /// Returns whether `keyID` is or was a signing key of this ledger.
    /// The caller must be inside a transaction.
    func isLedgerSigningKey(_ keyID: String) throws -> Bool {
        // Every earlier signer signed the genesis entry or a handover, so those entries name them all.
        let signed = try connection.query(
            "SELECT seq FROM entries WHERE kind IN ('genesis', 'signing_key_rotated') AND signer_kid = ? LIMIT 1",
            [.text(keyID)])
        return try !signed.isEmpty || keyID == cachedCurrentSignerKeyID()
    }

    /// Throws when `keyID` was recorded as a managed JWT signing key by a
    /// `generated` or `imported` entry, so that it cannot become one of the
    /// ledger's own keys. `role` names that role in the message.
    /// The caller must be inside the write transaction.
    func rejectManagedKey(_ keyID: String, role: String) throws {
        let rows = try connection.query(
            "SELECT seq, kind FROM entries WHERE kind IN ('generated', 'imported') AND key_id = ? ORDER BY seq LIMIT 1",
            [.text(keyID)])
        if let row = rows.first {
            throw LedgerError(.invalidInput,
                "the new \(role) (kid \(keyID)) is a JWT signing key of this ledger, \(row.text(1) ?? "recorded") at entry \(row.int64(0)): whoever holds a key that signs API tokens must not also be able to sign for the ledger, so generate or give a key used for nothing else")
        }
    }

    /// Throws unless `change` is approved and in progress, or the step is an emergency.
    func authorizeKeyStep(change id: String, context: StepContext, step: String) throws {
        if context.emergency != nil { return }
        guard let change = try change(id: id) else {
            throw LedgerError(.notAllowed,
                "change \(quoted(id)) does not exist: open, approve and start it before you \(step), or give --emergency REASON")
        }
        guard change.allowsKeySteps else {
            let fix: String
            switch change.state {
            case .open: fix = "have the reviewer approve it, then start it with `keyledger change start`"
            case .approved: fix = "start it with `keyledger change start`"
            default: fix = "open a new change for this step"
            }
            throw LedgerError(.notAllowed,
                "cannot \(step) under change \(id), which is \(change.state.rawValue): keys may change only under an approved change that is in_progress, so \(fix), or give --emergency REASON")
        }
    }
}
