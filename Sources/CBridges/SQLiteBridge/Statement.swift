import CSQLite

/// A compiled SQL statement, which owns its `sqlite3_stmt` handle.
public final class Statement {
    let handle: OpaquePointer
    let connection: Connection
    public let sql: String

    init(connection: Connection, sql: String) throws {
        var prepared: OpaquePointer?
        let status = sqlite3_prepare_v2(connection.handle, sql, -1, &prepared, nil)
        guard status == SQLITE_OK, let prepared else {
            sqlite3_finalize(prepared)
            throw SQLiteError(
                extendedCode: sqlite3_extended_errcode(connection.handle),
                message: connection.currentMessage,
                sql: Connection.abbreviate(sql))
        }
        self.handle = prepared
        self.connection = connection
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Resets the statement and binds `values` to its parameters, in order.
    public func bind(_ values: [SQLiteValue]) throws {
        try connection.check(sqlite3_reset(handle), sql: sql)
        try connection.check(sqlite3_clear_bindings(handle), sql: sql)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard values.count == expected else {
            throw SQLiteError(
                extendedCode: SQLITE_RANGE,
                message: "statement takes \(expected) parameters, \(values.count) given",
                sql: Connection.abbreviate(sql))
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .null:
                status = sqlite3_bind_null(handle, index)
            case .integer(let number):
                status = sqlite3_bind_int64(handle, index, number)
            case .real(let number):
                status = sqlite3_bind_double(handle, index, number)
            case .text(let text):
                status = sqlite3_bind_text(handle, index, text, -1, keyledger_sqlite_transient())
            case .blob(let bytes):
                status = bytes.withUnsafeBytes { buffer in
                    // A zero-length blob still needs a non-null pointer to bind as a blob, not NULL.
                    sqlite3_bind_blob(handle, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(buffer.count), keyledger_sqlite_transient())
                }
            }
            try connection.check(status, sql: sql)
        }
    }

    /// Advances to the next row, returning nil when the statement is done.
    public func step() throws -> Row? {
        let status = sqlite3_step(handle)
        switch status {
        case SQLITE_ROW:
            return Row(statement: self)
        case SQLITE_DONE:
            return nil
        default:
            throw SQLiteError(
                extendedCode: sqlite3_extended_errcode(connection.handle),
                message: connection.currentMessage,
                sql: Connection.abbreviate(sql))
        }
    }

    /// Calls `body` for each row in turn; rows are read one at a time, so memory stays flat.
    public func forEachRow(_ body: (Row) throws -> Void) throws {
        while let row = try step() {
            try body(row)
        }
    }
}

/// The current row of a statement. It is valid only until the next `step()`.
public struct Row {
    let statement: Statement

    public var columnCount: Int { Int(sqlite3_column_count(statement.handle)) }

    public func isNull(_ column: Int) -> Bool {
        sqlite3_column_type(statement.handle, Int32(column)) == SQLITE_NULL
    }

    public func int64(_ column: Int) -> Int64 {
        sqlite3_column_int64(statement.handle, Int32(column))
    }

    public func int(_ column: Int) -> Int {
        Int(sqlite3_column_int64(statement.handle, Int32(column)))
    }

    public func double(_ column: Int) -> Double {
        sqlite3_column_double(statement.handle, Int32(column))
    }

    /// The column as UTF-8 text; nil for NULL.
    public func text(_ column: Int) -> String? {
        guard let bytes = sqlite3_column_text(statement.handle, Int32(column)) else { return nil }
        let count = Int(sqlite3_column_bytes(statement.handle, Int32(column)))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The column's bytes exactly as stored (text or blob); nil for NULL.
    public func bytes(_ column: Int) -> [UInt8]? {
        let index = Int32(column)
        if sqlite3_column_type(statement.handle, index) == SQLITE_NULL { return nil }
        guard let pointer = sqlite3_column_blob(statement.handle, index) else { return [] }
        let count = Int(sqlite3_column_bytes(statement.handle, index))
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    public func value(_ column: Int) -> SQLiteValue {
        switch sqlite3_column_type(statement.handle, Int32(column)) {
        case SQLITE_INTEGER: return .integer(int64(column))
        case SQLITE_FLOAT: return .real(double(column))
        case SQLITE_TEXT: return .text(text(column) ?? "")
        case SQLITE_BLOB: return .blob(bytes(column) ?? [])
        default: return .null
        }
    }
}
