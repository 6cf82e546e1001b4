import Foundation
import KeyLedger
import KeyLedgerReports
import OpenSSLBridge
import XCTest

/// The period's checkpoint, the previous quarter's consistency proof and the sampled changes' inclusion proofs,
/// each checked with `MerkleProof` against the ledger's own tree.
final class CheckpointEvidenceTests: XCTestCase {
    private static let origin = "example.com/keyledger"

    /// Builds a ledger with a clean rotation in 2026-Q3 and two in 2026-Q4, and a checkpoint key from genesis on when given.
    private func twoQuarters(checkpointKey: PrivateKey? = nil) throws -> Scenario {
        let scenario = try Scenario(self)
        if let checkpointKey { try scenario.addCheckpointKey(checkpointKey, origin: Self.origin) }
        try scenario.cleanRotation("CHG-1", day: "2026-09-20")
        try scenario.cleanRotation("CHG-2", day: "2026-10-05")
        try scenario.cleanRotation("CHG-3", day: "2026-11-09")
        return scenario
    }

    private func options(_ scenario: Scenario, period: String = "2026-Q4", checkpointKey: PrivateKey? = nil,
                         previous: String? = nil, sample: SampleRequest? = nil) throws -> ReportOptions {
        var options = try ReportTesting.options(scenario, period: period, sample: sample)
        options.checkpointKey = checkpointKey
        options.previousCheckpoint = previous
        return options
    }

    private func decode(_ base64: [String]) throws -> [[UInt8]] {
        try base64.map { try XCTUnwrap(Data(base64Encoded: $0).map(Array.init), "\($0) is not base64") }
    }

    private func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    func testCheckpointRootEqualsTreeRoot() throws {
        let scenario = try twoQuarters()
        let forged = try scenario.forge()
        let outcome = try ReportTesting.write(forged, try options(scenario), format: .json, scenario: scenario)
        let cover = outcome.report.cover
        let checkpoint = try XCTUnwrap(cover.checkpoint, cover.checkpointUnavailable ?? "")
        let ledger = try forged.open()
        let tree = ledger.merkleTree()

        XCTAssertEqual(Int64(checkpoint.checkpoint.treeSize), cover.lastEntry?.sequence)
        XCTAssertEqual(checkpoint.checkpoint.rootHash, try tree.root(size: checkpoint.checkpoint.treeSize))
        XCTAssertEqual(checkpoint.checkpoint.origin, LedgerCheckpointKey.defaultOrigin(ledgerID: forged.ledgerID))
        XCTAssertEqual(checkpoint.signing, .notRequested)
        XCTAssertEqual(checkpoint.text, checkpoint.checkpoint.body)
        XCTAssertEqual(try Checkpoint(body: checkpoint.text), checkpoint.checkpoint)

        let treeSize = try tree.size()
        let proof = try tree.consistencyProof(from: checkpoint.checkpoint.treeSize, to: treeSize)
        XCTAssertTrue(MerkleProof.verifyConsistency(
            oldSize: checkpoint.checkpoint.treeSize, newSize: treeSize, oldRoot: checkpoint.checkpoint.rootHash,
            newRoot: try tree.root(size: treeSize), proof: proof), "the ledger's current tree does not extend the report's checkpoint")
    }

    func testEmptyPeriodCheckpointsTheEntryBefore() throws {
        let scenario = try twoQuarters()
        let forged = try scenario.forge()
        let outcome = try ReportTesting.write(forged, try options(scenario, period: "2027-Q1"), format: .json, scenario: scenario)
        let checkpoint = try XCTUnwrap(outcome.report.cover.checkpoint)
        XCTAssertNil(outcome.report.cover.lastEntry)
        XCTAssertEqual(Int64(checkpoint.checkpoint.treeSize), outcome.report.cover.previousEntry.sequence)
        XCTAssertEqual(checkpoint.checkpoint.rootHash, try forged.open().merkleTree().root(size: checkpoint.checkpoint.treeSize))
    }

