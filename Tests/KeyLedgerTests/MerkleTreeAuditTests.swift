import Foundation
@testable import KeyLedger
import SQLiteBridge
import XCTest

/// `Ledger.verify` compares every stored Merkle tree node with the entries,
/// so an edited, missing or extra `merkle_nodes` row is an integrity failure.
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
            DROP TRIGGER merkle_nodes_no_update; DROP TRIGGER merkle_nodes_no_delete;
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
        // 16 entries: the root is the node at level 4, so only that row lies on the root's path.
        let cases: [(name: String, sql: String, sequence: Int64)] = [
            ("leaf inside the tree", "UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 0 AND idx = 5", 6),
            ("interior node off the root's path", "UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 2 AND idx = 1", 5),
            ("root node", "UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 4 AND idx = 0", 1),
            ("last leaf", "UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 0 AND idx = 15", 16),
            ("missing interior node", "DELETE FROM merkle_nodes WHERE level = 1 AND idx = 3", 7),
            ("missing leaf", "DELETE FROM merkle_nodes WHERE level = 0 AND idx = 2", 3),
            ("extra node past the tree", "INSERT INTO merkle_nodes VALUES (2, 9, zeroblob(32))", 37),
            ("extra level", "INSERT INTO merkle_nodes VALUES (7, 0, zeroblob(32))", 1),
        ]
        for (index, item) in cases.enumerated() {
            let ledger = try ledger(entries: 16, name: "altered-\(index).db")
            try tamper(ledger, item.sql)
            let result = try ledger.verify()
            XCTAssertEqual(result.failure?.reason, .treeMismatch, "\(item.name): \(String(describing: result.failure))")
            XCTAssertEqual(result.failure?.sequence, item.sequence, "\(item.name): \(String(describing: result.failure))")
            XCTAssertTrue(result.failure?.detail.contains("merkle_nodes") ?? false, "\(item.name): \(String(describing: result.failure))")
            XCTAssertFalse(result.merkleTreeChecked, item.name)
        }
    }

    func testEntriesCutBelowTreeAreFailure() throws {
        let ledger = try ledger(entries: 10, name: "cut.db")
        try tamper(ledger, "DELETE FROM entries WHERE seq > 7")
        let result = try ledger.verify()
        XCTAssertEqual(result.failure?.reason, .treeMismatch)
        XCTAssertEqual(result.failure?.sequence, 8)
        XCTAssertTrue(result.failure?.detail.contains("entries 8 to 10 were removed") ?? false, String(describing: result.failure))
    }

    func testTreeBehindEntriesIsWarning() throws {
        let ledger = try ledger(entries: 5, name: "behind.db")
        try tamper(ledger, "DELETE FROM merkle_nodes WHERE NOT (level = 0 AND idx < 2) AND NOT (level = 1 AND idx = 0)")
        let result = try ledger.verify()
        XCTAssertNil(result.failure)
        XCTAssertTrue(result.merkleTreeChecked)
        XCTAssertTrue(result.warnings.contains { $0.contains("covers 2 of the ledger's 5 entries") }, "\(result.warnings)")
    }

    func testChainFailureSkipsTreeCheck() throws {
        let ledger = try ledger(entries: 4, name: "chain.db")
        try tamper(ledger, "DROP TRIGGER entries_no_update; UPDATE entries SET prev_hash = zeroblob(32) WHERE seq = 3")
        let result = try ledger.verify()
        XCTAssertEqual(result.failure?.reason, .brokenLink)
        XCTAssertFalse(result.merkleTreeChecked)
    }
}
