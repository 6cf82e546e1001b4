import SQLiteBridge

/// Reads and writes rows of the `merkle_nodes` table, reusing prepared statements.
///
/// Every statement is stepped to completion before a method returns, so no
/// statement keeps a read snapshot open between calls.
final class MerkleNodeStore {
    let connection: Connection
    private var selectNode: Statement?
    private var insertNode: Statement?

    /// The node rows read through this store, counted for tests and measurements.
    private(set) var readCount = 0
    /// The node rows written through this store, counted for tests and measurements.
    private(set) var writeCount = 0

    init(connection: Connection) {
        self.connection = connection
    }

    /// Returns the number of leaves stored: one more than the largest leaf index.
    ///
    /// The primary key orders the rows by (level, idx), so SQLite finds the
    /// largest index at level 0 with one index lookup.
    /// - Throws: `LedgerError.Code.notAllowed` when the database has no
    ///   `merkle_nodes` table, which is the case for a ledger of schema
    ///   version 1 opened read-only, because read-only opens do not migrate.
    func leafCount() throws -> Int {
        let statement: Statement
        do {
            statement = try connection.prepare("SELECT max(idx) FROM merkle_nodes WHERE level = 0")
        } catch let error as SQLiteError where error.message.hasPrefix("no such table") {
            throw LedgerError(.notAllowed,
                "the ledger \(quoted(connection.path)) has no Merkle tree yet because an older keyledger created it: open it once read-write to migrate it")
        }
        try statement.bind([])
        var count = 0
        var largestIndex: Int?
        if let row = try statement.step(), !row.isNull(0) {
            largestIndex = row.int(0)
        }
        while try statement.step() != nil {}
        if let largestIndex {
            guard largestIndex < Int.max else {
                throw LedgerError(.integrity, "the Merkle tree has a leaf at index \(largestIndex), beyond any possible ledger: run `keyledger verify`")
            }
            count = largestIndex + 1
        }
        return count
    }

    /// Reads the hash of the perfect subtree at `level` whose leftmost leaf is
    /// `index * 2^level`.
    /// - Throws: `LedgerError.Code.integrity` when the row is missing or is
    ///   not a 32-byte hash.
    func node(level: Int, index: Int) throws -> [UInt8] {
        guard let hash = try nodeIfPresent(level: level, index: index) else {
            throw LedgerError(.integrity,
                "the Merkle tree node at level \(level), index \(index) is missing from merkle_nodes: the table is incomplete; run `keyledger verify`")
        }
        return hash
    }

    /// Reads the hash of the perfect subtree at `level` whose leftmost leaf is
    /// `index * 2^level`, or returns nil when there is no such row.
    /// - Throws: `LedgerError.Code.integrity` when the row is not a 32-byte hash.
    func nodeIfPresent(level: Int, index: Int) throws -> [UInt8]? {
        let statement = try selectNode ?? connection.prepare("SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?")
        selectNode = statement
        try statement.bind([.integer(Int64(level)), .integer(Int64(index))])
        let hash = try statement.step()?.bytes(0)
        while try statement.step() != nil {}
        readCount += 1
        guard let hash else { return nil }
        guard hash.count == MerkleTree.hashByteCount else {
            throw LedgerError(.integrity,
                "the Merkle tree node at level \(level), index \(index) has \(hash.count) bytes instead of \(MerkleTree.hashByteCount): run `keyledger verify`")
        }
        return hash
    }

    /// Inserts the hash of the perfect subtree at `level` whose leftmost leaf
    /// is `index * 2^level`. The caller must have begun a write transaction.
    func insertNode(level: Int, index: Int, hash: [UInt8]) throws {
        let statement = try insertNode ?? connection.prepare("INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)")
        insertNode = statement
        try statement.bind([.integer(Int64(level)), .integer(Int64(index)), .blob(hash)])
        do {
            while try statement.step() != nil {}
        } catch let error as SQLiteError where error.isConstraintViolation {
            throw LedgerError(.integrity,
                "the Merkle tree already has a node at level \(level), index \(index): merkle_nodes is ahead of the entries; run `keyledger verify`")
        }
        writeCount += 1
    }

    /// Runs `body` in a read transaction, so that every read sees the same
    /// snapshot, or directly when the caller already holds a transaction.
    func reading<Result>(_ body: () throws -> Result) throws -> Result {
        if connection.isAutocommit {
            return try connection.transaction(.deferred, body)
        }
        return try body()
    }
}
