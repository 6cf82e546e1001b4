import OpenSSLBridge
import SQLiteBridge

/// Reads and writes the Merkle tree's nodes: interior nodes are rows of
/// `merkle_tree`, and leaves are computed from the leaf inputs, the entry
/// hashes in `entries`.
///
/// A store keeps the hashes of nodes at level 8 and up that it read outside
/// any transaction, so a tree kept for many proofs reads only their lower
/// levels from the database (see ``cachedLevel``). Rows never change once
/// committed, so a cached hash stays true. A hand edit of the file is the
/// exception, and verification reports it because it reads the table itself.
///
/// Statements come from the connection's statement cache, so they are
/// compiled once per connection, not once per append or proof, and are
/// reset before a method returns, so none keeps a read snapshot open
/// between calls.
final class MerkleNodeStore {
    /// The table that contains the leaf inputs, one row per leaf in `seq` order.
    enum LeafSource {
        /// The ledger's `entries`: leaf i is entry i + 1, and its input is
        /// the 32-byte `entry_hash`.
        case entries
        /// The temporary table `merkle_leaf_inputs (seq, entry_hash)`, whose
        /// inputs may have any length. ``MerkleTree/append(leafInputs:)``
        /// fills it; tests use it to build trees from published vectors.
        case leafInputTable

        var tableName: String {
            switch self {
            case .entries: "entries"
            case .leafInputTable: "merkle_leaf_inputs"
            }
        }
    }

    /// The maximum number of interior nodes, and of leaves, that one lookup statement reads.
    private static let maximumListLength = 64

    let connection: Connection
    let leafSource: LeafSource
    /// The texts of the lookup statements built so far, by slot counts.
    private var lookupSQLTexts: [Int: String] = [:]
    /// Lookup statements of more than ``sharedLookupSlots`` slots, by slot
    /// counts. The store keeps these itself because the connection's cache
    /// finds a statement by hashing its text, which for a proof's lookup of
    /// a few hundred characters costs about a tenth of the proof (callgrind).
    private var ownLookupStatements: [Int: Statement] = [:]
    /// The largest lookup, in slots, that uses the connection's statement
    /// cache. Appends need at most this many for almost every leaf, and a
    /// store lives for one append, so compiling its own would cost more.
    private static let sharedLookupSlots = 4

    /// The lowest level whose nodes are cached. A tree of n leaves has
    /// about n / 2^8 such nodes, and a proof reads at most about 8 lower ones.
    static let cachedLevel = 8
    /// The maximum number of hashes each cache keeps, about 2 MiB of hash
    /// bytes. Nodes read after a cache is full are not cached.
    static let cacheCapacity = 65_536
    /// Hashes of interior nodes at ``cachedLevel`` and up, by position.
    private var upperNodeCache: [Int: [UInt8]] = [:]
    /// Hashes of subtrees that are not perfect, computed from nodes read
    /// outside any transaction, by leaf range. Proofs of one tree size share
    /// these right-edge subtrees.
    private var edgeSubtreeCache: [Range<Int>: [UInt8]] = [:]
    /// The largest tree size read outside any transaction. The tree only
    /// grows, so every smaller size is complete without reading again.
    private(set) var knownLeafCount = 0

    /// Every interior node hash, 32 bytes per position, that ``loadIntoMemory()`` read.
    private var loadedNodes: [UInt8] = []
    /// Every leaf hash, 32 bytes per leaf index, that ``loadIntoMemory()`` computed.
    private var loadedLeaves: [UInt8] = []

    /// The node hashes read from the database through this store, counted
    /// for tests and measurements.
    private(set) var readCount = 0
    /// The `merkle_tree` rows written through this store, counted for tests and measurements.
    private(set) var writeCount = 0

    /// The state that appends through one `Ledger` share, whose digest
    /// context and statements this store uses when it has one.
    let appendState: MerkleTree.AppendState?
    /// The SHA-256 context for the leaf and interior hashes this store computes.
    private(set) lazy var digest: ReusableDigest = appendState?.digest ?? ReusableDigest(.sha256)

