import Foundation
import JOSE
import OpenSSLBridge
import SQLiteBridge

/// A keyledger ledger: an append-only, hash-chained, signed record of events in one SQLite file.
///
/// A `Ledger` wraps one database connection and is meant for one thread at a
/// time. Several processes may append to the same file at once: each append
/// takes SQLite's write lock for its whole read-sign-insert step, so the
/// chain never forks.
public final class Ledger {
    public let path: String
    /// The random identifier chosen at creation; every entry names it.
    public let ledgerID: String
    let database: LedgerDatabase
    var connection: Connection { database.connection }
    /// The state of the Merkle tree step kept between this object's appends:
    /// the right edge, so that the next append reads no sibling node, a
    /// digest context and two compiled statements.
    private(set) lazy var treeAppendState = MerkleTree.AppendState(connection: connection)

    /// Opens an existing ledger.
    ///
    /// - Parameter readOnly: open without write access, for verification and reports.
    /// - Throws: `LedgerError` when the file is missing, is not a SQLite
    ///   database or not a ledger, has a schema newer than this build supports
    ///   or a schema version that does not match its tables, or has a format
    ///   version other than the one this build reads (`unsupportedFormat`).
    public init(path: String, options: LedgerOptions = LedgerOptions(), readOnly: Bool = false) throws {
        let database = try LedgerDatabase.open(path: path, options: options, readOnly: readOnly)
        let row = try storage(path) {
            try database.connection.query("SELECT ledger_id, format_version FROM ledger WHERE id = 1").first
        }
        guard let row, let identity = row.text(0) else {
            throw LedgerError(.notALedger, "the ledger \(quoted(path)) has no identity row: it was never initialized; create a new one with `keyledger init`")
        }
        let formatVersion = row.int64(1)
        if formatVersion > EntryContent.formatVersion {
            throw LedgerError(.unsupportedFormat,
                "the ledger \(quoted(path)) has format version \(formatVersion), but this keyledger reads only format version \(EntryContent.formatVersion): upgrade keyledger to open it")
        }
        if formatVersion != EntryContent.formatVersion {
            throw LedgerError(.unsupportedFormat,
                "the ledger \(quoted(path)) has format version \(formatVersion), which no keyledger writes (this one writes \(EntryContent.formatVersion)): the ledger table was changed outside keyledger, so check where the file came from")
        }
        self.path = path
        self.database = database
        self.ledgerID = identity
    }

    private init(path: String, database: LedgerDatabase, ledgerID: String) {
        self.path = path
        self.database = database
        self.ledgerID = ledgerID
    }

    /// Creates a ledger whose first entry (genesis) names `signingKey` as its first signer.
    ///
    /// The genesis entry's signer key id is the ledger's trust anchor: keep it
    /// outside the ledger, because verification starts from it.
    /// - Parameters:
    ///   - checkpointKey: An Ed25519 key, other than the signing key, to sign
    ///     the ledger's checkpoints. The genesis entry records its public JWK.
    ///     Without it the ledger has no checkpoint key until
    ///     ``rotateCheckpointKey(to:previous:actor:signingKey:reason:origin:)`` adds one.
    ///   - checkpointOrigin: The first line of the checkpoints and the note key
    ///     name. Default: `keyledger/<ledger_id>`.
    /// - Throws: `LedgerError.Code.ledgerExists` when `path` exists;
    ///   `invalidInput` for a checkpoint key that is not Ed25519 or equals the
    ///   signing key, or an origin that is not a valid note key name.
    public static func create(at path: String, signingKey: SigningKey, actor: String,
                              options: LedgerOptions = LedgerOptions(), checkpointKey: PrivateKey? = nil,
                              checkpointOrigin: String? = nil) throws -> Ledger {
        let ledgerID = UUID().uuidString.lowercased()
        var genesisBody: [String: JSONValue] = [
            "signing_key": signingKey.publicJWK.jsonValue,
            "format": .string("keyledger/1"),
        ]
        if let checkpointKey {
            let origin = checkpointOrigin ?? LedgerCheckpointKey.defaultOrigin(ledgerID: ledgerID)
            genesisBody.merge(try genesisCheckpointMembers(checkpointKey: checkpointKey, origin: origin, signingKey: signingKey)) { $1 }
        } else if checkpointOrigin != nil {
            throw LedgerError(.invalidInput, "a checkpoint origin was given without a checkpoint key: give the key too, or leave the origin out")
        }
        let genesisEvent = try Event(reservedKind: .genesis, actor: actor, body: genesisBody)
        do {
            let database = try LedgerDatabase.create(path: path, options: options)
            try storage(path) {
                try database.connection.transaction(.immediate) {
                    try database.connection.run(
                        "INSERT INTO ledger (id, ledger_id, format_version, created_at) VALUES (1, ?, ?, ?)",
                        [.text(ledgerID), .integer(EntryContent.formatVersion), .text(Timestamp.now().description)])
                    let ledger = Ledger(path: path, database: database, ledgerID: ledgerID)
                    _ = try ledger.appendLocked([genesisEvent], signingKey: signingKey, expectedSigner: signingKey.keyID, progress: nil)
                }
            }
            return Ledger(path: path, database: database, ledgerID: ledgerID)
        } catch let error as LedgerError where error.code == .ledgerExists {
            throw error
        } catch {
            // A half-created file would look like a broken ledger; remove it and its WAL files.
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            throw error
        }
    }

    /// Returns the key id of the genesis signer, which is the ledger's own claim of its trust anchor.
    ///
    /// Verification against this value alone proves only internal consistency:
    /// compare it with the anchor recorded when the ledger was created.
    public func genesisSignerKeyID() throws -> String {
        guard let genesis = try entry(sequence: 1) else {
            throw LedgerError(.notALedger, "the ledger \(quoted(path)) has no genesis entry")
        }
        return genesis.signerKeyID
    }
}
