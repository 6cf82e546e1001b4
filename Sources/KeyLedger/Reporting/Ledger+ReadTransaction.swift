extension Ledger {
    /// Runs `body` inside one read transaction, so every read it makes sees the
    /// same snapshot of the ledger even while other processes append.
    ///
    /// Reports use this to read the head, verify the chain and stream entries
    /// several times without a concurrent append changing the answers in
    /// between. `body` must not append: in WAL mode a read transaction that
    /// later tries to write fails with `SQLITE_BUSY_SNAPSHOT` when another
    /// process wrote in the meantime.
    /// - Throws: `LedgerError` when the transaction cannot begin or end, or
    ///   whatever `body` throws.
    public func withReadTransaction<Result>(_ body: () throws -> Result) throws -> Result {
        try storage(path) {
            try connection.transaction(.deferred) {
                try body()
            }
        }
    }
}
