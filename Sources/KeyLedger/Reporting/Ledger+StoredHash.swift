extension Ledger {
    /// Returns the `entry_hash` column of entry `sequence` as stored, without decoding or checking the entry.
    ///
    /// A report names an entry that failed verification by this hash, which is
    /// the one an auditor finds with `sqlite3`, even when the entry's content
    /// no longer decodes. Returns nil when no entry has that sequence number.
    public func storedEntryHash(sequence: Int64) throws -> [UInt8]? {
        try storage(path) {
            try connection.query("SELECT entry_hash FROM entries WHERE seq = ?", [.integer(sequence)]).first?.bytes(0)
        }
    }
}
