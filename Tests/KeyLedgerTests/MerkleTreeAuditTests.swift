import Foundation
@testable import KeyLedger
import SQLiteBridge
import XCTest

/// `Ledger.verify` compares every stored Merkle tree node with the entries,
/// so an edited, missing or extra `merkle_tree` row is an integrity failure.
final class MerkleTreeAuditTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var signingKey: SigningKey!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        signingKey = try SigningKey.generate(.edDSA)
    }

    /// Creates a ledger of `count` entries: the genesis entry and notes.
    private func ledger(entries count: Int, name: String) throws -> Ledger {
        let ledger = try Ledger.create(at: directory.path(name), signingKey: signingKey, actor: "audit-test")
        try ledger.append((1..<count).map { try Event(kind: .note, actor: "alice", body: ["n": .number(Double($0))]) },
                          signingKey: signingKey)
        return ledger
    }

    private func tamper(_ ledger: Ledger, _ sql: String) throws {
        let connection = try Connection(path: ledger.path, mode: .readWrite)
        try connection.execute("""
            DROP TRIGGER merkle_tree_no_update; DROP TRIGGER merkle_tree_no_delete;
            DROP TRIGGER entries_no_delete; \(sql)
            """)
    }

    func testIntactTreeIsChecked() throws {
        for count in [1, 2, 3, 16, 37] {
            let result = try ledger(entries: count, name: "intact-\(count).db").verify()
            XCTAssertNil(result.failure, "\(count) entries")
            XCTAssertTrue(result.merkleTreeChecked, "\(count) entries")
        }
    }

    func testAlteredRowsAreFailures() throws {
        // 16 entries have rows 0 to 14. The root (level 4) is row 14, the only
        // row on the root's path; position(level, idx) = m - popcount(m) + level - 1
        // with m = (idx + 1) * 2^level - 1.
        let cases: [(name: String, sql: String, sequence: Int64)] = [
            ("first row", "UPDATE merkle_tree SET hash = zeroblob(32) WHERE position = 0", 1),
            ("interior node off the root's path", "UPDATE merkle_tree SET hash = zeroblob(32) WHERE position = 5", 5),
            ("root node", "UPDATE merkle_tree SET hash = zeroblob(32) WHERE position = 14", 1),
            ("last level-1 node", "UPDATE merkle_tree SET hash = zeroblob(32) WHERE position = 11", 15),
            ("missing interior node", "DELETE FROM merkle_tree WHERE position = 4", 7),
            ("missing last row", "DELETE FROM merkle_tree WHERE position = 14", 1),
            ("extra row past the tree", "INSERT INTO merkle_tree VALUES (16, zeroblob(32))", 17),
            ("rows of a longer tree", "INSERT INTO merkle_tree VALUES (15, zeroblob(32))", 17),
        ]
        for (index, item) in cases.enumerated() {
            let ledger = try ledger(entries: 16, name: "altered-\(index).db")
            try tamper(ledger, item.sql)
            let result = try ledger.verify()
            XCTAssertEqual(result.failure?.reason, .treeMismatch, "\(item.name): \(String(describing: result.failure))")
            XCTAssertEqual(result.failure?.sequence, item.sequence, "\(item.name): \(String(describing: result.failure))")
            XCTAssertTrue(result.failure?.detail.contains("merkle_tree") ?? false, "\(item.name): \(String(describing: result.failure))")
            XCTAssertFalse(result.merkleTreeChecked, item.name)
        }
    }

    func testEntriesCutBelowTreeAreFailure() throws {
        let ledger = try ledger(entries: 10, name: "cut.db")
        try tamper(ledger, "DELETE FROM entries WHERE seq > 7")
        let result = try ledger.verify()
        XCTAssertEqual(result.failure?.reason, .treeMismatch)
        XCTAssertEqual(result.failure?.sequence, 8)
        XCTAssertTrue(result.failure?.detail.contains("a tree of 10 or 11 leaves, but the ledger has only 7 entries: the entries from 8 on were removed") ?? false, String(describing: result.failure))
    }

    func testTreeBehindEntriesIsWarning() throws {
        let ledger = try ledger(entries: 5, name: "behind.db")
        // Row 0 alone is the tree of 2 or 3 leaves; the third leaf needs no row.
        try tamper(ledger, "DELETE FROM merkle_tree WHERE position > 0")
        let result = try ledger.verify()
        XCTAssertNil(result.failure)
        XCTAssertTrue(result.merkleTreeChecked)
        XCTAssertTrue(result.warnings.contains { $0.contains("covers 3 of the ledger's 5 entries") }, "\(result.warnings)")
    }

    func testChainFailureSkipsTreeCheck() throws {
        let ledger = try ledger(entries: 4, name: "chain.db")
        try tamper(ledger, "DROP TRIGGER entries_no_update; UPDATE entries SET prev_hash = zeroblob(32) WHERE seq = 3")
        let result = try ledger.verify()
        XCTAssertEqual(result.failure?.reason, .brokenLink)
        XCTAssertFalse(result.merkleTreeChecked)
    }

    // MARK: - The audit fed by the chain check

    /// `Ledger.verify` feeds the audit the entry hashes that its chain check
    /// read, one batch at a time. Each altered row must fail where the audit
    /// that reads the entries itself fails, whatever the batch size.
    func testAlteredRowsFailAtEveryBatchSize() throws {
        let cases: [(name: String, sql: String, sequence: Int64)] = [
            ("first row", "UPDATE merkle_tree SET hash = zeroblob(32) WHERE position = 0", 1),
            ("interior node off the root's path", "UPDATE merkle_tree SET hash = zeroblob(32) WHERE position = 5", 5),
            ("last level-1 node", "UPDATE merkle_tree SET hash = zeroblob(32) WHERE position = 11", 15),
            ("missing interior node", "DELETE FROM merkle_tree WHERE position = 4", 7),
            ("extra row past the tree", "INSERT INTO merkle_tree VALUES (16, zeroblob(32))", 17),
        ]
        for (index, item) in cases.enumerated() {
            let ledger = try ledger(entries: 16, name: "batches-\(index).db")
            try tamper(ledger, item.sql)
            let general = try verifyOnGeneralPathInTurn(path: ledger.path, options: VerifyOptions())
            XCTAssertEqual(general.failure?.sequence, item.sequence, item.name)
            for batchSize in [1, 3, 7, 2048] {
                let label = "\(item.name), batches of \(batchSize)"
                let result = try ledger.verify(VerifyOptions(batchSize: batchSize))
                XCTAssertEqual(result.failure?.reason, .treeMismatch, label)
                XCTAssertEqual(result.failure, general.failure, label)
                XCTAssertFalse(result.merkleTreeChecked, label)
            }
        }
    }

    /// Rows that form a valid tree, but over other entry hashes than the ones
    /// the chain check read, disagree with the chain from the first row on.
    func testTreeOfOtherEntriesIsFailure() throws {
        let ledger = try ledger(entries: 12, name: "ours.db")
        let other = try self.ledger(entries: 12, name: "theirs.db")
        try tamper(ledger, """
            ATTACH DATABASE '\(other.path)' AS other;
            DELETE FROM merkle_tree;
            INSERT INTO merkle_tree SELECT position, hash FROM other.merkle_tree;
            """)
        for batchSize in [1, 5, 2048] {
            let result = try ledger.verify(VerifyOptions(batchSize: batchSize))
            XCTAssertEqual(result.failure?.reason, .treeMismatch, "batches of \(batchSize)")
            XCTAssertEqual(result.failure?.sequence, 1, "batches of \(batchSize)")
            XCTAssertTrue(result.failure?.detail.contains("the merkle_tree row 0 (level 1, index 0, over entries 1 to 2) has hash") ?? false,
                          String(describing: result.failure))
            XCTAssertTrue(result.failure?.detail.contains("the row was altered") ?? false, String(describing: result.failure))
        }
    }

    /// A node stored as text is compared as `Row` reads it, decoded as UTF-8,
    /// so a hash that is not valid UTF-8 no longer equals the node.
    func testNodeStoredAsTextIsFailure() throws {
        let ledger = try ledger(entries: 8, name: "text.db")
        let connection = try Connection(path: ledger.path, mode: .readOnly)
        let stored = try XCTUnwrap(connection.query("SELECT hash FROM merkle_tree WHERE position = 2").first?.bytes(0))
        try XCTSkipIf(String(validatingUTF8: stored.map { CChar(bitPattern: $0) } + [0]) != nil,
                      "row 2's hash is valid UTF-8 by chance, so its text form equals it")
        try tamper(ledger, """
            PRAGMA ignore_check_constraints = ON;
            UPDATE merkle_tree SET hash = CAST(hash AS TEXT) WHERE position = 2;
            """)
        let general = try verifyOnGeneralPathInTurn(path: ledger.path, options: VerifyOptions())
        let result = try ledger.verify()
        XCTAssertEqual(result.failure?.reason, .treeMismatch)
        XCTAssertEqual(result.failure?.sequence, 1)
        XCTAssertTrue(result.failure?.detail.contains("the merkle_tree row 2 (level 2, index 0, over entries 1 to 4) has hash") ?? false,
                      String(describing: result.failure))
        XCTAssertEqual(result.failure, general.failure)
    }

    /// An auditor given the first hashes reads the rest from the entries
    /// table, with the outcome of the audit that reads them all.
    func testAuditorReadsLeavesNotAdded() throws {
        let cases: [(name: String, sql: String?)] = [
            ("intact", nil),
            ("altered row", "UPDATE merkle_tree SET hash = zeroblob(32) WHERE position = 9"),
            ("missing last row", "DELETE FROM merkle_tree WHERE position = 14"),
            ("tree behind the entries", "DELETE FROM merkle_tree WHERE position > 6"),
        ]
        for (index, item) in cases.enumerated() {
            let ledger = try ledger(entries: 16, name: "partial-\(index).db")
            if let sql = item.sql {
                try tamper(ledger, sql)
            }
            let full = try ledger.merkleTree().audit()
            let hashes = try (1...16).map { try XCTUnwrap(ledger.entry(sequence: Int64($0))).hash }
            for added in [0, 1, 6, 11, 16] {
                let label = "\(item.name), \(added) hashes added"
                let partial = try ledger.withReadTransaction {
                    let auditor = try MerkleTree.Auditor(tree: ledger.merkleTree())
                    for hash in hashes.prefix(added) {
                        try hash.withUnsafeBytes { try auditor.add(entryHash: $0) }
                    }
                    return try auditor.finish()
                }
                XCTAssertEqual(partial.leafCount, full.leafCount, label)
                XCTAssertEqual(partial.entryCount, full.entryCount, label)
                XCTAssertEqual(partial.discrepancy?.sequence, full.discrepancy?.sequence, label)
                XCTAssertEqual(partial.discrepancy?.detail, full.discrepancy?.detail, label)
            }
        }
    }
}
