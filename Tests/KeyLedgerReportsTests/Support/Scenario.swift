import Foundation
import JOSE
import KeyLedger
import KeyLedgerReports
import OpenSSLBridge
import XCTest

/// A ledger history built with the library's own calls, each step at a time the test chooses.
///
/// The steps run against a scratch ledger, so the guarded API checks them
/// exactly as it checks a real user's steps and writes the bodies it always
/// writes. `step(at:)` notes the time each new entry should carry.
/// `raw(at:)` appends an event the guarded API would reject, as other software
/// holding the signing key could write it, or an earlier keyledger whose
/// `Ledger.append` took key and change events without checking them.
/// `forge(into:)` then writes the same events into a new ledger with the
/// chosen recorded times, chained and signed as keyledger itself chains and
/// signs, so the result verifies like any other ledger.
final class Scenario {
    /// One event of the history and the recorded time it gets.
    struct Item {
        var kind: EntryKind
        var actor: String
        var body: [String: JSONValue]
        var time: Timestamp
        /// The key that signs entries after this one, for a signing-key handover.
        var nextSigner: SigningKey?
    }

    let directory: TemporaryDirectory
    let signingKey: SigningKey
    let scratch: Ledger
    /// Every event so far; item `i` becomes the entry with sequence number `i + 1`.
    private(set) var items: [Item]
    /// The sequence numbers of the scratch ledger's entries whose items were already taken.
    private var scratchSequence: Int64 = 1

    /// Starts a history whose genesis entry is recorded at `genesis`.
    init(_ testCase: XCTestCase, genesis: String = "2026-09-15T08:00:00Z") throws {
        directory = try TemporaryDirectory(testCase)
        signingKey = try Scenario.sharedSigningKey()
        scratch = try Ledger.create(at: directory.path("scratch.db"), signingKey: signingKey, actor: "security-team",
                                    options: LedgerOptions(durability: .normal))
        items = [Item(kind: .genesis, actor: "security-team",
                      body: ["format": "keyledger/1", "signing_key": signingKey.publicJWK.jsonValue],
                      time: try Scenario.time(genesis))]
    }

    /// Gives the genesis entry a checkpoint key, as `Ledger.create` does when given one.
    func addCheckpointKey(_ key: PrivateKey, origin: String) throws {
        var jwk = try JWK(publicKey: key.publicKey())
        jwk.keyID = try jwk.thumbprint()
        items[0].body["checkpoint_key"] = jwk.jsonValue
        items[0].body["checkpoint_origin"] = .string(origin)
    }

    /// One ES256 ledger key for every test, since generating keys is the slow part of building a ledger.
    private static let keyLock = NSLock()
    nonisolated(unsafe) private static var cachedKey: SigningKey?
    static func sharedSigningKey() throws -> SigningKey {
        keyLock.lock()
        defer { keyLock.unlock() }
        if let cachedKey { return cachedKey }
        let key = try SigningKey.generate(.es256)
        cachedKey = key
        return key
    }

    static func time(_ text: String) throws -> Timestamp {
        try XCTUnwrap(Timestamp(rfc3339: text), "\(text) is not an RFC 3339 time")
    }

    /// The trust anchor of every ledger a scenario forges.
    var trustAnchor: String { signingKey.keyID }

    /// The sequence number the next event will get.
    var nextSequence: Int64 { Int64(items.count) + 1 }

    /// Runs library calls on the scratch ledger and gives the entries they append
    /// the recorded time `time`, one millisecond apart.
    ///
    /// - Returns: the sequence numbers of the new entries.
    @discardableResult
    func step(at time: String, _ body: (Ledger, SigningKey) throws -> Void) throws -> [Int64] {
        try body(scratch, signingKey)
        let start = try Scenario.time(time)
        var added: [Int64] = []
        try scratch.entries(EntryFilter(sequences: (scratchSequence + 1)...Int64.max)) { entry in
            let offset = Int64(added.count)
            added.append(nextSequence)
            items.append(Item(kind: entry.kind, actor: entry.actor, body: entry.body,
                              time: Timestamp(millisecondsSinceEpoch: start.millisecondsSinceEpoch + offset), nextSigner: nil))
            scratchSequence = entry.sequence
        }
        return added
    }