    init(connection: Connection, leafSource: LeafSource = .entries, appendState: MerkleTree.AppendState? = nil) {
        precondition(appendState == nil || appendState?.connection === connection,
                     "a Merkle tree's append state must belong to the tree's connection")
        self.connection = connection
        self.leafSource = leafSource
        self.appendState = appendState
    }

    static let insertSQL = "INSERT INTO merkle_tree (position, hash) VALUES (?, ?)"
    static let rowCountSQL = "SELECT max(position) FROM merkle_tree"

    /// Computes the leaf hash SHA-256(0x00 || leafInput), as ``MerkleTree/leafHash(leafInput:)`` does.
    func leafHash(leafInput: [UInt8]) -> [UInt8] {
        leafInput.withUnsafeBytes { MerkleTree.leafHash(leafInput: $0, using: digest) }
    }

    /// Computes the leaf hash of the leaf input in `bytes`.
    func leafHash(leafInput bytes: UnsafeRawBufferPointer) -> [UInt8] {
        MerkleTree.leafHash(leafInput: bytes, using: digest)
    }

    /// Computes the interior hash SHA-256(0x01 || left || right), as ``MerkleTree/interiorHash(left:right:)`` does.
    func interiorHash(left: [UInt8], right: [UInt8]) -> [UInt8] {
        MerkleTree.interiorHash(left: left, right: right, using: digest)
    }

    /// Runs `body` with `ownStatement` from the append state when this store
    /// has one, or else with the connection's cached statement for `sql`.
    /// Either way the statement is reset before this returns.
    private func withAppendStatement<Result>(_ sql: String, _ ownStatement: (MerkleTree.AppendState) throws -> Statement,
                                             _ body: (Statement) throws -> Result) throws -> Result {
        guard let appendState else {
            return try withStatement(sql, body)
        }
        let statement = try ownStatement(appendState)
        defer { statement.reset() }
        return try body(statement)
    }

    private func withStatement<Result>(_ sql: String, _ body: (Statement) throws -> Result) throws -> Result {
        try connection.withCachedStatement(sql, body)
    }

    /// Returns the largest leaf input sequence number (the number of
    /// entries) and the number of `merkle_tree` rows, read by one statement.
    /// - Throws: `LedgerError.Code.notAllowed` when the database has no
    ///   `merkle_tree` table, which is the case for a ledger of an older
    ///   schema opened read-only, because read-only opens do not migrate.
    func counts() throws -> (leafInputs: Int, interiorNodes: Int) {
        if leafSource == .leafInputTable {
            try createLeafInputTable()
        }
        let sql = "SELECT (SELECT max(seq) FROM \(leafSource.tableName)), (SELECT max(position) FROM merkle_tree)"
        do {
            return try withStatement(sql) { statement in
                try statement.bind([])
                var counts = (leafInputs: 0, interiorNodes: 0)
                if let row = try statement.step() {
                    counts.leafInputs = row.isNull(0) ? 0 : row.int(0)
                    counts.interiorNodes = row.isNull(1) ? 0 : row.int(1) + 1
                }
                while try statement.step() != nil {}
                return counts
            }
        } catch let error as SQLiteError where error.message.hasPrefix("no such table") {
            throw LedgerError(.notAllowed,
                "the ledger \(quoted(connection.path)) has no Merkle tree in the current layout because an older keyledger wrote it: open it once read-write to migrate it")
        }
    }

    /// Returns the cached hash of the subtree over `leaves`, if any.
    func cachedSubtreeHash(_ leaves: Range<Int>) -> [UInt8]? {
        let count = leaves.count
        if count.nonzeroBitCount == 1 {
            // A perfect subtree is a node, cached only from the cached level up.
            let level = count.trailingZeroBitCount
            guard level >= Self.cachedLevel, !upperNodeCache.isEmpty else { return nil }
            return upperNodeCache[MerkleNode(level: level, index: leaves.lowerBound >> level).position]
        }
        return edgeSubtreeCache.isEmpty ? nil : edgeSubtreeCache[leaves]
    }

