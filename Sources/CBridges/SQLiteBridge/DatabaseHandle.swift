import CSQLite

/// The owner of one `sqlite3` handle, shared by a connection and its statements.
///
/// Statements refer to this object rather than to their `Connection`, so the
/// connection's statement cache does not keep the connection alive. The
/// handle is closed when the last of them is released: after the connection
/// and every statement compiled on it, so no statement outlives its database.
final class DatabaseHandle {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        sqlite3_close_v2(pointer)
    }

    /// SQLite's message for the most recent failed call on this handle.
    var currentMessage: String { String(cString: sqlite3_errmsg(pointer)) }

    /// Throws a `SQLiteError` unless `status` is `SQLITE_OK`, `SQLITE_ROW` or `SQLITE_DONE`.
    func check(_ status: Int32, sql: String? = nil) throws {
        guard status == SQLITE_OK || status == SQLITE_ROW || status == SQLITE_DONE else {
            throw SQLiteError(extendedCode: sqlite3_extended_errcode(pointer), message: currentMessage,
                              sql: sql.map(Connection.abbreviate))
        }
    }
}
