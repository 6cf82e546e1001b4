import Foundation

/// The kind of event an entry records.
///
/// The set is open: a ledger written by a newer version may contain kinds
/// this version does not know, and verification carries them through. New
/// entries, however, may only use a built-in kind or a custom kind named with
/// the `x-` prefix.
public struct EntryKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    // The ledger's own kinds, appended only by the ledger itself.

    /// The first entry: the ledger's identity and its first signing key.
    public static let genesis = EntryKind(rawValue: "genesis")
    /// A handover of the ledger's signing key, signed by the outgoing key.
    public static let signingKeyRotated = EntryKind(rawValue: "signing_key_rotated")
    /// The introduction or replacement of the key that signs the ledger's
    /// checkpoints, signed by the ledger signing key and, when it replaces
    /// one, also by the outgoing checkpoint key.
    public static let checkpointKeyRotated = EntryKind(rawValue: "checkpoint_key_rotated")

    // The key lifecycle.

    public static let generated = EntryKind(rawValue: "generated")
    /// A key generated elsewhere (a KMS, another tool) and recorded from its public part.
    public static let imported = EntryKind(rawValue: "imported")
    public static let published = EntryKind(rawValue: "published")
    public static let verified = EntryKind(rawValue: "verified")
    public static let retired = EntryKind(rawValue: "retired")
    public static let rolledBack = EntryKind(rawValue: "rolled_back")
    /// A retired key returned to its state before retirement (`state` in the body)
    /// because the change that retired it was rolled back.
    public static let restored = EntryKind(rawValue: "restored")
    /// A JWKS check whose served keys matched the expected set.
    public static let jwksChecked = EntryKind(rawValue: "jwks_checked")
    /// A JWKS check whose served keys did not match the expected set, or whose endpoint could not be read.
    public static let verificationFailed = EntryKind(rawValue: "verification_failed")

    // Change control.

    public static let changeOpened = EntryKind(rawValue: "change_opened")
    public static let changeApproved = EntryKind(rawValue: "change_approved")
    public static let changeAttested = EntryKind(rawValue: "change_attested")
    public static let changeStarted = EntryKind(rawValue: "change_started")
    public static let changeCompleted = EntryKind(rawValue: "change_completed")
    public static let changeAborted = EntryKind(rawValue: "change_aborted")
    public static let changeRolledBack = EntryKind(rawValue: "change_rolled_back")

    // Evidence and annotations.

    /// A report generated from the ledger, with the digest of its files.
    public static let reportGenerated = EntryKind(rawValue: "report_generated")
    /// A free-form annotation.
    public static let note = EntryKind(rawValue: "note")

    /// Every kind this version defines.
    public static let builtIn: [EntryKind] = [
        .genesis, .signingKeyRotated, .checkpointKeyRotated,
        .generated, .imported, .published, .verified, .retired, .rolledBack, .restored,
        .jwksChecked, .verificationFailed,
        .changeOpened, .changeApproved, .changeAttested, .changeStarted, .changeCompleted,
        .changeAborted, .changeRolledBack,
        .reportGenerated, .note,
    ]

    /// Kinds that only the ledger itself appends, as part of creating it or rotating its keys.
    public static let reserved: Set<EntryKind> = [.genesis, .signingKeyRotated, .checkpointKeyRotated]

    public var isBuiltIn: Bool { Self.builtIn.contains(self) }

    /// Whether this is a custom kind: `x-` followed by lowercase letters, digits, `.`, `_` or `-`, 64 characters at most.
    public var isCustom: Bool {
        let utf8 = Array(rawValue.utf8)
        guard utf8.count > 2, utf8.count <= 64, rawValue.hasPrefix("x-") else { return false }
        return utf8.dropFirst(2).allSatisfy { byte in
            (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
    }

    /// Parses a kind for a new entry, rejecting anything that is neither built in nor custom.
    public init(validating text: String) throws {
        let kind = EntryKind(rawValue: text)
        guard kind.isBuiltIn || kind.isCustom else { throw Self.unknownKindError(text) }
        self = kind
    }

    /// Parses a kind for the generic append path (`keyledger append`, NDJSON
    /// batches), which accepts only `note` and custom `x-` kinds. Key, change
    /// and evidence kinds have their own commands, which check the lifecycle
    /// and the change process before appending. Going around them would let
    /// a step skip those checks.
    public init(validatingForGenericAppend text: String) throws {
        let kind = EntryKind(rawValue: text)
        guard kind.isBuiltIn || kind.isCustom else {
            throw LedgerError(.invalidKind,
                "unknown event kind \(quoted(text)): `keyledger append` takes \"note\" or a custom kind such as \"x-deploy\" (x- then lowercase letters, digits, '.', '_' or '-'); key and change steps have their own commands")
        }
        if let command = Self.dedicatedCommands[kind] {
            throw LedgerError(.invalidKind,
                "event kind \(quoted(text)) is appended only by `\(command)`, which checks the step before appending it: use that command, or a note or x- kind for other events")
        }
        self = kind
    }

    /// The command that appends each kind the generic append path rejects.
    static let dedicatedCommands: [EntryKind: String] = [
        .genesis: "keyledger init", .signingKeyRotated: "keyledger signing-key rotate",
        .generated: "keyledger key generate", .imported: "keyledger key import",
        .published: "keyledger key publish", .retired: "keyledger key retire",
        .rolledBack: "keyledger change rollback", .restored: "keyledger change rollback", .verified: "keyledger jwks check",
        .jwksChecked: "keyledger jwks check", .verificationFailed: "keyledger jwks check",
        .changeOpened: "keyledger change open", .changeApproved: "keyledger change approve",
        .changeAttested: "keyledger change attest", .changeStarted: "keyledger change start",
        .changeCompleted: "keyledger change complete", .changeAborted: "keyledger change abort",
        .changeRolledBack: "keyledger change rollback", .reportGenerated: "keyledger report",
        EntryKind(rawValue: "checkpoint_key_rotated"): "keyledger checkpoint key rotate",
    ]

    /// The library call that appends each kind `Event(kind:actor:body:)` rejects.
    ///
    /// It contains every built-in kind except `note`, the same kinds as
    /// `dedicatedCommands`.
    static let dedicatedLibraryCalls: [EntryKind: String] = [
        .genesis: "Ledger.create(at:signingKey:actor:options:checkpointKey:checkpointOrigin:)",
        .signingKeyRotated: "Ledger.rotateSigningKey(to:actor:signingKey:reason:)",
        .checkpointKeyRotated: "Ledger.rotateCheckpointKey(to:previous:actor:signingKey:reason:origin:)",
        .generated: "Ledger.generateKey(_:context:signingKey:)",
        .imported: "Ledger.importKeys(_:name:environment:change:source:context:signingKey:)",
        .published: "Ledger.publishKey(id:environment:change:context:signingKey:)",
        .retired: "Ledger.retireKey(id:environment:change:context:signingKey:)",
        .rolledBack: "Ledger.rollbackChange(id:reason:context:signingKey:)",
        .restored: "Ledger.rollbackChange(id:reason:context:signingKey:)",
        .verified: "Ledger.checkJWKS(environment:observation:change:context:signingKey:)",
        .jwksChecked: "Ledger.checkJWKS(environment:observation:change:context:signingKey:)",
        .verificationFailed: "Ledger.checkJWKS(environment:observation:change:context:signingKey:)",
        .changeOpened: "Ledger.openChange(_:context:signingKey:)",
        .changeApproved: "Ledger.approveChange(id:managerApproval:context:signingKey:)",
        .changeAttested: "Ledger.attestChange(id:item:passed:evidence:context:signingKey:)",
        .changeStarted: "Ledger.startChange(id:context:signingKey:)",
        .changeCompleted: "Ledger.completeChange(id:context:signingKey:)",
        .changeAborted: "Ledger.abortChange(id:reason:context:signingKey:)",
        .changeRolledBack: "Ledger.rollbackChange(id:reason:context:signingKey:)",
        .reportGenerated: "ReportOutcome.recordEvent(actor:)",
    ]

    static func unknownKindError(_ text: String) -> LedgerError {
        let known = builtIn.filter { !reserved.contains($0) }.map(\.rawValue).joined(separator: ", ")
        return LedgerError(.invalidKind,
            "unknown event kind \(quoted(text)): use one of \(known), or a custom kind such as \"x-deploy\" (x- then lowercase letters, digits, '.', '_' or '-')")
    }
}

/// Quotes a user-supplied value for an error message, escaping control
/// characters and shortening it so a hostile value cannot flood the terminal.
///
/// The default limit of 1,024 Unicode scalars keeps ordinary file paths
/// whole, because a shortened path does not tell the reader which file failed.
func quoted(_ value: String, limit: Int = 1024) -> String {
    var escaped = ""
    for scalar in value.unicodeScalars.prefix(limit) {
        switch scalar {
        case "\"": escaped += "\\\""
        case "\\": escaped += "\\\\"
        case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value):
            escaped += String(format: "\\u{%X}", scalar.value)
        default: escaped.unicodeScalars.append(scalar)
        }
    }
    if value.unicodeScalars.count > limit { escaped += "…" }
    return "\"\(escaped)\""
}
