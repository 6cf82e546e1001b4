import CSQLite

/// One open SQLite database connection, which owns its `sqlite3` handle.
///
/// A connection is not thread-safe: use it from one thread at a time, and
/// open one connection per thread or process that needs the database.
public final class Connection {
    /// How to open the database file.
    public enum OpenMode: Sendable {
        /// Open an existing file for reading only.
        case readOnly
        /// Open an existing file for reading and writing.
        case readWrite
        /// Open for reading and writing, creating the file if it is missing.
        case readWriteCreate
    }

    let handle: OpaquePointer
    public let path: String

    /// Opens the database at `path`.
    ///
    /// Opening is lazy in SQLite: a file that is not a database is only
    /// detected by the first statement that reads it, so callers should run
    /// a query (for example `PRAGMA user_version`) right after opening.
    ///
    /// - Throws: `SQLiteError` when the file cannot be opened.
    public init(path: String, mode: OpenMode) throws {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch mode {
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .readWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        }
        var opened: OpaquePointer?
        let status = sqlite3_open_v2(path, &opened, flags, nil)
        guard status == SQLITE_OK, let opened else {
            // sqlite3_open_v2 allocates a handle even on failure; it must still be closed.
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_close_v2(opened)
            throw SQLiteError(extendedCode: status, message: "cannot open \(path): \(message)")
        }
        self.handle = opened
        self.path = path
        sqlite3_extended_result_codes(opened, 1)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// The version of the SQLite library in use, for example "3.40.1".
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    /// Sets how long a statement waits for another connection's lock before failing with `SQLITE_BUSY`.
    public func setBusyTimeout(milliseconds: Int32) throws {
        try check(sqlite3_busy_timeout(handle, milliseconds))
    }

    /// Runs one or more SQL statements that take no parameters and return no rows that matter.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        defer { sqlite3_free(errorMessage) }
        guard status == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? currentMessage
            throw SQLiteError(extendedCode: sqlite3_extended_errcode(handle), message: message, sql: Self.abbreviate(sql))
        }
    }

    /// Compiles one SQL statement.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(connection: self, sql: sql)
    }

    /// Runs one statement with `values` bound to its parameters and returns every row.
    ///
    /// Use `Statement.forEachRow` instead for results that may be large.
    public func query(_ sql: String, _ values: [SQLiteValue] = []) throws -> [Row] {
        let statement = try prepare(sql)
        try statement.bind(values)
        var rows: [Row] = []
        while let row = try statement.step() {
            rows.append(row)
        }
        return rows
    }

    /// Runs one statement with `values` bound to its parameters, ignoring any rows.
    public func run(_ sql: String, _ values: [SQLiteValue] = []) throws {
        let statement = try prepare(sql)
        try statement.bind(values)
        while try statement.step() != nil {}
    }

    /// The number of rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Whether the connection is outside any transaction.
    public var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// The kinds of transaction that SQLite offers.
    public enum TransactionKind: String, Sendable {
        case deferred = "DEFERRED"
        case immediate = "IMMEDIATE"
        case exclusive = "EXCLUSIVE"
    }

    /// Runs `body` in one transaction: commits when it returns, rolls back when it throws.
    ///
    /// An IMMEDIATE transaction takes the write lock at BEGIN, so two writers
    /// wait on the busy timeout instead of failing later with a deadlock.
    public func transaction<Result>(_ kind: TransactionKind = .immediate, _ body: () throws -> Result) throws -> Result {
        try execute("BEGIN \(kind.rawValue)")
        let result: Result
        do {
            result = try body()
        } catch {
            // The transaction may already be rolled back by SQLite after some errors.
            if !isAutocommit { try? execute("ROLLBACK") }
            throw error
        }
        do {
            try execute("COMMIT")
        } catch {
            if !isAutocommit { try? execute("ROLLBACK") }
            throw error
        }
        return result
    }

    var currentMessage: String { String(cString: sqlite3_errmsg(handle)) }

    func check(_ status: Int32, sql: String? = nil) throws {
        guard status == SQLITE_OK || status == SQLITE_ROW || status == SQLITE_DONE else {
            throw SQLiteError(extendedCode: sqlite3_extended_errcode(handle), message: currentMessage, sql: sql.map(Self.abbreviate))
        }
    }

    static func abbreviate(_ sql: String) -> String {
        let collapsed = sql.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return collapsed.count > 120 ? String(collapsed.prefix(117)) + "..." : collapsed
    }
}
