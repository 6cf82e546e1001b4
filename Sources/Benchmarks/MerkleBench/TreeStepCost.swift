import Foundation
import KeyLedger
import OpenSSLBridge
import SQLiteBridge

/// Measures the share of a single append that the Merkle tree step takes.
///
/// The library has no switch that turns the tree off, so the tree's cost
/// cannot be taken as "append with tree minus append without". This step
/// measures three things in one run, on one ledger per durability setting:
///
/// 1. `append`: single appends through `Ledger.append(_:signingKey:)`, each
///    one event in its own transaction, tree included.
/// 2. `tree_work`: the tree step alone inside a write transaction. After the
///    library appends, the benchmark opens the same file with SQLiteBridge
///    and, per transaction, inserts one row shaped like the last entry and
///    then runs the statements that `MerkleTree.append(_:)` runs for one
///    entry: the lookup of leaf `size - 1`, the leaf row, and for each
///    trailing 1 bit of the leaf index a left-sibling lookup, an interior
///    hash and an interior row. Statements are prepared in each transaction
///    because the library prepares them once per append.
/// 3. `tree_commit`: the whole-transaction time of those transactions minus
///    that of control transactions that insert only the entry row. The two
///    kinds alternate, so both see the same disk and WAL state. This
///    difference includes the extra WAL pages that the tree rows make the
///    commit write and sync.
///
/// NOTE: steps 2 and 3 repeat the tree step's SQL rather than call the
/// library's internal `NodeAppender`; they must change when it does.
enum TreeStepCost {
    static func run(directory: String, appends: Int, signingKey: SigningKey) throws {
        for durability in [Durability.full, .normal] {
            let path = "\(directory)/appends-\(durability.rawValue).ledger"
            try measure(path: path, durability: durability, appends: appends, signingKey: signingKey)
        }
    }

    private static func measure(path: String, durability: Durability, appends: Int, signingKey: SigningKey) throws {
        let prefix = "append_\(durability.rawValue)"
        let options = LedgerOptions(durability: durability)
        var appendSeconds: [Double] = []
        do {
            let ledger = try Ledger.create(at: path, signingKey: signingKey, actor: "merkle-bench", options: options)
            let warmup = 20
            for index in 0..<(warmup + appends) {
                let event = try Event(kind: .note, actor: "merkle-bench",
                                      body: ["text": .string("merkle benchmark append \(index)")])
                let (_, seconds) = try timed { try ledger.append(event, signingKey: signingKey) }
                if index >= warmup {
                    appendSeconds.append(seconds)
                }
            }
        }
        printMicroseconds("\(prefix).library", appendSeconds)

        let connection = try Connection(path: path, mode: .readWrite)
        try connection.setBusyTimeout(milliseconds: 60_000)
        guard try connection.query("PRAGMA journal_mode=WAL").first?.text(0) == "wal" else {
            throw BenchFailure("cannot switch \(path) to WAL mode")
        }
        try connection.execute("PRAGMA synchronous=\(durability == .full ? "FULL" : "NORMAL")")

        guard let template = try connection.query("""
            SELECT recorded_at, kind, actor, canonical, prev_hash, signer_kid, signature
            FROM entries ORDER BY seq DESC LIMIT 1
            """).first else {
            throw BenchFailure("the ledger \(path) has no entries")
        }
        var sequence = Int64(try connection.query("SELECT max(seq) FROM entries").first?.int(0) ?? 0)
        var leafCount = (try connection.query("SELECT max(idx) FROM merkle_nodes WHERE level = 0").first?.int(0) ?? -1) + 1

        func insertEntry() throws -> [UInt8] {
            sequence += 1
            let entryHash = Digest.sha256(Array("merkle-bench entry \(sequence)".utf8))
            let insert = try connection.prepare("""
                INSERT INTO entries (seq, recorded_at, kind, actor, key_id, change_id, canonical, prev_hash, entry_hash, signer_kid, signature)
                VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?)
                """)
            try insert.bind([.integer(sequence), template.value(0), template.value(1), template.value(2),
                             template.value(3), template.value(4), .blob(entryHash), template.value(5), template.value(6)])
            while try insert.step() != nil {}
            return entryHash
        }

        var controlSeconds: [Double] = []
        var treeTransactionSeconds: [Double] = []
        var treeWorkSeconds: [Double] = []
        for _ in 0..<appends {
            let (_, control) = try timed {
                try connection.transaction(.immediate) { _ = try insertEntry() }
            }
            controlSeconds.append(control)

            var work = 0.0
            let (_, transaction) = try timed {
                try connection.transaction(.immediate) {
                    let entryHash = try insertEntry()
                    let start = monotonicSeconds()
                    try appendLeaf(entryHash, size: leafCount, connection: connection)
                    work = monotonicSeconds() - start
                }
            }
            leafCount += 1
            treeTransactionSeconds.append(transaction)
            treeWorkSeconds.append(work)
        }
        printMicroseconds("\(prefix).control_transaction", controlSeconds)
        printMicroseconds("\(prefix).tree_transaction", treeTransactionSeconds)
        printMicroseconds("\(prefix).tree_work", treeWorkSeconds)
    }

    /// Writes leaf `size` and the perfect subtrees it completes, with the
    /// statements and hashes that the library's tree step uses for one entry.
    private static func appendLeaf(_ leafInput: [UInt8], size: Int, connection: Connection) throws {
        let select = try connection.prepare("SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?")
        func node(level: Int, index: Int) throws -> [UInt8]? {
            try select.bind([.integer(Int64(level)), .integer(Int64(index))])
            let hash = try select.step()?.bytes(0)
            while try select.step() != nil {}
            return hash
        }
        let insert = try connection.prepare("INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)")
        func write(level: Int, index: Int, hash: [UInt8]) throws {
            try insert.bind([.integer(Int64(level)), .integer(Int64(index)), .blob(hash)])
            while try insert.step() != nil {}
        }

        if size > 0, try node(level: 0, index: size - 1) == nil {
            throw BenchFailure("the Merkle tree has no leaf \(size - 1)")
        }
        var hash = MerkleTree.leafHash(leafInput: leafInput)
        var level = 0
        var index = size
        try write(level: level, index: index, hash: hash)
        while index & 1 == 1 {
            guard let left = try node(level: level, index: index - 1) else {
                throw BenchFailure("the Merkle tree has no node at level \(level), index \(index - 1)")
            }
            hash = MerkleTree.interiorHash(left: left, right: hash)
            level += 1
            index >>= 1
            try write(level: level, index: index, hash: hash)
        }
    }
}
