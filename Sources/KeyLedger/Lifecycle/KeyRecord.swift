import JOSE

/// The lifecycle state of a key within one environment.
///
/// `generated` → `published` → `verified` → `retired`, with `rolled_back`
/// reachable from `generated`, `published` and `verified` through a change
/// rollback. A key recorded with `key import` starts in `generated` too.
///
/// Rolling back the change that retired a key also moves the key from
/// `retired` back to the state it had before the retirement, `published` or
/// `verified`, with a `restored` entry. No other step leaves `retired`, so
/// `allowedTransitions` leaves that move out, and
/// `KeyRecord.stateRestored(byRollbackOf:)` decides it.
public enum KeyState: String, Sendable, CaseIterable {
    case generated
    case published
    case verified
    case retired
    case rolledBack = "rolled_back"

    /// The states a key in this state may move to, and the entry kind of each move.
    public var allowedTransitions: [KeyState] {
        switch self {
        case .generated: return [.published, .rolledBack]
        case .published: return [.verified, .rolledBack]
        case .verified: return [.verified, .retired, .rolledBack]
        case .retired, .rolledBack: return []
        }
    }

    /// The state a key-step entry moves a key into: for a `restored` entry
    /// the served state its body names, else the state its kind implies.
    /// Returns nil for an entry that is not a key step, or a `restored`
    /// entry that names no served state.
    public init?(after entry: Entry) {
        if entry.kind == .restored {
            guard let state = entry.body["state"]?.stringValue.flatMap(KeyState.init(rawValue:)), state.isServed else { return nil }
            self = state
        } else {
            self.init(entryKind: entry.kind)
        }
    }

    /// The state a key-step entry of this kind moves a key into; nil for `restored`, whose body names the state.
    init?(entryKind: EntryKind) {
        switch entryKind {
        case .generated, .imported: self = .generated
        case .published: self = .published
        case .verified: self = .verified
        case .retired: self = .retired
        case .rolledBack: self = .rolledBack
        default: return nil
        }
    }

    /// Whether the endpoint should serve a key in this state.
    public var isServed: Bool { self == .published || self == .verified }
}

/// One key in one environment, rebuilt from its entries in sequence order.
public struct KeyRecord: Sendable {
    /// One step in the key's life, for reports.
    public struct Step: Sendable {
        public let kind: EntryKind
        public let actor: String
        /// The claimed time when one was given (`--at`), else the recorded time.
        public let time: Timestamp
        public let sequence: Int64
        public let hash: [UInt8]
        public let change: String?
        public let emergency: String?
        public let body: [String: JSONValue]
    }

    /// The RFC 7638 thumbprint of the public key.
    public let keyID: String
    public let environment: String
    public private(set) var name = ""
    public private(set) var algorithm: String?
    public private(set) var publicJWK: JWK?
    /// The key id a provider gave an imported key, when it differs from the thumbprint.
    public private(set) var providerKeyID: String?
    /// The place the private key is kept, for example `credentials.yml.enc (production)`.
    public private(set) var custody: String?
    public private(set) var state: KeyState = .generated
    public private(set) var origin: Step?
    public private(set) var published: Step?
    public private(set) var verifications: [Step] = []
    /// The `retired` or `rolled_back` entry, while the key is in that state.
    public private(set) var ended: Step?
    /// The state the key had before its latest `retired` entry, which a rollback of the retiring change restores.
    public private(set) var stateBeforeRetirement: KeyState?
    /// The latest `restored` entry.
    public private(set) var restored: Step?
    public private(set) var steps: [Step] = []

    public init(keyID: String, environment: String) {
        self.keyID = keyID
        self.environment = environment
    }

    /// Folds one of the key's entries into the record without judging it;
    /// `KeyRecord.check` judges a step before it is appended.
    public mutating func apply(_ entry: Entry) {
        guard let next = KeyState(after: entry) else { return }
        let step = Step(kind: entry.kind, actor: entry.actor, time: entry.effectiveTime, sequence: entry.sequence,
                        hash: entry.hash, change: entry.changeID, emergency: entry.body["emergency"]?.stringValue,
                        body: entry.body)
        steps.append(step)
        switch entry.kind {
        case .generated, .imported:
            origin = step
            name = entry.body["name"]?.stringValue ?? ""
            algorithm = entry.body["alg"]?.stringValue
            custody = entry.body["custody"]?.stringValue
            providerKeyID = entry.body["provider_kid"]?.stringValue
            publicJWK = entry.body["jwk"].flatMap { try? JWK(json: $0) }
        case .published:
            published = step
        case .verified:
            verifications.append(step)
        case .retired:
            stateBeforeRetirement = state
            ended = step
        case .rolledBack:
            ended = step
        case .restored:
            restored = step
            ended = nil
        default:
            break
        }
        state = next
    }

    /// Throws unless the lifecycle allows moving this key to `next`.
    public func check(transitionTo next: KeyState) throws {
        guard state.allowedTransitions.contains(next) else {
            let allowed = state.allowedTransitions.map(\.rawValue)
            let options = allowed.isEmpty ? "no further state" : allowed.joined(separator: " or ")
            throw LedgerError(.notAllowed,
                "key \(keyID) in \(environment) is \(state.rawValue) and cannot become \(next.rawValue): from \(state.rawValue) it may move to \(options)")
        }
    }

    /// Returns the state a rollback of `change` restores this key to, or nil
    /// when the rollback leaves the key as it is.
    ///
    /// A rollback restores a key that `change` retired, unless `change` also
    /// generated, imported or published it: such a key was not served before
    /// the change, so it stays retired. The key returns to the state it had
    /// just before the retirement, which is `published` or `verified`.
    public func stateRestored(byRollbackOf change: String) -> KeyState? {
        guard state == .retired, let ended, ended.kind == .retired, ended.change == change,
              origin?.change != change, published?.change != change,
              let previous = stateBeforeRetirement, previous.isServed else { return nil }
        return previous
    }
}
