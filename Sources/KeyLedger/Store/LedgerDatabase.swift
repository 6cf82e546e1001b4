import Foundation
import SQLiteBridge

/// The SQLite durability level for committed appends.
public enum Durability: String, Sendable, CaseIterable {
    /// `synchronous=FULL`: an append that has returned is on disk and survives a power loss. The default.
    case full
    /// `synchronous=NORMAL`: faster; after a power loss (not a process crash)
    /// the last appends may be gone, but the ledger stays valid.
    case normal
}

/// Options for opening a ledger.
public struct LedgerOptions: Sendable {
    public var durability: Durability
    /// How long an append waits for another process's write lock, in milliseconds.
    public var busyTimeoutMilliseconds: Int32

    public init(durability: Durability = .full, busyTimeoutMilliseconds: Int32 = 60_000) {
        self.durability = durability
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
    }
}

/// The SQLite file underneath a ledger: opening, pragmas and schema migrations.
struct LedgerDatabase {
    /// The schema version this build writes: the number of the last file in `schema/`.
    static var currentSchemaVersion: Int64 { Int64(embeddedSchemaMigrations.count) }

    let connection: Connection

    /// The schema version that created the Merkle tree's current table
    /// (schema/003_merkle_positions.sql), which is filled in after it runs.
    static let merkleSchemaVersion: Int64 = 3