    /// Caches the hash of a subtree that is not perfect, computed from nodes
    /// read outside any transaction, unless the cache is full.
    func cacheSubtreeHash(_ leaves: Range<Int>, _ hash: [UInt8]) {
        guard edgeSubtreeCache.count < Self.cacheCapacity else { return }
        edgeSubtreeCache[leaves] = hash
    }

    /// Creates the temporary table of the ``LeafSource/leafInputTable`` source
    /// unless it exists.
    func createLeafInputTable() throws {
        try connection.execute("CREATE TEMP TABLE IF NOT EXISTS merkle_leaf_inputs (seq INTEGER PRIMARY KEY, entry_hash BLOB NOT NULL)")
    }

    /// Returns the number of leaves the stored tree covers.
    ///
    /// The table stores only interior nodes, so the size follows from the
    /// row count and the number of entries; see
    /// ``treeSize(interiorNodeCount:leafInputCount:)``.
    /// - Throws: `LedgerError.Code.notAllowed` when the ledger has no
    ///   `merkle_tree` table, `integrity` when no tree has that many rows.
    func leafCount() throws -> Int {
        let isCommittedRead = connection.isAutocommit
        let counts = try counts()
        let size = try Self.treeSize(interiorNodeCount: counts.interiorNodes, leafInputCount: counts.leafInputs)
        if isCommittedRead, size <= counts.leafInputs {
            knownLeafCount = max(knownLeafCount, size)
        }
        return size
    }

    /// Returns the size of the tree whose interior nodes are the first
    /// `interiorNodeCount` rows, given `leafInputCount` leaf inputs.
    ///
    /// When the rows are those of all the inputs, the size is the input
    /// count. Otherwise two sizes, 2m and 2m + 1, have that many rows. For
    /// a tree behind the entries this returns 2m + 1, because leaf 2m needs
    /// no row. For a tree ahead of them (entries were removed) it returns 2m.
    /// - Throws: `LedgerError.Code.integrity` when no tree has exactly
    ///   `interiorNodeCount` interior nodes.
    static func treeSize(interiorNodeCount: Int, leafInputCount: Int) throws -> Int {
        if MerkleNode.interiorCount(leafCount: leafInputCount) == interiorNodeCount {
            return leafInputCount
        }
        let sizes = MerkleNode.leafCounts(interiorCount: interiorNodeCount)
        guard let smallest = sizes.first, let largest = sizes.last else {
            throw LedgerError(.integrity,
                "merkle_tree has \(interiorNodeCount) rows, a number of interior nodes that no tree has: rows are missing from its end; run `keyledger verify`")
        }
        return largest < leafInputCount ? largest : smallest
    }

    /// Returns the number of `merkle_tree` rows, one more than the largest position.
    func interiorNodeCount() throws -> Int {
        try withAppendStatement(Self.rowCountSQL, { try $0.readRowCount() }) { statement in
            try statement.bind([])
            var count = 0
            if try statement.advance(), statement.storageClass(0) != .null {
                count = Int(statement.int64(0)) + 1
            }
            while try statement.advance() {}
            return count
        }
    }

    /// Reads the hash of one node.
    /// - Throws: `LedgerError.Code.integrity` when its row or leaf input is
    ///   missing or malformed.
    func hash(of node: MerkleNode) throws -> [UInt8] {
        try hashes(of: [node])[0]
    }

