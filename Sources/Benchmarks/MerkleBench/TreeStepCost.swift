import Foundation
@_spi(Benchmarks) import KeyLedger
import OpenSSLBridge
import SQLiteBridge

/// Measures the share of a single append that the Merkle tree step takes.
///
/// The library has no switch that turns the tree off, so the tree's cost
/// cannot be taken as "append with tree minus append without". This step
/// measures three things in one run, on one ledger per durability setting:
///
/// 1. `library`: single appends through `Ledger.append(_:signingKey:)`, each
///    one event in its own transaction, tree included.
/// 2. `tree_work`: the tree step alone inside a write transaction. After the
///    library appends, the benchmark copies the ledger twice with
///    `VACUUM INTO`, so both copies have the same pages. Per transaction it
///    inserts into the tree copy one entry row shaped like the last entry,
///    then runs the library's own tree step for it
///    (`MerkleTreeUpkeep.appendEntry`, the code `Ledger.append` runs, with
///    the connection's statement cache and the right edge kept between
///    appends as a `Ledger` keeps them).
/// 3. `tree_transaction` minus `control_transaction`: the whole-transaction
///    time of those transactions minus that of control transactions that
///    insert the same row into the control copy and leave its tree alone.
///    The two kinds alternate, so both see the same disk and load. The
///    difference includes the extra WAL pages that the tree rows make the
///    commit write and sync.
///
/// Leaf i writes one row per trailing 1 bit of i, so half of the tree steps
/// write nothing and the times are bimodal. The report therefore uses means
/// rather than medians, trimmed by 10 % at each end against stray slow calls.
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

        let treeCopy = try LedgerCopy(of: path, suffix: "tree", durability: durability)
        let controlCopy = try LedgerCopy(of: path, suffix: "control", durability: durability)
        var controlSeconds: [Double] = []
        var treeTransactionSeconds: [Double] = []
        var treeWorkSeconds: [Double] = []
        let upkeep = MerkleTreeUpkeep(connection: treeCopy.connection)
        for _ in 0..<appends {
            let (_, control) = try timed {
                try controlCopy.connection.transaction(.immediate) { _ = try controlCopy.insertEntry() }
            }
            controlSeconds.append(control)

            var work = 0.0
            let (_, transaction) = try timed {
                try treeCopy.connection.transaction(.immediate) {
                    let previousHash = treeCopy.lastEntryHash
                    let entryHash = try treeCopy.insertEntry()
                    let start = monotonicSeconds()
                    try upkeep.appendEntry(sequence: treeCopy.sequence, entryHash: entryHash,
                                           previousEntryHash: previousHash)
                    work = monotonicSeconds() - start
                }
            }
            treeTransactionSeconds.append(transaction)
            treeWorkSeconds.append(work)
        }
        printMicroseconds("\(prefix).control_transaction", controlSeconds)
        printMicroseconds("\(prefix).tree_transaction", treeTransactionSeconds)
        printMicroseconds("\(prefix).tree_work", treeWorkSeconds)

        let ledger = try Ledger(path: treeCopy.path, options: options)
        let tree = ledger.merkleTree()
        var leafHashes: [[UInt8]] = []
        try ledger.entries { leafHashes.append(MerkleTree.leafHash(leafInput: $0.hash)) }
        guard try tree.root(size: leafHashes.count) == MerkleTree.root(leafHashes: leafHashes) else {
            throw BenchFailure("the tree that the timed steps built in \(treeCopy.path) has the wrong root")
        }
    }
}

/// A copy of a ledger file, made with `VACUUM INTO`, with a connection that
/// inserts entry rows shaped like the copy's last entry.
private final class LedgerCopy {
    let path: String
    let connection: Connection
    private let template: Row
    private(set) var sequence: Int64
    private(set) var lastEntryHash: [UInt8]

    init(of source: String, suffix: String, durability: Durability) throws {
        path = "\(source).\(suffix)"
        try Connection(path: source, mode: .readOnly).execute("VACUUM INTO '\(path)'")
        connection = try Connection(path: path, mode: .readWrite)
        try connection.setBusyTimeout(milliseconds: 60_000)
        guard try connection.query("PRAGMA journal_mode=WAL").first?.text(0) == "wal" else {
            throw BenchFailure("cannot switch \(path) to WAL mode")
        }
        try connection.execute("PRAGMA synchronous=\(durability == .full ? "FULL" : "NORMAL")")
        guard let last = try connection.query("""
            SELECT recorded_at, kind, actor, canonical, entry_hash, signer_kid, signature, seq
            FROM entries ORDER BY seq DESC LIMIT 1
            """).first, let hash = last.bytes(4) else {
            throw BenchFailure("the ledger \(source) has no entries")
        }
        template = last
        sequence = last.int64(7)
        lastEntryHash = hash
    }

    /// Inserts the next entry row, with entry hash SHA-256("merkle-bench entry <seq>"), and returns that hash.
    func insertEntry() throws -> [UInt8] {
        sequence += 1
        let entryHash = Digest.sha256(Array("merkle-bench entry \(sequence)".utf8))
        try connection.withCachedStatement("""
            INSERT INTO entries (seq, recorded_at, kind, actor, key_id, change_id, canonical, prev_hash, entry_hash, signer_kid, signature)
            VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?)
            """) { insert in
            try insert.run([.integer(sequence), template.value(0), template.value(1), template.value(2),
                            template.value(3), .blob(lastEntryHash), .blob(entryHash), template.value(5), template.value(6)])
        }
        lastEntryHash = entryHash
        return entryHash
    }
}
