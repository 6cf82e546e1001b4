import CSQLite

/// A failed SQLite call: the result code, SQLite's own message and the statement involved.
///
/// Bound values never appear in the description, because they may be secret
/// or very large; the SQL text shows only the statement's shape.
public struct SQLiteError: Error, CustomStringConvertible, Equatable {
    /// The extended result code (for example 5 for `SQLITE_BUSY`, 26 for `SQLITE_NOTADB`).
    public let extendedCode: Int32
    /// The message from `sqlite3_errmsg` or `sqlite3_errstr`.
    public let message: String
    /// The SQL statement that failed, when there was one.
    public let sql: String?

    public init(extendedCode: Int32, message: String, sql: String? = nil) {
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// The primary result code: the low byte of the extended code.
    public var primaryCode: Int32 { extendedCode & 0xFF }

    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }
    public var isNotADatabase: Bool { primaryCode == SQLITE_NOTADB }
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }
    public var isReadOnly: Bool { primaryCode == SQLITE_READONLY }
    public var isCantOpen: Bool { primaryCode == SQLITE_CANTOPEN }

    public var description: String {
        var text = "SQLite error \(extendedCode): \(message)"
        if let sql { text += " (statement: \(sql))" }
        return text
    }

    public static func == (lhs: SQLiteError, rhs: SQLiteError) -> Bool {
        lhs.extendedCode == rhs.extendedCode
    }
}
