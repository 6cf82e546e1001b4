/// An error from the ledger: a stable code, a message that names the bad
/// value and the fix, and the exit status a command-line tool should use.
///
/// Errors compare equal by code, so new codes and reworded messages do not
/// break callers that match on them. Messages never contain private key bytes
/// or passphrases.
public struct LedgerError: Error, CustomStringConvertible, Equatable, Sendable, CodedMessageError {
    /// A stable identifier for a kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Input that cannot be used as given: a bad option value, JSON or file.
        public static let invalidInput = Code("invalid_input")
        /// An event kind that is neither built in nor an `x-` custom kind, or a
        /// built-in kind given to the generic append path instead of its own call.
        public static let invalidKind = Code("invalid_kind")
        public static let invalidActor = Code("invalid_actor")
        public static let invalidBody = Code("invalid_body")
        public static let bodyTooLarge = Code("body_too_large")
        /// A private key file that group or others may read.
        public static let insecureKeyFile = Code("insecure_key_file")
        public static let unreadableKey = Code("unreadable_key")
        public static let passphraseRequired = Code("passphrase_required")
        public static let wrongPassphrase = Code("wrong_passphrase")
        /// A signing key that is not the ledger's current signer.
        public static let signerMismatch = Code("signer_mismatch")
        public static let ledgerNotFound = Code("ledger_not_found")
        public static let ledgerExists = Code("ledger_exists")
        public static let notALedger = Code("not_a_ledger")
        public static let newerSchema = Code("newer_schema")
        /// A schema version that does not match the tables in the file, such
        /// as a `PRAGMA user_version` lowered by hand.
        public static let schemaMismatch = Code("schema_mismatch")
        /// A `ledger.format_version` that this build cannot read.
        public static let unsupportedFormat = Code("unsupported_format")
        /// A step that the key lifecycle or the change process does not allow now.
        public static let notAllowed = Code("not_allowed")
        public static let notFound = Code("not_found")
        /// A failure of the database or the file system underneath.
        public static let storage = Code("storage")
        /// The ledger failed verification.
        public static let integrity = Code("integrity")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The exit status for a command-line tool: 1 when a check failed, 2 for
    /// usage, input and environment errors.
    public var exitStatus: Int32 { code == .integrity ? 1 : 2 }
}
