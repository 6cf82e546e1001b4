import Foundation
import KeyLedger
import XCTest

/// `keyledger prove inclusion`, `prove consistency` and `prove verify`, with
/// the edge cases of RFC 9162 proofs, run as a user runs them.
final class ProofCommandTests: CheckpointCLITestCase {
    private func proveVerify(_ arguments: [String], key: String) throws -> ProgramRun {
        try keyledger(["prove", "verify"] + arguments + ["--key", key])
    }

    /// Builds a ledger of `size` entries and signs a checkpoint at each of `sizes`, named `cp<size>.txt`.
    private func ledger(checkpointsAt sizes: [Int]) throws -> CheckpointedLedger {
        let created = try createCheckpointedLedger()
        var size = 1
        for target in sizes.sorted() {
            if target > size {
                try appendNotes(created, target - size)
                size = target
            }
            try signCheckpoint(created, "cp\(target).txt")
        }
        return created
    }

    /// Replaces the header line that starts with `name ` in a text proof.
    private func replacingHeader(_ proof: String, _ name: String, with value: String) -> String {
        proof.components(separatedBy: "\n").map { $0.hasPrefix("\(name) ") ? "\(name) \(value)" : $0 }.joined(separator: "\n")
    }

    private func header(_ proof: String, _ name: String) -> String? {
        proof.components(separatedBy: "\n").first { $0.hasPrefix("\(name) ") }.map { String($0.dropFirst(name.count + 1)) }
    }

    func testInclusionInOneEntryTree() throws {
        let created = try ledger(checkpointsAt: [1])
        let run = try keyledgerSucceeds(["prove", "inclusion", "--ledger", created.ledger, "--seq", "1", "--checkpoint", path("cp1.txt")])
        XCTAssertEqual(run.outputLines.first, "keyledger inclusion proof")
        XCTAssertEqual(run.outputLines.last, "", "a one-leaf tree has no proof hashes\n\(run.summary)")
        XCTAssertTrue(run.outputLines.contains("tree_size 1"), run.summary)
        try write("proof.txt", run.standardOutput)

        let verified = try proveVerify(["--inclusion", path("proof.txt"), "--checkpoint", path("cp1.txt")], key: created.verifierKey)
        XCTAssertEqual(verified.status, 0, verified.summary)
        XCTAssertTrue(verified.outputLines.first?.hasPrefix("valid: entry 1 ") ?? false, verified.summary)
    }