    /// Reads the hashes of `nodes`, in the same order, with one statement
    /// for up to 64 interior nodes and 64 leaves.
    ///
    /// Interior nodes come from their `merkle_tree` rows by position, leaves
    /// are hashed from their leaf inputs.
    /// - Throws: `LedgerError.Code.integrity` when a row or leaf input is
    ///   missing, a row is not a 32-byte hash, or an entry hash is not 32 bytes.
    func hashes(of nodes: [MerkleNode]) throws -> [[UInt8]] {
        var hashes: [[UInt8]?] = Array(repeating: nil, count: nodes.count)
        // Offsets into `nodes` of the interior nodes and leaves still to read.
        var interiorOffsets: [Int] = []
        var leafOffsets: [Int] = []
        interiorOffsets.reserveCapacity(nodes.count)
        leafOffsets.reserveCapacity(2)
        let hashBytes = MerkleTree.hashByteCount
        for (offset, node) in nodes.enumerated() {
            if node.isLeaf, (node.index + 1) * hashBytes <= loadedLeaves.count {
                hashes[offset] = Array(loadedLeaves[(node.index * hashBytes)..<((node.index + 1) * hashBytes)])
            } else if !node.isLeaf, (node.position + 1) * hashBytes <= loadedNodes.count {
                hashes[offset] = Array(loadedNodes[(node.position * hashBytes)..<((node.position + 1) * hashBytes)])
            } else if node.isLeaf {
                leafOffsets.append(offset)
            } else if node.level >= Self.cachedLevel, !upperNodeCache.isEmpty, let hash = upperNodeCache[node.position] {
                hashes[offset] = hash
            } else {
                interiorOffsets.append(offset)
            }
        }
        // Outside a transaction a read returns committed rows only, and those never change.
        let isCommittedRead = connection.isAutocommit
        var chunkStart = 0
        while chunkStart < max(interiorOffsets.count, leafOffsets.count) {
            let interiorChunk = interiorOffsets[min(chunkStart, interiorOffsets.count)..<min(chunkStart + Self.maximumListLength, interiorOffsets.count)]
            let leafChunk = leafOffsets[min(chunkStart, leafOffsets.count)..<min(chunkStart + Self.maximumListLength, leafOffsets.count)]
            let interiorSlots = Self.slotCount(interiorChunk.count)
            try readRows(positions: interiorChunk.lazy.map { nodes[$0].position },
                         sequences: leafChunk.lazy.map { nodes[$0].index + 1 }) { slot, bytes in
                if slot < interiorSlots {
                    let offset = interiorChunk[interiorChunk.startIndex + slot]
                    guard bytes.count == MerkleTree.hashByteCount else {
                        throw LedgerError(.integrity,
                            "the merkle_tree row \(nodes[offset].position) (\(Self.describe(nodes[offset]))) has \(bytes.count) bytes instead of \(MerkleTree.hashByteCount): run `keyledger verify`")
                    }
                    let hash = Array(bytes)
                    hashes[offset] = hash
                    if isCommittedRead, nodes[offset].level >= Self.cachedLevel, upperNodeCache.count < Self.cacheCapacity {
                        upperNodeCache[nodes[offset].position] = hash
                    }
                } else {
                    let offset = leafChunk[leafChunk.startIndex + slot - interiorSlots]
                    guard leafSource == .leafInputTable || bytes.count == MerkleTree.hashByteCount else {
                        throw LedgerError(.integrity, "entry \(nodes[offset].index + 1) has an entry hash that is not 32 bytes: run `keyledger verify`")
                    }
                    hashes[offset] = leafHash(leafInput: bytes)
                }
            }
            chunkStart += Self.maximumListLength
        }
        readCount += interiorOffsets.count + leafOffsets.count
        var result: [[UInt8]] = []
        result.reserveCapacity(nodes.count)
        for (offset, hash) in hashes.enumerated() {
            guard let hash else {
                throw Self.missingNodeError(nodes[offset])
            }
            result.append(hash)
        }
        return result
    }