    /// Opens an existing ledger file.
    ///
    /// With `readOnly`, the connection refuses every write (`PRAGMA query_only`).
    /// It is still opened for writing when this process may write the file and
    /// its directory. In WAL mode every connection, a reader too, creates the
    /// `-wal` and `-shm` files beside the ledger. Only a connection that can
    /// write checkpoints and deletes them when it is the last to close, so a
    /// SQLite read-only connection would leave them behind. When the file or
    /// the directory is not writable the connection is read-only, and the files
    /// stay if SQLite could create them. `immutable=1`, which creates none, is
    /// not used: it turns off locking and would read torn pages while another
    /// process appends.
    static func open(path: String, options: LedgerOptions, readOnly: Bool = false) throws -> LedgerDatabase {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LedgerError(.ledgerNotFound, "no ledger at \(quoted(path)): check the path, or create one with `keyledger init`")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw LedgerError(.invalidInput, "the ledger path \(quoted(path)) is a directory: give the ledger file, such as \(quoted((path as NSString).appendingPathComponent("ledger.db")))")
        }
        let mode: Connection.OpenMode = !readOnly || isWritable(path) ? .readWrite : .readOnly
        let connection = try storage(path) { try Connection(path: path, mode: mode) }
        let database = LedgerDatabase(connection: connection)
        if readOnly {
            try storage(path) { try connection.execute("PRAGMA query_only=ON") }
        }
        try database.configure(options: options, path: path)
        let version = try database.schemaVersion(path: path)
        if version > currentSchemaVersion {
            throw LedgerError(.newerSchema,
                "the ledger \(quoted(path)) has schema version \(version), but this keyledger supports up to \(currentSchemaVersion): upgrade keyledger to open it")
        }
        // No keyledger writes a negative version, and migrating from one would run migration 1 again.
        if version <= 0 {
            // A ledger whose version was set to 0 or below by hand still has every table of
            // the first schema file, so the error names the version to restore. Any other database is not a ledger.
            if try database.hasFirstSchemaTables(path: path) {
                try database.checkNoLaterTables(version: version, path: path)
            }
            throw LedgerError(.notALedger, "\(quoted(path)) is a SQLite database but not a keyledger ledger: check the path")
        }
        if version < currentSchemaVersion {
            try database.checkNoLaterTables(version: version, path: path)
        }
        if !readOnly {
            // Only after the checks above, so that a file that is rejected is left unchanged.
            try database.switchToWAL(path: path)
        }
        if version < currentSchemaVersion && !readOnly {
            try database.migrate(from: version)
        }
        return database
    }

    /// Returns whether this process may write `path` and create and delete files in its directory.
    private static func isWritable(_ path: String) -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        return access(path, W_OK) == 0 && access(directory.isEmpty ? "." : directory, W_OK | X_OK) == 0
    }

    /// Creates a new ledger file; the path must not exist yet.
    static func create(path: String, options: LedgerOptions) throws -> LedgerDatabase {
        if FileManager.default.fileExists(atPath: path) {
            throw LedgerError(.ledgerExists, "\(quoted(path)) already exists: choose a new path; init never overwrites a file")
        }
        let parent = (path as NSString).deletingLastPathComponent
        var parentIsDirectory: ObjCBool = false
        if !parent.isEmpty {
            if !FileManager.default.fileExists(atPath: parent, isDirectory: &parentIsDirectory) {
                throw LedgerError(.invalidInput, "cannot create the ledger \(quoted(path)): the directory \(quoted(parent)) does not exist: create it first (`mkdir -p \(parent)`) or choose another path")
            }
            if !parentIsDirectory.boolValue {
                throw LedgerError(.invalidInput, "cannot create the ledger \(quoted(path)): \(quoted(parent)) is a file, not a directory: choose another path")
            }
        }
        let connection = try storage(path) { try Connection(path: path, mode: .readWriteCreate) }
        let database = LedgerDatabase(connection: connection)
        try database.configure(options: options, path: path)
        try database.switchToWAL(path: path)
        try database.migrate(from: 0)
        return database
    }

    private func configure(options: LedgerOptions, path: String) throws {
        try storage(path) {
            try connection.setBusyTimeout(milliseconds: options.busyTimeoutMilliseconds)
            // The first read of the file happens here, so a file that is not a
            // database is reported now rather than at some later statement.
            do {
                _ = try connection.query("PRAGMA schema_version")
            } catch let error as SQLiteError where error.isNotADatabase {
                throw LedgerError(.notALedger, "\(quoted(path)) is not a SQLite database: check the path to the ledger file")
            } catch let error as SQLiteError where error.isReadOnly || error.isCantOpen {
                // A WAL-mode reader needs the -wal and -shm files; SQLite reports this when it can neither open nor create them.
                throw LedgerError(.storage,
                    "cannot read the ledger \(quoted(path)) (\(error.message)): a ledger in WAL mode is read through \(quoted(path + "-wal")) and \(quoted(path + "-shm")), which are missing and cannot be created in its directory by this user: run as a user who may write that directory, or copy the ledger to a writable directory and read the copy")
            }
            try connection.execute("PRAGMA synchronous=\(options.durability == .full ? "FULL" : "NORMAL")")
            try connection.execute("PRAGMA foreign_keys=ON")
        }
    }

    /// Sets the journal mode to WAL, which is stored in the file and so changes it.
    private func switchToWAL(path: String) throws {
        try storage(path) {
            let mode = try connection.query("PRAGMA journal_mode=WAL").first?.text(0)
            guard mode == "wal" else {
                throw LedgerError(.storage, "cannot switch \(quoted(path)) to WAL mode (journal mode is \(mode ?? "unknown"))")
            }
        }
    }

    private func schemaVersion(path: String) throws -> Int64 {
        try storage(path) { try connection.query("PRAGMA user_version").first?.int64(0) ?? 0 }
    }

    /// Throws when the file already contains a table that a migration after
    /// `version` creates, so that running it would fail halfway with a raw
    /// SQLite error. This happens when `PRAGMA user_version` was lowered by hand.
    private func checkNoLaterTables(version openedVersion: Int64, path: String) throws {
        // Both are read in one snapshot, because another process may migrate
        // the file in between, which changes both together.
        let (version, existing) = try storage(path) {
            try connection.transaction(.deferred) {
                let version = try connection.query("PRAGMA user_version").first?.int64(0) ?? openedVersion
                let tables = try connection.query("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0.text(0) }
                return (version, Set(tables))
            }
        }
        var found: (table: String, version: Int64)?
        for (index, migration) in embeddedSchemaMigrations.enumerated() where Int64(index + 1) > version {
            for table in Self.createdTables(migration.sql) where existing.contains(table) {
                found = (table, Int64(index + 1))
            }
        }
        guard let found else { return }
        throw LedgerError(.schemaMismatch,
            "the ledger \(quoted(path)) has schema version \(version) (PRAGMA user_version), but it already contains the table \(found.table) of schema version \(found.version): the version was changed outside keyledger; check the file with `keyledger verify` on a copy and restore the version with `sqlite3 \(path) 'PRAGMA user_version=\(found.version)'`")
    }

    /// Returns whether the file contains every table that the first schema file creates.
    private func hasFirstSchemaTables(path: String) throws -> Bool {
        let tables = try storage(path) {
            try connection.query("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0.text(0) }
        }
        let first = Self.createdTables(embeddedSchemaMigrations[0].sql)
        return !first.isEmpty && Set(first).isSubset(of: Set(tables))
    }

    /// Returns the names in the `CREATE TABLE` statements of a schema file.
    static func createdTables(_ sql: String) -> [String] {
        let words = sql.split(whereSeparator: { $0.isWhitespace || $0 == "(" })
        var tables: [String] = []
        for index in words.indices.dropLast(2)
        where words[index].uppercased() == "CREATE" && words[index + 1].uppercased() == "TABLE" {
            tables.append(String(words[index + 2]))
        }
        return tables
    }

    /// Applies the embedded schema files after `version`, each in its own transaction with its version number.
    private func migrate(from version: Int64) throws {
        for (index, migration) in embeddedSchemaMigrations.enumerated() where Int64(index + 1) > version {
            let target = Int64(index + 1)
            try storage(connection.path) {
                try connection.transaction(.immediate) {
                    // Another process may have migrated while this one waited for the lock.
                    let current = try connection.query("PRAGMA user_version").first?.int64(0) ?? 0
                    guard current < target else { return }
                    try connection.execute(migration.sql)
                    try connection.execute("PRAGMA user_version=\(target)")
                    if target == Self.merkleSchemaVersion {
                        // SQLite has no SHA-256 function, so the tree over the
                        // entries that already exist is filled in here, in the same transaction.
                        _ = try MerkleTree(connection: connection).appendPendingEntries()
                    }
                }
            }
        }
    }
}

/// Runs `body`, turning SQLite errors into ledger errors that name the file.
func storage<Result>(_ path: String, _ body: () throws -> Result) throws -> Result {
    do {
        return try body()
    } catch let error as SQLiteError {
        if error.isNotADatabase {
            throw LedgerError(.notALedger, "\(quoted(path)) is not a SQLite database: check the path to the ledger file")
        }
        if error.isBusy {
            throw LedgerError(.storage, "the ledger \(quoted(path)) stayed locked by another process past the busy timeout: retry, or raise the timeout")
        }
        if error.isReadOnly, let walError = unwritableWALFilesError(ledgerPath: path) {
            throw walError
        }
        throw LedgerError(.storage, "database error on \(quoted(path)): \(error)")
    }
}
