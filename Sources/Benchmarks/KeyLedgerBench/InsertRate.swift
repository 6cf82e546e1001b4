import Foundation
import SQLiteBridge

/// `insert-rate`: SQLite's rate of one-row transactions on a table shaped like
/// the ledger's `entries`, with the pragmas a ledger opens with (WAL,
/// `synchronous=FULL`, foreign keys on, a busy timeout).
///
/// This is the storage limit for single appends. The table, its indexes and
/// its triggers come from the schema file given, the same file the library
/// embeds. The statement is prepared once and every row costs one
/// `BEGIN IMMEDIATE`, one INSERT and one `COMMIT`, with nothing else.
enum InsertRate {
    static func run(_ options: BenchOptions) throws {
        let path = try options.string("database")
        let schemaPath = try options.string("schema")
        let rows = try options.positiveInteger("rows")
        guard !FileManager.default.fileExists(atPath: path) else {
            throw BenchFailure("\(path) already exists: give a new path")
        }
        guard let schema = FileManager.default.contents(atPath: schemaPath) else {
            throw BenchFailure("cannot read the schema file \(schemaPath)")
        }

        let connection = try Connection(path: path, mode: .readWriteCreate)
        try connection.setBusyTimeout(milliseconds: 60_000)
        guard try connection.query("PRAGMA journal_mode=WAL").first?.text(0) == "wal" else {
            throw BenchFailure("cannot switch \(path) to WAL mode")
        }
        try connection.execute("PRAGMA synchronous=FULL")
        try connection.execute("PRAGMA foreign_keys=ON")
        try connection.execute(String(decoding: schema, as: UTF8.self))

        let insert = try connection.prepare("""
            INSERT INTO entries (seq, recorded_at, kind, actor, key_id, change_id, canonical, prev_hash, entry_hash, signer_kid, signature)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let signerKeyID = String(repeating: "k", count: 43)
        let ledgerID = UUID().uuidString.lowercased()
        // A compact RS256 JWS with a detached payload: 86 header characters, "..", 342 signature characters.
        let signature = String(repeating: "h", count: 86) + ".." + String(repeating: "s", count: 342)
        var previousHash = [UInt8](repeating: 0, count: 32)

        let start = monotonicSeconds()
        for sequence in 1...rows {
            let recordedAt = "2026-01-01T00:00:00.000Z"
            let canonical = try BenchEvents.contentLike(sequence, recordedAt: recordedAt, ledgerID: ledgerID, signerKeyID: signerKeyID)
            let body = BenchEvents.body(sequence)
            let hash = [UInt8](repeating: UInt8(truncatingIfNeeded: sequence), count: 32)
            try connection.transaction(.immediate) {
                try insert.bind([
                    .integer(Int64(sequence)), .text(recordedAt), .text(BenchEvents.kind(sequence).rawValue),
                    .text(BenchEvents.actor), SQLiteValue(body["kid"]?.stringValue), SQLiteValue(body["change"]?.stringValue),
                    .blob(canonical), .blob(previousHash), .blob(hash), .text(signerKeyID), .text(signature),
                ])
                while try insert.step() != nil {}
            }
            previousHash = hash
        }
        printRate(count: rows, seconds: monotonicSeconds() - start)
    }
}
