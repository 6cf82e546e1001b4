import Foundation
import KeyLedger
import OpenSSLBridge
import SQLiteBridge

/// Measures inclusion and consistency proof times on a ledger of `leaves` entries.
///
/// Signing a million entries would take minutes (an estimate), and the tree
/// never reads signatures, so the ledger is built in two steps:
///
/// 1. `Ledger.create` writes a real genesis entry. The benchmark then
///    inserts entries 2 through `leaves` with SQL in one transaction, each
///    a copy of the genesis row with its own `entry_hash`, SHA-256 of
///    "merkle-bench leaf <seq>". The chain and signatures of these rows are
///    not valid, so `keyledger verify` rejects this ledger.
/// 2. `Ledger.updateMerkleTree()` adds every entry that is not yet a leaf,
///    the library's path for a ledger migrated from a schema without the
///    tree. Its time is `tree_build`: one transaction that hashes each leaf
///    and writes about two rows per leaf.
///
/// Proofs come from the public `MerkleTree.inclusionProof(leafIndex:treeSize:)`
/// and `consistencyProof(from:to:)`, each call in its own read transaction,
/// for the full tree size. The same proofs are then timed on a second tree
/// after `MerkleTree.loadIntoMemory()`, whose time is `tree_load_s`, as a
/// program that serves many proofs would keep it. Every proof is checked
/// with `MerkleProof` after its time is taken.
enum ProofTimes {
    static func run(directory: String, leaves: Int, proofs: Int, signingKey: SigningKey,
                    leafFile: String, indexFile: String) throws {
        let path = "\(directory)/proofs.ledger"
        let options = LedgerOptions(durability: .normal)
        _ = try Ledger.create(at: path, signingKey: signingKey, actor: "merkle-bench", options: options)

        let (_, loadSeconds) = try timed { try insertEntries(path: path, through: leaves) }
        printResult("entries_load_s", String(format: "%.2f", loadSeconds))

        let ledger = try Ledger(path: path, options: options)
        let (added, buildSeconds) = try timed { try ledger.updateMerkleTree() }
        // The genesis entry became a leaf when the ledger was created.
        guard added == leaves - 1 else {
            throw BenchFailure("updateMerkleTree added \(added) leaves instead of \(leaves - 1)")
        }
        printResult("tree_build_s", String(format: "%.2f", buildSeconds))

        let tree = ledger.merkleTree()
        let root = try tree.root(size: leaves)
        printResult("leaves", leaves)
        printResult("root", hexString(root))
        try writeLeafInputs(path: path, to: leafFile)

        var generator = SeededGenerator(seed: 9162)
        let leafIndices = (0..<proofs).map { _ in Int.random(in: 0..<leaves, using: &generator) }
        let oldSizes = (0..<proofs).map { _ in Int.random(in: 1..<leaves, using: &generator) }
        let indexLines = zip(leafIndices, oldSizes).map { "\($0) \($1)\n" }.joined()
        try indexLines.write(toFile: indexFile, atomically: true, encoding: .utf8)

        try timeProofs(tree, name: "", leaves: leaves, root: root, leafIndices: leafIndices, oldSizes: oldSizes)

        let loadedTree = ledger.merkleTree()
        let (loadedLeaves, loadedSeconds) = try timed { try loadedTree.loadIntoMemory() }
        guard loadedLeaves == leaves else {
            throw BenchFailure("loadIntoMemory read \(loadedLeaves) leaves instead of \(leaves)")
        }
        printResult("tree_load_s", String(format: "%.2f", loadedSeconds))
        try timeProofs(loadedTree, name: "in_memory.", leaves: leaves, root: root, leafIndices: leafIndices, oldSizes: oldSizes)
    }

    /// Times one inclusion proof per leaf index and one consistency proof
    /// per old size, and prints their statistics with `name` before each result name.
    private static func timeProofs(_ tree: MerkleTree, name: String, leaves: Int, root: [UInt8],
                                   leafIndices: [Int], oldSizes: [Int]) throws {
        var inclusionSeconds: [Double] = []
        for (number, leafIndex) in leafIndices.enumerated() {
            let (proof, seconds) = try timed { try tree.inclusionProof(leafIndex: leafIndex, treeSize: leaves) }
            inclusionSeconds.append(seconds)
            guard MerkleProof.verifyInclusion(leafHash: try tree.leafHash(at: leafIndex), leafIndex: leafIndex,
                                              treeSize: leaves, proof: proof, root: root) else {
                throw BenchFailure("the inclusion proof of leaf \(leafIndex) does not verify")
            }
            if number == 0 {
                printResult("\(name)inclusion.first_proof", proof.map(hexString).joined(separator: ","))
            }
        }
        printMicroseconds("\(name)inclusion", inclusionSeconds)

        var consistencySeconds: [Double] = []
        for (number, oldSize) in oldSizes.enumerated() {
            let (proof, seconds) = try timed { try tree.consistencyProof(from: oldSize, to: leaves) }
            consistencySeconds.append(seconds)
            guard MerkleProof.verifyConsistency(oldSize: oldSize, newSize: leaves, oldRoot: try tree.root(size: oldSize),
                                                newRoot: root, proof: proof) else {
                throw BenchFailure("the consistency proof from \(oldSize) to \(leaves) does not verify")
            }
            if number == 0 {
                printResult("\(name)consistency.first_proof", proof.map(hexString).joined(separator: ","))
            }
        }
        printMicroseconds("\(name)consistency", consistencySeconds)
    }

    /// Inserts entries 2 through `last` as copies of the genesis row with their own entry hashes.
    private static func insertEntries(path: String, through last: Int) throws {
        let connection = try Connection(path: path, mode: .readWrite)
        try connection.execute("PRAGMA synchronous=NORMAL")
        guard let genesis = try connection.query("""
            SELECT recorded_at, kind, actor, canonical, entry_hash, signer_kid, signature FROM entries WHERE seq = 1
            """).first, var previousHash = genesis.bytes(4) else {
            throw BenchFailure("the ledger \(path) has no genesis entry")
        }
        try connection.transaction(.immediate) {
            let insert = try connection.prepare("""
                INSERT INTO entries (seq, recorded_at, kind, actor, key_id, change_id, canonical, prev_hash, entry_hash, signer_kid, signature)
                VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?)
                """)
            for sequence in stride(from: 2, through: last, by: 1) {
                let entryHash = Digest.sha256(Array("merkle-bench leaf \(sequence)".utf8))
                try insert.bind([.integer(Int64(sequence)), genesis.value(0), genesis.value(1), genesis.value(2),
                                 genesis.value(3), .blob(previousHash), .blob(entryHash), genesis.value(5), genesis.value(6)])
                while try insert.step() != nil {}
                previousHash = entryHash
            }
        }
    }

    /// Writes the entry hashes, the leaf inputs, in sequence order as 32-byte records.
    private static func writeLeafInputs(path: String, to leafFile: String) throws {
        let connection = try Connection(path: path, mode: .readOnly)
        var bytes: [UInt8] = []
        let select = try connection.prepare("SELECT entry_hash FROM entries ORDER BY seq")
        try select.bind([])
        try select.forEachRow { row in
            guard let hash = row.bytes(0), hash.count == MerkleTree.hashByteCount else {
                throw BenchFailure("an entry in \(path) has an entry hash that is not 32 bytes")
            }
            bytes.append(contentsOf: hash)
        }
        guard FileManager.default.createFile(atPath: leafFile, contents: Data(bytes)) else {
            throw BenchFailure("cannot write the leaf inputs to \(leafFile)")
        }
    }
}