    func testCheckpointKeySignsDeterministically() throws {
        let key = try PrivateKey.generate(.ed25519)
        let scenario = try twoQuarters(checkpointKey: key)
        let forged = try scenario.forge()
        let options = try options(scenario, checkpointKey: key, sample: SampleRequest(size: 2, seed: "SOX"))
        for format in ReportFormat.allCases {
            let first = try ReportTesting.assertDeterministic(forged, options, format: format, scenario: scenario).first
            XCTAssertTrue(first.files.map(\.name).contains("report-2026-Q4.checkpoint"), format.rawValue)
            XCTAssertTrue(try ReportTesting.text(first.manifest).contains("  report-2026-Q4.checkpoint\n"), format.rawValue)
        }

        let outcome = try ReportTesting.write(forged, options, format: .json, scenario: scenario)
        let checkpoint = try XCTUnwrap(outcome.report.cover.checkpoint)
        XCTAssertEqual(checkpoint.signing, .signed, checkpoint.signingDetail)
        let file = try XCTUnwrap(outcome.files.first { $0.name == "report-2026-Q4.checkpoint" })
        let note = try SignedNote(parsing: try ReportTesting.text(file))
        let verified = try LedgerCheckpoint.verify(note, history: try forged.open().checkpointKeys())
        XCTAssertEqual(verified.checkpoint, checkpoint.checkpoint)
        XCTAssertEqual(verified.checkpoint.origin, Self.origin)
    }

    func testOtherCheckpointKeyLeavesItUnsigned() throws {
        let scenario = try twoQuarters(checkpointKey: try PrivateKey.generate(.ed25519))
        let forged = try scenario.forge()
        let outcome = try ReportTesting.write(forged, try options(scenario, checkpointKey: try PrivateKey.generate(.ed25519)),
                                              format: .markdown, scenario: scenario)
        let checkpoint = try XCTUnwrap(outcome.report.cover.checkpoint)
        XCTAssertEqual(checkpoint.signing, .keyNotCurrent)
        XCTAssertNil(checkpoint.note)
        // The report labels the reason; `keyledger report` prints it after its own "the checkpoint is not signed: ".
        let reason = try XCTUnwrap(checkpoint.unsignedReason)
        XCTAssertTrue(reason.hasPrefix("the checkpoint key given is not checkpoint key "), reason)
        XCTAssertEqual(checkpoint.signingDetail, "Unsigned: " + reason)
        XCTAssertEqual(outcome.files.map(\.name), ["report-2026-Q4.md"])
        XCTAssertTrue(outcome.isValid)
    }

