import Foundation
@testable import KeyLedger
import OpenSSLBridge
import SQLiteBridge
import XCTest

/// Timings of the stored tree, printed rather than asserted, because they
/// depend on the machine. They run only when the environment variable
/// KEYLEDGER_MERKLE_BENCHMARK is set. Optimized builds give the useful numbers:
///
///     KEYLEDGER_MERKLE_BENCHMARK=1 swift test -c release -Xswiftc -enable-testing \
///         --filter KeyLedgerTests.MerkleBenchmarkTests
final class MerkleBenchmarkTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["KEYLEDGER_MERKLE_BENCHMARK"] != nil,
                          "set KEYLEDGER_MERKLE_BENCHMARK=1 to run the Merkle tree benchmarks")
        directory = try TemporaryDirectory(self)
    }

    private func microseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
    }

    /// Opens a database file with the ledger's pragmas and every migration applied.
    private func makeDatabase(_ name: String) throws -> Connection {
        let connection = try Connection(path: directory.path(name), mode: .readWriteCreate)
        _ = try connection.query("PRAGMA journal_mode=WAL")
        try connection.execute("PRAGMA synchronous=FULL")
        for migration in embeddedSchemaMigrations {
            try connection.execute(migration.sql)
        }
        return connection
    }

    /// Returns an entry whose only meaningful fields are the ones the tree reads: sequence number and hash.
    private func placeholderEntry(sequence: Int) -> Entry {
        Entry(sequence: Int64(sequence), recordedAt: Timestamp(millisecondsSinceEpoch: 0), kind: .note, actor: "bench",
              body: [:], ledgerID: "bench", signerKeyID: "kid", algorithm: "EdDSA", canonical: [],
              previousHash: [UInt8](repeating: 0, count: 32), hash: Digest.sha256(Array(String(sequence).utf8)), signature: "")
    }

    func testProofTimeAtOneMillionLeaves() throws {
        let leafCount = 1_000_000
        let connection = try makeDatabase("tree.db")
        let tree = MerkleTree(connection: connection)
        var leafHashes: [[UInt8]] = []
        leafHashes.reserveCapacity(leafCount)

        let clock = ContinuousClock()
        let buildStart = clock.now
        try connection.transaction(.immediate) {
            var batch: [[UInt8]] = []
            for index in 0..<leafCount {
                let input = Digest.sha256(Array(String(index).utf8))
                batch.append(input)
                leafHashes.append(MerkleTree.leafHash(leafInput: input))
                if batch.count == 10_000 {
                    try tree.append(leafInputs: batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            try tree.append(leafInputs: batch)
        }
        let buildTime = clock.now - buildStart
        XCTAssertEqual(try tree.size(), leafCount)
        XCTAssertEqual(tree.store.writeCount, 2 * leafCount - leafCount.nonzeroBitCount)
        let root = try tree.root(size: leafCount)
        XCTAssertEqual(root, MerkleTree.root(leafHashes: leafHashes))

        let samples = 2000
        var inclusionTimes: [Double] = []
        var consistencyTimes: [Double] = []
        for _ in 0..<samples {
            let treeSize = Int.random(in: leafCount / 2...leafCount)
            let leafIndex = Int.random(in: 0..<treeSize)
            var start = clock.now
            let inclusion = try tree.inclusionProof(leafIndex: leafIndex, treeSize: treeSize)
            inclusionTimes.append(microseconds(clock.now - start))

            let oldSize = Int.random(in: 1...treeSize)
            start = clock.now
            let consistency = try tree.consistencyProof(from: oldSize, to: treeSize)
            consistencyTimes.append(microseconds(clock.now - start))

            if treeSize == leafCount {
                XCTAssertTrue(MerkleProof.verifyInclusion(leafHash: leafHashes[leafIndex], leafIndex: leafIndex,
                                                          treeSize: treeSize, proof: inclusion, root: root))
            }
            XCTAssertFalse(consistency.isEmpty && oldSize != treeSize)
        }
        inclusionTimes.sort()
        consistencyTimes.sort()
        func summary(_ times: [Double]) -> String {
            String(format: "mean %.1f us, median %.1f us, p99 %.1f us, max %.1f us",
                   times.reduce(0, +) / Double(times.count), times[times.count / 2],
                   times[times.count * 99 / 100], times[times.count - 1])
        }
        print("""
            Merkle benchmark, \(leafCount) leaves in a file database:
              build: \(String(format: "%.2f", microseconds(buildTime) / 1e6)) s, \(tree.store.writeCount) node rows \
            (\(String(format: "%.3f", Double(tree.store.writeCount) / Double(leafCount))) per leaf)
              inclusion proof (\(samples) random, tree sizes \(leafCount / 2)-\(leafCount)): \(summary(inclusionTimes))
              consistency proof (\(samples) random): \(summary(consistencyTimes))
            """)
    }

    func testTreeShareOfAppendTime() throws {
        let appendCount = 300
        let signingKey = try SigningKey.generate(.edDSA)
        let ledger = try Ledger.create(at: directory.path("ledger.db"), signingKey: signingKey, actor: "benchmark")
        try ledger.append((0..<1000).map { try Event(kind: .note, actor: "bench", body: ["n": .number(Double($0))]) },
                          signingKey: signingKey)

        let clock = ContinuousClock()
        let appendStart = clock.now
        for index in 0..<appendCount {
            try ledger.append(Event(kind: .note, actor: "bench", body: ["n": .number(Double(index))]), signingKey: signingKey)
        }
        let appendMean = microseconds(clock.now - appendStart) / Double(appendCount)

        // The tree upkeep of the same single-entry write transaction, timed
        // inside the transaction in a scratch database with placeholder entries.
        let connection = try makeDatabase("scratch.db")
        var upkeepTotal = 0.0
        for sequence in 1...appendCount {
            let entry = placeholderEntry(sequence: sequence)
            try connection.transaction(.immediate) {
                try connection.run("""
                    INSERT INTO entries (seq, recorded_at, kind, actor, canonical, prev_hash, entry_hash, signer_kid, signature)
                    VALUES (?, '2024-01-01T00:00:00.000Z', 'note', 'bench', zeroblob(300), zeroblob(32), ?, 'kid', 'sig')
                    """, [.integer(Int64(sequence)), .blob(entry.hash)])
                let upkeepStart = clock.now
                try MerkleTree(connection: connection).append([entry])
                upkeepTotal += microseconds(clock.now - upkeepStart)
            }
        }
        let upkeepMean = upkeepTotal / Double(appendCount)
        print("""
            Merkle upkeep per single-entry append (synchronous=FULL, WAL), \(appendCount) appends:
              ledger append, upkeep included: mean \(String(format: "%.1f", appendMean)) us
              MerkleTree.append inside the transaction: mean \(String(format: "%.1f", upkeepMean)) us \
            (\(String(format: "%.2f", 100 * upkeepMean / appendMean)) % of an append)
            """)
    }
}