    /// Appends an event without checking the key lifecycle or the change process.
    ///
    /// A key, change, JWKS or report event is built with the package-only
    /// `Event(dedicatedKind:actor:body:)`, because the public initializer
    /// rejects those kinds. `Ledger.append` then checks only the event itself.
    @discardableResult
    func raw(at time: String, _ kind: EntryKind, actor: String, _ body: [String: JSONValue]) throws -> Int64 {
        try step(at: time) { ledger, key in
            let event: Event
            if kind == .note || kind.isCustom {
                event = try Event(kind: kind, actor: actor, body: body)
            } else {
                event = try Event(dedicatedKind: kind, actor: actor, body: body)
            }
            try ledger.append(event, signingKey: key)
        }[0]
    }

    /// Gives entry `sequence` the claimed time `claimed` (`occurred_at`), as a
    /// `StepContext.claimedTime` would.
    ///
    /// The member is added after the step ran on the scratch ledger, which
    /// records everything now, so that a test can give claimed times that the
    /// library would reject there but that fit its forged recorded times.
    func claim(_ claimed: String?, at sequence: Int64) throws {
        guard let claimed else { return }
        items[Int(sequence) - 1].body["occurred_at"] = .string(try Scenario.time(claimed).description)
    }

    /// Sets body member `name` of entry `sequence` to `value`, for a body the library would never write.
    func setBody(_ name: String, to value: JSONValue, at sequence: Int64) throws {
        items[Int(sequence) - 1].body[name] = value
    }

    /// Forges the history and returns the findings of the default report on it.
    func findings() throws -> [Finding] {
        try ReportTesting.write(try forge(), try ReportTesting.options(self), format: .json, scenario: self).report.findings
    }

    /// Hands the ledger's signing over to `newKey`, naming `previousKeyID` as the outgoing key.
    ///
    /// The scratch ledger does not see the handover; only the forged ledger has it.
    @discardableResult
    func handOver(at time: String, to newKey: SigningKey, previousKeyID: String?, actor: String = "security-team") throws -> Int64 {
        var body: [String: JSONValue] = ["signing_key": newKey.publicJWK.jsonValue]
        if let previousKeyID { body["previous_kid"] = .string(previousKeyID) }
        items.append(Item(kind: .signingKeyRotated, actor: actor, body: body, time: try Scenario.time(time), nextSigner: newKey))
        return Int64(items.count)
    }

    private var forgedCount = 0

    /// Writes the history into a new ledger file in the scenario's directory, named `name` or numbered.
    func forge(_ name: String? = nil) throws -> ForgedLedger {
        forgedCount += 1
        return try ForgedLedger(path: directory.path(name ?? "ledger-\(forgedCount).db"), items: items, genesisKey: signingKey)
    }

    // MARK: - The usual steps, with the bodies the library writes

    static let window = (start: "2026-10-05T09:00:00Z", end: "2026-10-05T13:00:00Z")

    func open(_ id: String, at time: String, technician: String = "tina", reviewer: String = "rui",
              criticality: Criticality = .c3, window: (start: String, end: String)? = Scenario.window,
              summary: String = "Rotate the API signing key", rollbackPlan: String? = "redeploy the previous key") throws {
        let start = try window.map { try Scenario.time($0.start) }
        let end = try window.map { try Scenario.time($0.end) }
        try step(at: time) { ledger, key in
            try ledger.openChange(ChangeRequest(id: id, summary: summary, technician: technician, reviewer: reviewer,
                                                criticality: criticality, windowStart: start, windowEnd: end,
                                                rollbackPlan: rollbackPlan),
                                  context: StepContext(actor: technician), signingKey: key)
        }
    }

    @discardableResult
    func attest(_ id: String, at time: String, item: ChecklistItem = .testedInStaging, passed: Bool = true,
                evidence: String? = "staging run 42", actor: String = "tina") throws -> Int64 {
        try step(at: time) { ledger, key in
            try ledger.attestChange(id: id, item: item, passed: passed, evidence: evidence,
                                    context: StepContext(actor: actor), signingKey: key)
        }[0]
    }

    @discardableResult
    func approve(_ id: String, at time: String, actor: String = "rui", manager: String? = nil, claimed: String? = nil) throws -> Int64 {
        let sequence = try step(at: time) { ledger, key in
            try ledger.approveChange(id: id, managerApproval: manager, context: StepContext(actor: actor), signingKey: key)
        }[0]
        try claim(claimed, at: sequence)
        return sequence
    }

    @discardableResult
    func start(_ id: String, at time: String, actor: String = "tina", claimed: String? = nil, emergency: String? = nil) throws -> Int64 {
        let sequence = try step(at: time) { ledger, key in
            try ledger.startChange(id: id, context: StepContext(actor: actor, emergency: emergency), signingKey: key)
        }[0]
        try claim(claimed, at: sequence)
        return sequence
    }