    /// Reads every committed `merkle_tree` row and hashes every leaf input
    /// into memory, 64 bytes per leaf, so that later proofs of a tree no
    /// larger than the one read take no row from the database.
    ///
    /// Committed rows never change, so what is read stays true, as for the
    /// cache of upper nodes. Nodes of leaves appended later are read from
    /// the database as before.
    /// - Returns: The number of leaves read.
    /// - Throws: `LedgerError.Code.integrity` when a row is not a 32-byte
    ///   hash, a position is missing, or an entry hash is not 32 bytes. Throws
    ///   `invalidInput` inside a transaction, because its rows may be rolled back.
    func loadIntoMemory() throws -> Int {
        guard connection.isAutocommit else {
            throw LedgerError(.invalidInput, "a Merkle tree can be loaded into memory only outside a transaction, from committed rows")
        }
        let hashBytes = MerkleTree.hashByteCount
        return try connection.transaction(.deferred) {
            let leafCount = try leafCount()
            let nodeCount = MerkleNode.interiorCount(leafCount: leafCount)
            var nodes: [UInt8] = []
            nodes.reserveCapacity(nodeCount * hashBytes)
            try withStatement("SELECT position, hash FROM merkle_tree WHERE position < ? ORDER BY position") { statement in
                try statement.bind([.integer(Int64(nodeCount))])
                while try statement.advance() {
                    let position = Int(statement.int64(0))
                    try statement.withBytes(1) { bytes in
                        guard position * hashBytes == nodes.count, bytes.count == hashBytes else {
                            throw LedgerError(.integrity,
                                "the merkle_tree row \(position) is not the 32-byte hash that follows row \(nodes.count / hashBytes - 1): run `keyledger verify`")
                        }
                        nodes.append(contentsOf: bytes)
                    }
                }
            }
            guard nodes.count == nodeCount * hashBytes else {
                throw LedgerError(.integrity,
                    "the merkle_tree row \(nodes.count / hashBytes) is missing: the table is incomplete; run `keyledger verify`")
            }
            var leaves: [UInt8] = []
            leaves.reserveCapacity(leafCount * hashBytes)
            try withStatement("SELECT seq, entry_hash FROM \(leafSource.tableName) WHERE seq <= ? ORDER BY seq") { statement in
                try statement.bind([.integer(Int64(leafCount))])
                while try statement.advance() {
                    let sequence = Int(statement.int64(0))
                    try statement.withBytes(1) { bytes in
                        guard sequence == leaves.count / hashBytes + 1,
                              leafSource == .leafInputTable || bytes.count == hashBytes else {
                            throw LedgerError(.integrity,
                                "entry \(sequence) is out of order or has an entry hash that is not 32 bytes: run `keyledger verify`")
                        }
                        leaves.append(contentsOf: MerkleTree.leafHash(leafInput: bytes, using: digest))
                    }
                }
            }
            guard leaves.count == leafCount * hashBytes else {
                throw Self.missingNodeError(MerkleNode(level: 0, index: leaves.count / hashBytes))
            }
            loadedNodes = nodes
            loadedLeaves = leaves
            return leafCount
        }
    }

    private static func missingNodeError(_ missing: MerkleNode) -> LedgerError {
        if missing.isLeaf {
            return LedgerError(.integrity,
                "the ledger has no entry \(missing.index + 1), leaf \(missing.index) of the Merkle tree: entries were removed; run `keyledger verify`")
        }
        return LedgerError(.integrity,
            "the merkle_tree row \(missing.position) (\(describe(missing))) is missing: the table is incomplete; run `keyledger verify`")
    }

