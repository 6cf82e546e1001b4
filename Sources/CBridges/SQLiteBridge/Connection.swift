import CSQLite

/// One open SQLite database connection, with a cache of compiled statements.
///
/// A connection is not thread-safe: use it from one thread at a time, and
/// open one connection per thread or process that needs the database.
///
/// The database is closed when the connection and every statement compiled
/// on it have been released. Releasing the connection releases the
/// statements in its cache. A statement from `prepare(_:)` that the caller
/// still holds keeps the database open until it is released.
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

    let database: DatabaseHandle
    var handle: OpaquePointer { database.pointer }
    public let path: String

    /// The maximum number of statements that `withCachedStatement(_:_:)` keeps compiled.
    ///
    /// When the cache is full, the statement used least recently is finalized
    /// to make room.
    public static let statementCacheCapacity = 64

    private var statementCache = StatementCache()

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
        self.database = DatabaseHandle(opened)
        self.path = path
        sqlite3_extended_result_codes(opened, 1)
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
    ///
    /// The statement is compiled anew on every call. For a statement that
    /// runs again and again, use `withCachedStatement(_:_:)`.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: database, sql: sql)
    }

    /// Runs `body` with a compiled statement for `sql`, reusing the one that
    /// an earlier call on this connection compiled for the same text.
    ///
    /// Compiling a statement costs more than running a small one, so use this
    /// for statements that run on every append or in loops. Write values as
    /// `?` parameters, not into `sql`, so that the text repeats and hits the
    /// cache.
    ///
    /// The contract:
    /// - `body` gets the statement reset, with no values bound. It binds
    ///   through `Statement.bind`, `rows` or `run`, and must not keep the
    ///   statement after it returns.
    /// - When `body` returns or throws, the statement is reset and its
    ///   parameters are cleared. It then holds no read snapshot, no lock and
    ///   no bound value, and goes back into the cache.
    /// - A nested call for the same `sql` while `body` runs gets a statement
    ///   of its own, so the two never share a cursor.
    /// - Schema changes are safe. Statements are compiled with
    ///   `sqlite3_prepare_v2`, which compiles a statement again when it
    ///   next steps after the schema changed, through this or another
    ///   connection. `PRAGMA` statements are never cached, because SQLite
    ///   computes the result of some pragmas when it compiles them.
    /// - Closing is safe: the cache belongs to the connection and is
    ///   released with it. `clearStatementCache()` finalizes the idle
    ///   statements earlier.
    ///
    /// - Throws: `SQLiteError` when `sql` does not compile, and whatever
    ///   `body` throws.
    public func withCachedStatement<Result>(_ sql: String, _ body: (Statement) throws -> Result) throws -> Result {
        if Self.isPragma(sql) {
            return try body(prepare(sql))
        }
        let statement = try statementCache.take(sql) ?? prepare(sql)
        defer {
            statement.resetAndClearBindings()
            statementCache.put(statement, capacity: Self.statementCacheCapacity)
        }
        return try body(statement)
    }

    /// Finalizes every cached statement that is not in use.
    public func clearStatementCache() {
        statementCache.removeAll()
    }

    /// The number of statements in the cache, for tests.
    public var cachedStatementCount: Int { statementCache.count }

    /// Runs one statement with `values` bound to its parameters and returns every row.
    ///
    /// Use `Statement.forEachRow` instead for results that may be large.
    /// The statement is compiled anew; `withCachedStatement(_:_:)` with
    /// `Statement.rows(_:)` reuses a compiled one.
    public func query(_ sql: String, _ values: [SQLiteValue] = []) throws -> [Row] {
        try prepare(sql).rows(values)
    }

    /// Runs one statement with `values` bound to its parameters, ignoring any rows.
    public func run(_ sql: String, _ values: [SQLiteValue] = []) throws {
        try prepare(sql).run(values)
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

        var beginSQL: String {
            switch self {
            case .deferred: return "BEGIN DEFERRED"
            case .immediate: return "BEGIN IMMEDIATE"
            case .exclusive: return "BEGIN EXCLUSIVE"
            }
        }
    }

    /// Runs `body` in one transaction: commits when it returns, rolls back when it throws.
    ///
    /// An IMMEDIATE transaction takes the write lock at BEGIN, so two writers
    /// wait on the busy timeout instead of failing later with a deadlock.
    /// BEGIN and COMMIT run as cached statements.
    public func transaction<Result>(_ kind: TransactionKind = .immediate, _ body: () throws -> Result) throws -> Result {
        try withCachedStatement(kind.beginSQL) { try $0.run() }
        let result: Result
        do {
            result = try body()
        } catch {
            // The transaction may already be rolled back by SQLite after some errors.
            if !isAutocommit { try? execute("ROLLBACK") }
            throw error
        }
        do {
            try withCachedStatement("COMMIT") { try $0.run() }
        } catch {
            if !isAutocommit { try? execute("ROLLBACK") }
            throw error
        }
        return result
    }

    var currentMessage: String { database.currentMessage }

    func check(_ status: Int32, sql: String? = nil) throws {
        try database.check(status, sql: sql)
    }

    /// Returns whether `sql` is a PRAGMA statement, which `withCachedStatement(_:_:)` does not cache.
    static func isPragma(_ sql: String) -> Bool {
        let keyword = sql.utf8.drop(while: { $0 == 0x20 || (0x09...0x0D).contains($0) }).prefix(6)
        return keyword.count == 6 && zip(keyword, "PRAGMA".utf8).allSatisfy { $0 & 0xDF == $1 }
    }

    static func abbreviate(_ sql: String) -> String {
        let collapsed = sql.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return collapsed.count > 120 ? String(collapsed.prefix(117)) + "..." : collapsed
    }
}