    @discardableResult
    func complete(_ id: String, at time: String, actor: String = "tina", claimed: String? = nil) throws -> Int64 {
        let sequence = try step(at: time) { ledger, key in
            try ledger.completeChange(id: id, context: StepContext(actor: actor), signingKey: key)
        }[0]
        try claim(claimed, at: sequence)
        return sequence
    }

    /// Generates an ES256 key and returns its kid and the entry's sequence number.
    func generate(_ change: String, at time: String, name: String = "api_jwt_signing_key", environment: String = "production",
                  actor: String = "tina", custody: String? = "credentials.yml.enc (production)", claimed: String? = nil,
                  emergency: String? = nil) throws -> (keyID: String, sequence: Int64) {
        let path = directory.path("key-\(UUID().uuidString).pem")
        var keyID = ""
        let added = try step(at: time) { ledger, key in
            let entry = try ledger.generateKey(
                KeyGenerationRequest(name: name, environment: environment, algorithm: .es256, outputPath: path,
                                     change: change, custody: custody),
                context: StepContext(actor: actor, emergency: emergency), signingKey: key)
            keyID = entry.keyID ?? ""
        }
        try claim(claimed, at: added[0])
        return (keyID, added[0])
    }

    @discardableResult
    func publish(_ keyID: String, _ change: String, at time: String, environment: String = "production", actor: String = "tina",
                 emergency: String? = nil, claimed: String? = nil) throws -> Int64 {
        let sequence = try step(at: time) { ledger, key in
            try ledger.publishKey(id: keyID, environment: environment, change: change,
                                  context: StepContext(actor: actor, emergency: emergency), signingKey: key)
        }[0]
        try claim(claimed, at: sequence)
        return sequence
    }

    @discardableResult
    func retire(_ keyID: String, _ change: String, at time: String, environment: String = "production", actor: String = "tina") throws -> Int64 {
        try step(at: time) { ledger, key in
            try ledger.retireKey(id: keyID, environment: environment, change: change, context: StepContext(actor: actor), signingKey: key)
        }[0]
    }

    /// Checks the JWKS of `environment`: the expected set when `serving` is nil, else exactly the keys in `serving`.
    ///
    /// - Returns: the sequence numbers appended: a `verified` entry per expected key served, then the summary.
    @discardableResult
    func checkJWKS(at time: String, environment: String = "production", serving keyIDs: [String]? = nil,
                   url: String = "https://api.example.com/.well-known/jwks.json", change: String? = nil,
                   actor: String = "deploy-bot", claimed: String? = nil) throws -> [Int64] {
        let added = try step(at: time) { ledger, key in
            let expected = try ledger.expectedJWKS(environment: environment)
            let served: JWKS
            if let keyIDs {
                let all = try ledger.keys(environment: environment)
                served = JWKS(keys: all.filter { keyIDs.contains($0.keyID) }.compactMap(\.publicJWK))
            } else {
                served = expected
            }
            let observation = JWKSObservation(source: .url(url), body: Array(try served.jsonValue.serialized(pretty: false).utf8))
            _ = try ledger.checkJWKS(environment: environment, observation: observation, change: change,
                                     context: StepContext(actor: actor), signingKey: key)
        }
        for sequence in added { try claim(claimed, at: sequence) }
        return added
    }

    /// Records a complete, clean key rotation under change `id` on `day`, inside the change's window:
    /// open, attest, approve, start, generate, publish, check the JWKS, complete.
    ///
    /// - Returns: the new key's id.
    @discardableResult
    func cleanRotation(_ id: String = "CHG-1", day: String = "2026-10-05", complete: Bool = true) throws -> String {
        try open(id, at: "\(day)T08:00:00Z", window: ("\(day)T09:00:00Z", "\(day)T13:00:00Z"))
        try attest(id, at: "\(day)T08:10:00Z")
        try approve(id, at: "\(day)T08:30:00Z")
        try start(id, at: "\(day)T09:05:00Z")
        let key = try generate(id, at: "\(day)T09:10:00Z")
        try publish(key.keyID, id, at: "\(day)T09:20:00Z")
        try checkJWKS(at: "\(day)T09:30:00Z", change: id)
        if complete { try self.complete(id, at: "\(day)T10:00:00Z") }
        return key.keyID
    }
}