    /// Runs one statement that looks up the `merkle_tree` rows at
    /// `positions` and the leaf inputs at `sequences`, and calls `body` with
    /// (slot, bytes) for each row found. Slots count the positions from 0,
    /// then the sequence numbers from `slotCount(positions.count)`. The
    /// bytes are SQLite's and valid only inside `body`.
    ///
    /// The statement joins a VALUES list of (slot, key) pairs to each table
    /// by primary key, outer loop first, so SQLite seeks each row directly
    /// and builds no temporary index as an `IN` list would. Slot counts are
    /// rounded up to a power of two, and unused slots are bound to NULL,
    /// which matches no row, so a few short statement texts serve every
    /// proof and stay in the connection's statement cache.
    private func readRows(positions: some Collection<Int>, sequences: some Collection<Int>,
                          _ body: (_ slot: Int, _ bytes: UnsafeRawBufferPointer) throws -> Void) throws {
        let interiorSlots = Self.slotCount(positions.count)
        let leafSlots = Self.slotCount(sequences.count)
        guard interiorSlots + leafSlots > 0 else { return }
        var values: [SQLiteValue] = []
        values.reserveCapacity(interiorSlots + leafSlots)
        for position in positions {
            values.append(.integer(Int64(position)))
        }
        values.append(contentsOf: repeatElement(.null, count: interiorSlots - positions.count))
        for sequence in sequences {
            values.append(.integer(Int64(sequence)))
        }
        values.append(contentsOf: repeatElement(.null, count: leafSlots - sequences.count))
        func readAll(_ statement: Statement) throws {
            try statement.bind(values)
            do {
                // Columns are read in place rather than copied into a Row.
                while try statement.advance() {
                    try statement.withBytes(1) { try body(Int(statement.int64(0)), $0) }
                }
            } catch {
                statement.reset()
                throw error
            }
        }
        let key = (interiorSlots << 16) | leafSlots
        let sql = lookupSQL(interiorSlots: interiorSlots, leafSlots: leafSlots)
        if interiorSlots + leafSlots <= Self.sharedLookupSlots {
            try withStatement(sql, readAll)
            return
        }
        let statement = try ownLookupStatements[key] ?? connection.prepare(sql)
        ownLookupStatements[key] = statement
        try readAll(statement)
    }

    /// Returns the smallest power of two, at least 2, that is not below `count`, or 0 when `count` is 0.
    static func slotCount(_ count: Int) -> Int {
        guard count > 0 else { return 0 }
        return max(2, 1 << (Int.bitWidth - (count - 1).leadingZeroBitCount))
    }

    /// Returns the text of the lookup statement for the given slot counts,
    /// with the slot number as a literal in each term.
    private func lookupSQL(interiorSlots: Int, leafSlots: Int) -> String {
        let key = (interiorSlots << 16) | leafSlots
        if let sql = lookupSQLTexts[key] {
            return sql
        }
        func pairs(from first: Int, count: Int) -> String {
            (first..<(first + count)).map { "(\($0), ?)" }.joined(separator: ", ")
        }
        var terms: [String] = []
        if interiorSlots > 0 {
            terms.append("""
                SELECT slots.column1, merkle_tree.hash FROM (VALUES \(pairs(from: 0, count: interiorSlots))) AS slots
                CROSS JOIN merkle_tree ON merkle_tree.position = slots.column2
                """)
        }
        if leafSlots > 0 {
            terms.append("""
                SELECT slots.column1, leaves.entry_hash FROM (VALUES \(pairs(from: interiorSlots, count: leafSlots))) AS slots
                CROSS JOIN \(leafSource.tableName) AS leaves ON leaves.seq = slots.column2
                """)
        }
        let sql = terms.joined(separator: "\nUNION ALL\n")
        lookupSQLTexts[key] = sql
        return sql
    }

    /// Names the level, index and entries of a node for messages.
    static func describe(_ node: MerkleNode) -> String {
        let first = Int64(node.index) * (Int64(1) << node.level) + 1
        let last = Int64(node.lastLeaf) + 1
        let entries = first == last ? "entry \(first)" : "entries \(first) to \(last)"
        return "level \(node.level), index \(node.index), over \(entries)"
    }

    /// Inserts the hash of interior node `node`. The caller must have begun
    /// a write transaction.
    /// - Throws: `LedgerError.Code.integrity` when the row already exists.
    func insert(_ node: MerkleNode, hash: [UInt8]) throws {
        let position = node.position
        try withAppendStatement(Self.insertSQL, { try $0.insertNode() }) { statement in
            try statement.bind([.integer(Int64(position)), .blob(hash)])
            do {
                while try statement.advance() {}
            } catch let error as SQLiteError where error.isConstraintViolation {
                throw LedgerError(.integrity,
                    "merkle_tree already has row \(position) (\(Self.describe(node))): the tree is ahead of the entries; run `keyledger verify`")
            }
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
