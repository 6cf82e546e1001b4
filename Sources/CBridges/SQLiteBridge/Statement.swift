import CSQLite

/// A compiled SQL statement, which owns its `sqlite3_stmt` handle.
///
/// A statement keeps its database open until the statement is released.
public final class Statement {
    let handle: OpaquePointer
    let database: DatabaseHandle
    public let sql: String

    init(database: DatabaseHandle, sql: String) throws {
        var prepared: OpaquePointer?
        var trailingText = ""
        let status = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let status = sqlite3_prepare_v2(database.pointer, text, -1, &prepared, &tail)
            if let tail { trailingText = String(cString: tail) }
            return status
        }
        guard status == SQLITE_OK, let prepared else {
            sqlite3_finalize(prepared)
            throw SQLiteError(
                extendedCode: sqlite3_extended_errcode(database.pointer),
                message: database.currentMessage,
                sql: Connection.abbreviate(sql))
        }
        // A second statement would be silently ignored; Connection.execute is the way to run several.
        guard trailingText.allSatisfy({ $0.isWhitespace || $0 == ";" }) else {
            sqlite3_finalize(prepared)
            throw SQLiteError(extendedCode: SQLITE_MISUSE, message: "more than one statement given to prepare",
                              sql: Connection.abbreviate(sql))
        }
        self.handle = prepared
        self.database = database
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Resets the statement and binds `values` to its parameters, in order.
    public func bind(_ values: [SQLiteValue]) throws {
        try database.check(sqlite3_reset(handle), sql: sql)
        try database.check(sqlite3_clear_bindings(handle), sql: sql)
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
            try database.check(status, sql: sql)
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
                extendedCode: sqlite3_extended_errcode(database.pointer),
                message: database.currentMessage,
                sql: Connection.abbreviate(sql))
        }
    }

    /// Binds `values` and returns every row.
    public func rows(_ values: [SQLiteValue] = []) throws -> [Row] {
        try bind(values)
        var rows: [Row] = []
        while let row = try step() {
            rows.append(row)
        }
        return rows
    }

    /// Binds `values` and steps to the end, ignoring any rows.
    public func run(_ values: [SQLiteValue] = []) throws {
        try bind(values)
        while try step() != nil {}
    }

    /// Resets the statement, so it holds no read snapshot or lock, and keeps
    /// its bound values. For a statement that its caller keeps between uses.
    ///
    /// The result code of `sqlite3_reset` repeats the error of the last step,
    /// which `step()` or `advance()` has already thrown, so it is not checked here.
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Resets the statement and clears its parameters, so it holds no read
    /// snapshot, lock or bound value.
    ///
    /// The result code of `sqlite3_reset` repeats the error of the last step,
    /// which `step()` has already thrown, so it is not checked here.
    func resetAndClearBindings() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Calls `body` for each row in turn; rows are read one at a time, so memory stays flat.
    public func forEachRow(_ body: (Row) throws -> Void) throws {
        while let row = try step() {
            try body(row)
        }
    }
}

/// One result row, copied out of SQLite when the statement stepped onto it,
/// so it stays valid after the statement moves on.
public struct Row {
    public let values: [SQLiteValue]

    init(statement: Statement) {
        let handle = statement.handle
        let count = Int(sqlite3_column_count(handle))
        var values: [SQLiteValue] = []
        values.reserveCapacity(count)
        for column in 0..<Int32(count) {
            switch sqlite3_column_type(handle, column) {
            case SQLITE_INTEGER:
                values.append(.integer(sqlite3_column_int64(handle, column)))
            case SQLITE_FLOAT:
                values.append(.real(sqlite3_column_double(handle, column)))
            case SQLITE_TEXT:
                let count = Int(sqlite3_column_bytes(handle, column))
                let text = sqlite3_column_text(handle, column).map {
                    String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
                }
                values.append(.text(text ?? ""))
            case SQLITE_BLOB:
                let count = Int(sqlite3_column_bytes(handle, column))
                let bytes = sqlite3_column_blob(handle, column).map {
                    Array(UnsafeRawBufferPointer(start: $0, count: count))
                }
                values.append(.blob(bytes ?? []))
            default:
                values.append(.null)
            }
        }
        self.values = values
    }

    public var columnCount: Int { values.count }

    public func isNull(_ column: Int) -> Bool { values[column] == .null }

    /// Returns the column as an integer, or 0 for NULL, text or a blob.
    public func int64(_ column: Int) -> Int64 {
        switch values[column] {
        case .integer(let number): return number
        case .real(let number): return Int64(number)
        default: return 0
        }
    }

    public func int(_ column: Int) -> Int { Int(int64(column)) }

    /// Returns the column as text, or nil for NULL. A blob is decoded as UTF-8.
    public func text(_ column: Int) -> String? {
        switch values[column] {
        case .text(let text): return text
        case .blob(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .integer(let number): return String(number)
        case .real(let number): return String(number)
        case .null: return nil
        }
    }

    /// Returns the column's bytes exactly as stored (text as UTF-8, or a blob), or nil for NULL.
    public func bytes(_ column: Int) -> [UInt8]? {
        switch values[column] {
        case .blob(let bytes): return bytes
        case .text(let text): return Array(text.utf8)
        case .null: return nil
        default: return nil
        }
    }

    public func value(_ column: Int) -> SQLiteValue { values[column] }
}