    func testConsistencyProofFromPreviousQuarterVerifies() throws {
        let key = try PrivateKey.generate(.ed25519)
        let scenario = try twoQuarters(checkpointKey: key)
        let forged = try scenario.forge()
        let third = try ReportTesting.write(forged, try options(scenario, period: "2026-Q3", checkpointKey: key), format: .json, scenario: scenario)
        let previousText = try XCTUnwrap(third.report.cover.checkpoint?.text)

        for previous in [previousText, try XCTUnwrap(third.report.cover.checkpoint?.checkpoint.body)] {
            let outcome = try ReportTesting.write(forged, try options(scenario, previous: previous), format: .json, scenario: scenario)
            let check = try XCTUnwrap(outcome.report.cover.previousCheckpoint)
            let period = try XCTUnwrap(outcome.report.cover.checkpoint).checkpoint
            XCTAssertTrue(check.rootMatches)
            XCTAssertTrue(check.proofVerified)
            XCTAssertTrue(check.holds)
            XCTAssertTrue(outcome.isValid)
            XCTAssertEqual(check.signature, previous == previousText ? .verified : .unsigned, check.signatureDetail)

            // Check the proof as printed in the JSON, independently of the report's own verification.
            let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: outcome.files[0].url)) as? [String: Any])
            let cover = try XCTUnwrap(document["cover"] as? [String: Any])
            let printed = try XCTUnwrap(cover["previous_checkpoint"] as? [String: Any])
            let proof = try decode(try XCTUnwrap(printed["consistency_proof"] as? [String]))
            XCTAssertFalse(proof.isEmpty)
            XCTAssertTrue(MerkleProof.verifyConsistency(
                oldSize: check.checkpoint.treeSize, newSize: period.treeSize, oldRoot: check.checkpoint.rootHash,
                newRoot: period.rootHash, proof: proof))
        }
    }

    func testForkedLedgerIsReportedAtTheTop() throws {
        let scenario = try twoQuarters()
        let original = try scenario.forge("original.db")
        let previous = try XCTUnwrap(try ReportTesting.write(original, try options(scenario, period: "2026-Q3"), format: .json,
                                                             scenario: scenario).report.cover.checkpoint?.text)
        // The same events written again get another ledger id, so every entry hash and the tree differ: a fork.
        let fork = try scenario.forge("fork.db")
        let outcome = try ReportTesting.write(fork, try options(scenario, previous: previous), format: .markdown, scenario: scenario)
        let check = try XCTUnwrap(outcome.report.cover.previousCheckpoint)
        XCTAssertFalse(check.rootMatches)
        XCTAssertFalse(check.proofVerified)
        XCTAssertFalse(outcome.isValid)
        XCTAssertTrue(outcome.report.integrity.isValid, "the fork verifies on its own; only the previous checkpoint exposes it")
        let lines = try ReportTesting.text(outcome.files[0]).components(separatedBy: "\n")
        XCTAssertTrue(lines.prefix(6).contains { $0.hasPrefix("> **HISTORY REWRITTEN") }, lines.prefix(6).joined(separator: "\n"))
    }

    func testAlteredPreviousRootIsReported() throws {
        let scenario = try twoQuarters()
        let forged = try scenario.forge()
        let body = try XCTUnwrap(try ReportTesting.write(forged, try options(scenario, period: "2026-Q3"), format: .json,
                                                         scenario: scenario).report.cover.checkpoint?.checkpoint)
        var root = body.rootHash
        root[0] ^= 0x01
        let altered = try Checkpoint(origin: body.origin, treeSize: body.treeSize, rootHash: root)
        let outcome = try ReportTesting.write(forged, try options(scenario, previous: altered.body), format: .json, scenario: scenario)
        XCTAssertEqual(outcome.report.cover.previousCheckpoint?.rootMatches, false)
        XCTAssertFalse(outcome.isValid)
    }

    func testAlteredPreviousSignatureFails() throws {
        let key = try PrivateKey.generate(.ed25519)
        let scenario = try twoQuarters(checkpointKey: key)
        let forged = try scenario.forge()
        let note = try XCTUnwrap(try ReportTesting.write(forged, try options(scenario, period: "2026-Q3", checkpointKey: key),
                                                         format: .json, scenario: scenario).report.cover.checkpoint?.note)
        var signature = note.signatures[0]
        var signed = signature.signature
        signed[0] ^= 0x01
        signature = try NoteSignature(keyName: signature.keyName, keyID: signature.keyID, signature: signed)
        let altered = try SignedNote(text: note.text, signatures: [signature])

        let outcome = try ReportTesting.write(forged, try options(scenario, previous: altered.formatted), format: .json, scenario: scenario)
        let check = try XCTUnwrap(outcome.report.cover.previousCheckpoint)
        XCTAssertTrue(check.rootMatches)
        XCTAssertEqual(check.signature, .invalid)
        XCTAssertFalse(outcome.isValid)
    }

    func testUnparsablePreviousCheckpointIsRejected() throws {
        let scenario = try twoQuarters()
        let forged = try scenario.forge()
        XCTAssertThrowsError(try ReportTesting.write(forged, try options(scenario, previous: "not a checkpoint"), format: .json,
                                                     scenario: scenario)) { error in
            XCTAssertEqual((error as? ReportError)?.code, .invalidOption)
        }
    }

    func testSampledChangesInclusionProofsVerify() throws {
        let scenario = try Scenario(self)
        try scenario.buildSampleQuarter()
        let forged = try scenario.forge()
        let outcome = try ReportTesting.write(forged, try options(scenario, sample: SampleRequest(size: 2, seed: "SOX-2026-Q4")),
                                              format: .json, scenario: scenario)
        let checkpoint = try XCTUnwrap(outcome.report.cover.checkpoint).checkpoint
        let ledger = try forged.open()
        let selected = try XCTUnwrap(outcome.report.sample?.selected)
        XCTAssertEqual(selected.count, 2)
        for selection in selected {
            var expected: [Int64] = []
            try ledger.entries(EntryFilter(changeID: selection.change, sequences: 1...Int64(checkpoint.treeSize))) { expected.append($0.sequence) }
            XCTAssertEqual(selection.inclusionProofs.map(\.entry.sequence), expected, selection.change)
            XCTAssertFalse(expected.isEmpty, selection.change)
            for proof in selection.inclusionProofs {
                let leafHash = MerkleTree.leafHash(leafInput: bytes(hex: proof.entry.hashHex))
                XCTAssertEqual(proof.leafIndex, Int(proof.entry.sequence) - 1)
                XCTAssertEqual(proof.leafHash, leafHash)
                XCTAssertTrue(proof.verified)
                XCTAssertTrue(MerkleProof.verifyInclusion(leafHash: leafHash, leafIndex: proof.leafIndex, treeSize: checkpoint.treeSize,
                                                          proof: proof.proof, root: checkpoint.rootHash),
                              "entry \(proof.entry.sequence) of \(selection.change)")
            }
        }
    }

    func testJSONWithCheckpointsValidates() throws {
        let key = try PrivateKey.generate(.ed25519)
        let scenario = try twoQuarters(checkpointKey: key)
        let forged = try scenario.forge()
        let previous = try XCTUnwrap(try ReportTesting.write(forged, try options(scenario, period: "2026-Q3", checkpointKey: key),
                                                             format: .json, scenario: scenario).report.cover.checkpoint?.text)
        let outcome = try ReportTesting.write(forged, try options(scenario, checkpointKey: key, previous: previous,
                                                                  sample: SampleRequest(size: 3, seed: "SOX")),
                                              format: .json, scenario: scenario)
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("reports/report.schema.json").path
        let report = try XCTUnwrap(outcome.files.first { $0.name.hasSuffix(".json") })
        let result = try XCTUnwrap(Program.reportCheck("schema", [schema, report.path]) as? [String: Any])
        XCTAssertEqual(result["valid"] as? Bool, true, "\(result["errors"] ?? "")")
    }

    func testCommandExitsOneOnAForkedLedger() throws {
        let key = try PrivateKey.generate(.ed25519)
        let scenario = try twoQuarters(checkpointKey: key)
        let original = try scenario.forge("original.db")
        let keyPath = scenario.directory.path("checkpoint-key.pem")
        try KeyFile.writePrivateKey(key, to: keyPath)
        func run(_ ledger: ForgedLedger, _ period: String, out: String, _ extra: [String]) throws -> Program.Output {
            try KeyledgerBinary.run(["report", "--ledger", ledger.path, "--period", period, "--format", "html",
                                     "--out", scenario.directory.path(out), "--trust-anchor", scenario.trustAnchor,
                                     "--no-record", "--checkpoint-key", keyPath] + extra)
        }

        let third = try run(original, "2026-Q3", out: "q3", [])
        XCTAssertEqual(third.status, 0, third.standardError)
        let previous = scenario.directory.path("q3/report-2026-Q3.checkpoint")
        XCTAssertTrue(try String(contentsOfFile: scenario.directory.path("q3/report-2026-Q3.html.sha256"), encoding: .utf8)
            .contains("  report-2026-Q3.checkpoint\n"))

        let fourth = try run(original, "2026-Q4", out: "q4", ["--previous-checkpoint", previous])
        XCTAssertEqual(fourth.status, 0, fourth.standardError)

        let fork = try scenario.forge("fork.db")
        let forked = try run(fork, "2026-Q4", out: "fork", ["--previous-checkpoint", previous])
        XCTAssertEqual(forked.status, 1, forked.standardError)
        XCTAssertTrue(forked.standardError.contains("the previous checkpoint (tree size"), forked.standardError)
        let html = try String(contentsOfFile: scenario.directory.path("fork/report-2026-Q4.html"), encoding: .utf8)
        let banner = try XCTUnwrap(html.range(of: "HISTORY REWRITTEN"))
        let cover = try XCTUnwrap(html.range(of: "<section id=\"cover\">"))
        XCTAssertLessThan(banner.lowerBound, cover.lowerBound, "the rewrite is stated before the first section")
        XCTAssertTrue(html.contains("status invalid"))
    }

    func testAlteredPreviousCheckpointNamesBothFailures() throws {
        let key = try PrivateKey.generate(.ed25519)
        let scenario = try twoQuarters(checkpointKey: key)
        let ledger = try scenario.forge()
        let keyPath = scenario.directory.path("checkpoint-key.pem")
        try KeyFile.writePrivateKey(key, to: keyPath)
        let common = ["--ledger", ledger.path, "--format", "json", "--trust-anchor", scenario.trustAnchor, "--no-record"]
        let third = try KeyledgerBinary.run(["report", "--period", "2026-Q3", "--out", scenario.directory.path("q3"),
                                             "--checkpoint-key", keyPath] + common)
        XCTAssertEqual(third.status, 0, third.standardError)

        // A different root under the original signature: the root does not match, and the signature fails.
        let text = try String(contentsOfFile: scenario.directory.path("q3/report-2026-Q3.checkpoint"), encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        lines[2] = Data(repeating: 7, count: 32).base64EncodedString()
        let altered = scenario.directory.path("altered.checkpoint")
        try lines.joined(separator: "\n").write(toFile: altered, atomically: true, encoding: .utf8)

        let fourth = try KeyledgerBinary.run(["report", "--period", "2026-Q4", "--out", scenario.directory.path("q4"),
                                              "--previous-checkpoint", altered] + common)
        XCTAssertEqual(fourth.status, 1, fourth.standardError)
        XCTAssertTrue(fourth.standardError.contains("this ledger's root at that size differs"), fourth.standardError)
        XCTAssertTrue(fourth.standardError.contains("signature is NOT valid"), fourth.standardError)
    }
}