    func testInclusionProofVerifiesOffline() throws {
        let created = try ledger(checkpointsAt: [7])
        let json = try keyledgerSucceeds(["prove", "inclusion", "--ledger", created.ledger, "--seq", "5",
                                          "--checkpoint", path("cp7.txt"), "--json"])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(object["leaf_index"] as? Int, 4)
        XCTAssertEqual(object["tree_size"] as? Int, 7)
        XCTAssertEqual((object["proof"] as? [String])?.count, 3)
        try write("proof.json", json.standardOutput)
        // The ledger is not needed to check the proof.
        try FileManager.default.removeItem(atPath: created.ledger)

        let verified = try proveVerify(["--inclusion", path("proof.json"), "--checkpoint", path("cp7.txt"), "--json"],
                                       key: created.verifierKey)
        XCTAssertEqual(verified.status, 0, verified.summary)
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(verified.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(result["valid"] as? Bool, true)
        XCTAssertEqual(result["seq"] as? Int, 5)

        var altered = object
        var hashes = try XCTUnwrap(object["proof"] as? [String])
        hashes[1] = hashes[0]
        altered["proof"] = hashes
        try write("altered.json", JSONSerialization.data(withJSONObject: altered))
        let rejected = try proveVerify(["--inclusion", path("altered.json"), "--checkpoint", path("cp7.txt")], key: created.verifierKey)
        XCTAssertEqual(rejected.status, 1, rejected.summary)

        let otherLedger = try createCheckpointedLedger("other.db")
        let wrongKey = try proveVerify(["--inclusion", path("proof.json"), "--checkpoint", path("cp7.txt")], key: otherLedger.verifierKey)
        XCTAssertEqual(wrongKey.status, 1, wrongKey.summary)
    }

    func testFailedProofPrintsJSONResult() throws {
        let created = try ledger(checkpointsAt: [7, 8])
        let json = try keyledgerSucceeds(["prove", "inclusion", "--ledger", created.ledger, "--seq", "5",
                                          "--checkpoint", path("cp7.txt"), "--json"])
        var proof = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        var hashes = try XCTUnwrap(proof["proof"] as? [String])
        hashes[1] = hashes[0]
        proof["proof"] = hashes
        try write("altered.json", JSONSerialization.data(withJSONObject: proof))
        let consistency = try keyledgerSucceeds(["prove", "consistency", "--ledger", created.ledger,
                                                 "--from", path("cp7.txt"), "--to", path("cp8.txt")])
        try write("consistency.txt", consistency.standardOutput)

        let cases: [(type: String, arguments: [String])] = [
            ("inclusion", ["--inclusion", path("altered.json"), "--checkpoint", path("cp7.txt")]),
            ("consistency", ["--consistency", path("consistency.txt"), "--from", path("cp8.txt"), "--to", path("cp8.txt")]),
        ]
        for (type, arguments) in cases {
            let run = try proveVerify(arguments + ["--json"], key: created.verifierKey)
            XCTAssertEqual(run.status, 1, run.summary)
            XCTAssertTrue(run.standardError.hasPrefix("error: "), run.summary)
            let result = try XCTUnwrap(try? JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any],
                                       "\(type): no JSON result on standard output\n\(run.summary)")
            XCTAssertEqual(result["valid"] as? Bool, false, run.summary)
            XCTAssertEqual(result["type"] as? String, type, run.summary)
            XCTAssertFalse((result["error"] as? String ?? "").isEmpty, run.summary)
        }
    }

