import Foundation
@testable import KeyLedger
import OpenSSLBridge
import SQLiteBridge
import XCTest

/// The right edge that appends keep between calls: used when it matches the
/// ledger, ignored after another connection appended or an append rolled back.
final class MerkleAppendStateTests: XCTestCase {
    private func makeLedger(_ directory: TemporaryDirectory, entries: Int) throws -> (Ledger, SigningKey) {
        let signingKey = try SigningKey.generate(.edDSA)
        let ledger = try Ledger.create(at: directory.path("ledger.db"), signingKey: signingKey, actor: "merkle-test")
        for number in 1..<entries {
            try ledger.append(Event(kind: .note, actor: "alice", body: ["n": .number(Double(number))]), signingKey: signingKey)
        }
        return (ledger, signingKey)
    }

    private func note(_ text: String) throws -> Event {
        try Event(kind: .note, actor: "bob", body: ["text": .string(text)])
    }

    /// Checks every stored row against the entries and the root against one computed in memory.
    private func assertTreeMatchesEntries(_ ledger: Ledger, file: StaticString = #filePath, line: UInt = #line) throws {
        var leafHashes: [[UInt8]] = []
        try ledger.entries { leafHashes.append(MerkleTree.leafHash(leafInput: $0.hash)) }
        let tree = ledger.merkleTree()
        let audit = try tree.audit()
        XCTAssertNil(audit.discrepancy, "\(String(describing: audit.discrepancy?.detail))", file: file, line: line)
        XCTAssertEqual(audit.leafCount, leafHashes.count, file: file, line: line)
        XCTAssertEqual(try tree.root(size: leafHashes.count), MerkleTree.root(leafHashes: leafHashes), file: file, line: line)
    }

    /// Inserts the next entry row with SQL, a copy of the newest row with
    /// entry hash `entryHash`, and returns the sequence number and the
    /// previous entry hash. The caller must hold a write transaction.
    private func insertEntryRow(_ connection: Connection, entryHash: [UInt8]) throws -> (sequence: Int64, previousHash: [UInt8]) {
        let newest = try XCTUnwrap(connection.query(
            "SELECT seq, recorded_at, kind, actor, canonical, entry_hash, signer_kid, signature FROM entries ORDER BY seq DESC LIMIT 1").first)
        let sequence = newest.int64(0) + 1
        let previousHash = try XCTUnwrap(newest.bytes(5))
        try connection.run("""
            INSERT INTO entries (seq, recorded_at, kind, actor, key_id, change_id, canonical, prev_hash, entry_hash, signer_kid, signature)
            VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?)
            """, [.integer(sequence), newest.value(1), newest.value(2), newest.value(3), newest.value(4),
                  .blob(previousHash), .blob(entryHash), newest.value(6), newest.value(7)])
        return (sequence, previousHash)
    }

    func testEdgeReplacesSiblingReads() throws {
        let directory = try TemporaryDirectory(self)
        // Leaf 3, the fourth entry's, merges with a level-1 node, which an append without an edge reads.
        let (ledger, _) = try makeLedger(directory, entries: 3)
        let state = MerkleTree.AppendState(connection: ledger.connection)
        var readCounts: [Int] = []
        for number in 0..<12 {
            try ledger.connection.transaction(.immediate) {
                let entryHash = Digest.sha256(Array("edge test entry \(number)".utf8))
                let (sequence, previousHash) = try insertEntryRow(ledger.connection, entryHash: entryHash)
                let tree = MerkleTree(connection: ledger.connection, appendState: state)
                try tree.append(entryHashes: [entryHash], firstSequence: sequence, previousEntryHash: previousHash)
                readCounts.append(tree.store.readCount)
            }
        }

        XCTAssertGreaterThan(readCounts[0], 0, "the first append has no edge and reads its level-1 sibling")
        XCTAssertEqual(Array(readCounts.dropFirst()), Array(repeating: 0, count: 11), "later appends take every sibling from the edge")
        try assertTreeMatchesEntries(ledger)
    }

    func testEdgeIgnoredAfterOtherConnectionAppends() throws {
        let directory = try TemporaryDirectory(self)
        let (first, signingKey) = try makeLedger(directory, entries: 4)
        let second = try Ledger(path: first.path)

        // Each round leaves the first ledger's edge behind by one to four
        // entries, so its next append starts at odd and even leaf indices.
        for round in 1...4 {
            try first.append(note("first \(round)"), signingKey: signingKey)
            for number in 0..<round {
                try second.append(note("second \(round).\(number)"), signingKey: signingKey)
            }
            try first.append(note("first again \(round)"), signingKey: signingKey)
            try assertTreeMatchesEntries(first)
        }
        XCTAssertEqual(try first.head()?.sequence, 4 + 4 * 2 + 10)
    }

    func testEdgeIgnoredAfterRolledBackAppend() throws {
        let directory = try TemporaryDirectory(self)
        // Four entries: the rolled-back leaf 4 and the replacing entry 5 sit
        // at an even index, so the next append, leaf 5, merges with leaf 4
        // and would use the rolled-back leaf if the edge were taken.
        let (first, signingKey) = try makeLedger(directory, entries: 4)
        let state = first.treeAppendState
        struct Abort: Error {}
        XCTAssertThrowsError(try first.connection.transaction(.immediate) {
            let entryHash = Digest.sha256(Array("rolled back".utf8))
            let (sequence, previousHash) = try insertEntryRow(first.connection, entryHash: entryHash)
            try MerkleTree(connection: first.connection, appendState: state)
                .append(entryHashes: [entryHash], firstSequence: sequence, previousEntryHash: previousHash)
            throw Abort()
        })
        XCTAssertEqual(state.edge?.size, 5, "the edge still ends at the rolled-back leaf")

        let second = try Ledger(path: first.path)
        try second.append(note("replaces the rolled-back entry"), signingKey: signingKey)
        try first.append(note("after the rollback"), signingKey: signingKey)

        XCTAssertEqual(try first.head()?.sequence, 6)
        try assertTreeMatchesEntries(first)
    }

    func testAppendRefillsRowsDeletedBehindEdge() throws {
        let directory = try TemporaryDirectory(self)
        let (ledger, signingKey) = try makeLedger(directory, entries: 6)
        // Another connection removes the last rows, as a hand edit would.
        // The next writing append checks the row count and fills them in.
        let raw = try Connection(path: ledger.path, mode: .readWrite)
        try raw.execute("DROP TRIGGER merkle_tree_no_delete")
        try raw.run("DELETE FROM merkle_tree WHERE position >= 3")

        try ledger.append(note("seventh"), signingKey: signingKey)
        try ledger.append(note("eighth"), signingKey: signingKey)

        try assertTreeMatchesEntries(ledger)
    }
}
