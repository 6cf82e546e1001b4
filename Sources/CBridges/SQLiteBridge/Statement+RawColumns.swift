import CSQLite

/// The storage class of one column value in the current row (SQLite's
/// "Datatypes In SQLite" page), which decides how ``Row`` would copy it.
public enum SQLiteStorageClass: Sendable {
    case null
    case integer
    case real
    case text
    case blob
}

extension Statement {
    /// Advances to the next row without copying it, for callers that read
    /// columns in place with ``storageClass(_:)``, ``int64(_:)`` and
    /// ``withBytes(_:_:)``.
    ///
    /// - Returns: `true` when the statement is on a row, `false` when it is done.
    /// - Throws: `SQLiteError` when the step fails.
    public func advance() throws -> Bool {
        let status = sqlite3_step(handle)
        switch status {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            return false
        default:
            throw SQLiteError(
                extendedCode: sqlite3_extended_errcode(database.pointer),
                message: database.currentMessage,
                sql: Connection.abbreviate(sql))
        }
    }

    /// Returns the storage class of `column` in the current row.
    public func storageClass(_ column: Int) -> SQLiteStorageClass {
        switch sqlite3_column_type(handle, Int32(column)) {
        case SQLITE_INTEGER: return .integer
        case SQLITE_FLOAT: return .real
        case SQLITE_TEXT: return .text
        case SQLITE_BLOB: return .blob
        default: return .null
        }
    }

    /// Returns the current row's `column` as an integer, converted by SQLite's rules
    /// when it is not stored as one.
    public func int64(_ column: Int) -> Int64 {
        sqlite3_column_int64(handle, Int32(column))
    }

    /// Returns the current row's `column` as a double, converted by SQLite's rules
    /// when it is not stored as one.
    public func double(_ column: Int) -> Double {
        sqlite3_column_double(handle, Int32(column))
    }

    /// Calls `body` with the bytes of the current row's `column` as stored:
    /// the UTF-8 of a text value, the bytes of a blob, and an empty buffer
    /// for other storage classes.
    ///
    /// The buffer belongs to SQLite and is valid only inside `body`, until
    /// the statement steps, resets or is finalized. Reading a text value as
    /// text and a blob as a blob, as here, converts nothing.
    public func withBytes<Result>(_ column: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let index = Int32(column)
        let start: UnsafeRawPointer?
        switch sqlite3_column_type(handle, index) {
        case SQLITE_TEXT:
            start = sqlite3_column_text(handle, index).map { UnsafeRawPointer($0) }
        case SQLITE_BLOB:
            start = sqlite3_column_blob(handle, index)
        default:
            start = nil
        }
        guard let start else {
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        let count = Int(sqlite3_column_bytes(handle, index))
        return try body(UnsafeRawBufferPointer(start: start, count: count))
    }
}

extension Row {
    /// Makes a row from values read elsewhere, such as columns copied with
    /// ``Statement/withBytes(_:_:)``, so that they convert exactly as a row
    /// that ``Statement/step()`` copied would.
    public init(values: [SQLiteValue]) {
        self.values = values
    }
}