    func testInclusionBeyondTreeIsRejected() throws {
        let created = try ledger(checkpointsAt: [3])
        let run = try keyledger(["prove", "inclusion", "--ledger", created.ledger, "--seq", "4", "--checkpoint", path("cp3.txt")])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardOutput, "")
    }

    func testConsistencyFromSizeZero() throws {
        let created = try ledger(checkpointsAt: [5])
        // No keyledger command signs the empty tree, so the test signs it with the ledger's checkpoint key.
        let ledger = try Ledger(path: created.ledger, readOnly: true)
        let origin = try XCTUnwrap(ledger.currentCheckpointKey()?.origin)
        let signer = try NoteSigner(name: origin, privateKey: KeyFile.loadPrivateKey(path: created.checkpointKey))
        let empty = try Checkpoint(origin: origin, treeSize: 0, rootHash: MerkleTree.emptyRoot).sign(with: signer)
        try write("cp0.txt", empty.formatted)

        let run = try keyledgerSucceeds(["prove", "consistency", "--ledger", created.ledger, "--from", path("cp0.txt"),
                                         "--to", path("cp5.txt")])
        XCTAssertEqual(run.outputLines.last, "", "the proof from size 0 is empty\n\(run.summary)")
        XCTAssertTrue(run.outputLines.contains("old_size 0"), run.summary)
        try write("proof.txt", run.standardOutput)
        for oldCheckpoint in [["--from", path("cp0.txt")], []] {
            let verified = try proveVerify(["--consistency", path("proof.txt"), "--to", path("cp5.txt")] + oldCheckpoint,
                                           key: created.verifierKey)
            XCTAssertEqual(verified.status, 0, verified.summary)
        }
    }

    func testConsistencyToSameSizeIsEmpty() throws {
        let created = try ledger(checkpointsAt: [4])
        let run = try keyledgerSucceeds(["prove", "consistency", "--ledger", created.ledger, "--from", path("cp4.txt"),
                                         "--to", path("cp4.txt")])
        XCTAssertEqual(run.outputLines.last, "", run.summary)
        try write("proof.txt", run.standardOutput)
        let verified = try proveVerify(["--consistency", path("proof.txt"), "--to", path("cp4.txt"),
                                        "--from", path("cp4.txt")], key: created.verifierKey)
        XCTAssertEqual(verified.status, 0, verified.summary)

        let padded = try write("padded.txt", run.standardOutput + (header(run.standardOutput, "new_root") ?? "") + "\n")
        let rejected = try proveVerify(["--consistency", padded, "--to", path("cp4.txt"),
                                        "--from", path("cp4.txt")], key: created.verifierKey)
        XCTAssertEqual(rejected.status, 1, "only the empty proof shows a tree consistent with itself\n\(rejected.summary)")
    }

    func testConsistencyToSmallerSizeIsRejected() throws {
        let created = try ledger(checkpointsAt: [3, 6])
        let run = try keyledger(["prove", "consistency", "--ledger", created.ledger, "--from", path("cp6.txt"), "--to", path("cp3.txt")])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.contains("from a smaller tree to a larger one"), run.summary)

        let forward = try keyledgerSucceeds(["prove", "consistency", "--ledger", created.ledger, "--from", path("cp3.txt"),
                                             "--to", path("cp6.txt")])
        try write("proof.txt", forward.standardOutput)
        let swapped = try proveVerify(["--consistency", path("proof.txt"), "--to", path("cp3.txt"),
                                       "--from", path("cp6.txt")], key: created.verifierKey)
        XCTAssertEqual(swapped.status, 1, swapped.summary)
    }

    func testProofForEightPresentedAsSevenIsRejected() throws {
        let created = try ledger(checkpointsAt: [4, 7, 8])
        let run = try keyledgerSucceeds(["prove", "consistency", "--ledger", created.ledger, "--from", path("cp4.txt"),
                                         "--to", path("cp8.txt")])
        let proof = run.standardOutput
        try write("proof.txt", proof)
        let valid = try proveVerify(["--consistency", path("proof.txt"), "--to", path("cp8.txt"),
                                     "--from", path("cp4.txt")], key: created.verifierKey)
        XCTAssertEqual(valid.status, 0, valid.summary)

        let sevenRoot = try keyledgerSucceeds(["prove", "consistency", "--ledger", created.ledger, "--from", path("cp4.txt"),
                                               "--to", path("cp7.txt")]).standardOutput
        let relabelled = replacingHeader(proof, "new_size", with: "7")
        let cases: [(name: String, text: String, checkpoint: String)] = [
            ("size 7, root of 8, checkpoint of 7", relabelled, "cp7.txt"),
            ("size 7, root of 8, checkpoint of 8", relabelled, "cp8.txt"),
            ("size 7, root of 7, checkpoint of 7",
             replacingHeader(relabelled, "new_root", with: header(sevenRoot, "new_root") ?? ""), "cp7.txt"),
        ]
        for (index, item) in cases.enumerated() {
            let file = try write("relabelled-\(index).txt", item.text)
            let rejected = try proveVerify(["--consistency", file, "--to", path(item.checkpoint),
                                            "--from", path("cp4.txt")], key: created.verifierKey)
            XCTAssertEqual(rejected.status, 1, "\(item.name)\n\(rejected.summary)")
        }
    }

    func testConsistencyToCurrentTree() throws {
        let created = try ledger(checkpointsAt: [2])
        try appendNotes(created, 3)
        let run = try keyledgerSucceeds(["prove", "consistency", "--ledger", created.ledger, "--from", path("cp2.txt"), "--json"])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(object["old_size"] as? Int, 2)
        XCTAssertEqual(object["new_size"] as? Int, 5)
        XCTAssertEqual(object["type"] as? String, "consistency")
        try write("proof.json", run.standardOutput)
        let latest = try signCheckpoint(created, "cp5.txt")
        let verified = try proveVerify(["--consistency", path("proof.json"), "--to", latest,
                                        "--from", path("cp2.txt")], key: created.verifierKey)
        XCTAssertEqual(verified.status, 0, verified.summary)
        XCTAssertEqual(verified.outputLines.first?.hasPrefix("valid: the tree of size 5 extends the tree of size 2"), true, verified.summary)
    }
}
