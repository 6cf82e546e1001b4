import Foundation
import XCTest

/// `keyledger verify --checkpoint`: ledgers cut, rewritten or forked after a
/// checkpoint was signed fail with the tree size where they part from it.
final class CheckpointVerifyTests: CheckpointCLITestCase {
    private func verify(_ ledger: CheckpointedLedger, _ extra: [String]) throws -> ProgramRun {
        try keyledger(["verify", "--ledger", ledger.ledger, "--trust-anchor", ledger.trustAnchor] + extra)
    }

    /// Copies a ledger file; every keyledger process has closed it, so it has no WAL file to carry along.
    private func copy(_ ledger: CheckpointedLedger, to name: String) throws -> CheckpointedLedger {
        try FileManager.default.copyItem(atPath: ledger.ledger, toPath: path(name))
        return CheckpointedLedger(ledger: path(name), signingKey: ledger.signingKey, trustAnchor: ledger.trustAnchor,
                                  checkpointKey: ledger.checkpointKey, verifierKey: ledger.verifierKey)
    }

    func testTruncationAfterCheckpointNamesSize() throws {
        let created = try createCheckpointedLedger()
        try appendNotes(created, 5)
        let early = try signCheckpoint(created, "early.txt")
        try appendNotes(created, 3)
        let late = try signCheckpoint(created, "late.txt")
        try keyledgerSucceeds(["verify", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor,
                               "--checkpoint", early, "--checkpoint", late])

        // A careful truncation: the entries after 7 and their tree nodes go, so the chain and the tree still verify.
        try sqlite3(created.ledger, """
            DROP TRIGGER entries_no_delete; DROP TRIGGER merkle_tree_no_delete;
            DELETE FROM entries WHERE seq > 7; DELETE FROM merkle_tree WHERE position >= 4;
            """)
        try keyledgerSucceeds(["verify", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor])

        let run = try verify(created, ["--checkpoint", late, "--checkpoint", early])
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(run.outputLines.first, "INVALID: entry 8: checkpoint_mismatch")
        let detail = try XCTUnwrap(run.outputLines.dropFirst().first)
        XCTAssertTrue(detail.contains("the ledger ends at entry 7"), detail)
        XCTAssertTrue(detail.contains("checkpoint of tree size 9"), detail)
        XCTAssertTrue(detail.contains("entries 8 to 9 were cut from the end"), detail)
        XCTAssertTrue(detail.contains("agrees with the checkpoint of tree size 6"), detail)
    }

    func testNaiveTruncationIsTreeMismatch() throws {
        let created = try createCheckpointedLedger()
        try appendNotes(created, 4)
        try sqlite3(created.ledger, "DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE seq > 3;")
        let run = try verify(created, [])
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(run.outputLines.first, "INVALID: entry 4: tree_mismatch")
        XCTAssertTrue(run.outputLines.dropFirst().first?.contains("the entries from 4 on were removed") ?? false, run.summary)
    }

    func testForkedLedgerIsDetected() throws {
        let original = try createCheckpointedLedger()
        try appendNotes(original, 4)
        let shared = try signCheckpoint(original, "shared.txt")
        let fork = try copy(original, to: "fork.db")
        try appendNotes(original, 3, text: "original")
        try appendNotes(fork, 3, text: "fork")
        let originalCheckpoint = try signCheckpoint(original, "original.txt")
        try keyledgerSucceeds(["verify", "--ledger", fork.ledger, "--trust-anchor", fork.trustAnchor])

        let run = try verify(fork, ["--checkpoint", originalCheckpoint])
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(run.outputLines.first, "INVALID: entry 8: checkpoint_mismatch")
        let detail = try XCTUnwrap(run.outputLines.dropFirst().first)
        XCTAssertTrue(detail.contains("rewritten or forked"), detail)
        XCTAssertTrue(detail.contains("at or before entry 8"), detail)

        let bounded = try verify(fork, ["--checkpoint", originalCheckpoint, "--checkpoint", shared])
        XCTAssertEqual(bounded.status, 1, bounded.summary)
        XCTAssertTrue(bounded.outputLines.dropFirst().first?.contains("parts from the checkpoints after entry 5") ?? false,
                      bounded.summary)

        let proof = try keyledger(["prove", "consistency", "--ledger", fork.ledger, "--from", originalCheckpoint])
        XCTAssertEqual(proof.status, 1, proof.summary)
        XCTAssertTrue(proof.standardError.contains("parts from"), proof.summary)
    }

    func testPinnedCheckpointKey() throws {
        let created = try createCheckpointedLedger()
        let checkpoint = try signCheckpoint(created, "checkpoint.txt")
        try write("pinned.vkey", created.verifierKey + "\n")
        let pinned = try verify(created, ["--checkpoint", checkpoint, "--log-key", path("pinned.vkey")])
        XCTAssertEqual(pinned.status, 0, pinned.summary)
        XCTAssertEqual(pinned.standardError, "", pinned.summary)

        let other = try createCheckpointedLedger("other.db")
        let wrong = try verify(created, ["--checkpoint", checkpoint, "--log-key", other.verifierKey])
        XCTAssertEqual(wrong.status, 1, wrong.summary)
        XCTAssertTrue(wrong.standardError.contains(checkpoint), wrong.summary)

        let foreign = try signCheckpoint(other, "foreign.txt")
        let history = try verify(created, ["--checkpoint", foreign])
        XCTAssertEqual(history.status, 1, history.summary)
        XCTAssertTrue(history.standardError.contains("no signature by a known key"), history.summary)
    }

    func testVerifyJSONListsCheckpoints() throws {
        let created = try createCheckpointedLedger()
        try appendNotes(created, 2)
        let checkpoint = try signCheckpoint(created, "checkpoint.txt")
        try appendNotes(created, 1)
        let run = try verify(created, ["--checkpoint", checkpoint, "--json"])
        XCTAssertEqual(run.status, 0, run.summary)
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(result["merkle_tree_checked"] as? Bool, true)
        let checkpoints = try XCTUnwrap(result["checkpoints"] as? [[String: Any]], run.summary)
        XCTAssertEqual(checkpoints.first?["tree_size"] as? Int, 3)
        XCTAssertEqual(checkpoints.first?["matches"] as? Bool, true)
        XCTAssertEqual(checkpoints.first?["signer_key"] as? String, created.verifierKey)
        let keys = try XCTUnwrap(result["checkpoint_keys"] as? [[String: Any]])
        XCTAssertEqual(keys.first?["vkey"] as? String, created.verifierKey)
        let warnings = try XCTUnwrap(result["warnings"] as? [String])
        XCTAssertTrue(warnings.contains { $0.hasPrefix("entry 4 comes after the largest checkpoint (tree size 3)") }, "\(warnings)")
    }

    func testVerifyJSONForRejectedCheckpoint() throws {
        let created = try createCheckpointedLedger()
        let other = try createCheckpointedLedger("other.db")
        let foreign = try signCheckpoint(other, "foreign.txt")

        let run = try verify(created, ["--checkpoint", foreign, "--json"])

        XCTAssertEqual(run.status, 1, run.summary)
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any], run.summary)
        XCTAssertEqual(result["valid"] as? Bool, false)
        XCTAssertEqual(result["entries_checked"] as? Int, 1)
        let error = try XCTUnwrap(result["error"] as? String)
        XCTAssertTrue(error.hasPrefix("\(foreign): "), error)
        XCTAssertTrue(error.contains("no signature by a known key"), error)
        XCTAssertEqual(run.standardError, "error: \(error)\n")
    }
}
