import Foundation
import KeyLedger
import OpenSSLBridge
import XCTest

/// Saved inclusion and consistency proofs: both file forms, and the checks
/// that tie a proof to the sizes and roots of signed checkpoints.
final class MerkleProofDocumentTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var signingKey: SigningKey!
    private var ledger: Ledger!
    private let origin = "keyledger/proof-test"

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        signingKey = try SigningKey.generate(.edDSA)
        ledger = try Ledger.create(at: directory.path("ledger.db"), signingKey: signingKey, actor: "init")
        try ledger.append((2...8).map { try Event(kind: .note, actor: "alice", body: ["n": .number(Double($0))]) },
                          signingKey: signingKey)
    }

    private func checkpoint(size: Int) throws -> Checkpoint {
        try Checkpoint(origin: origin, treeSize: size, rootHash: ledger.merkleTree().root(size: size))
    }

    private func assertIntegrityError(_ expression: @autoclosure () throws -> Void, _ message: String,
                                      file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), message, file: file, line: line) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .integrity, "\(message): \(error)", file: file, line: line)
        }
    }

    func testInclusionProofRoundTrips() throws {
        let proof = try ledger.inclusionProof(sequence: 5, treeSize: 8, origin: origin)
        XCTAssertEqual(proof.leafIndex, 4)
        XCTAssertEqual(proof.proof.count, 3)
        XCTAssertEqual(try InclusionProof(parsing: Array(proof.text.utf8)), proof)
        XCTAssertEqual(try InclusionProof(parsing: Array(proof.jsonValue.serialized(pretty: true).utf8)), proof)
        XCTAssertNoThrow(try proof.verify(against: checkpoint(size: 8)))
    }

    func testInclusionInOneEntryTree() throws {
        let proof = try ledger.inclusionProof(sequence: 1, treeSize: 1, origin: origin)
        XCTAssertEqual(proof.proof, [])
        XCTAssertTrue(proof.text.hasSuffix("root \(proof.rootHash.base64)\n\n"), proof.text)
        XCTAssertNoThrow(try proof.verify(against: checkpoint(size: 1)))
    }

    func testInclusionProofRejectsOtherTrees() throws {
        let proof = try ledger.inclusionProof(sequence: 5, treeSize: 7, origin: origin)
        assertIntegrityError(try proof.verify(against: checkpoint(size: 8)), "checkpoint of another size")
        assertIntegrityError(try proof.verify(against: Checkpoint(origin: "other", treeSize: 7, rootHash: proof.rootHash)),
                             "checkpoint of another origin")
        let forged = InclusionProof(origin: origin, sequence: 5, entryHash: [UInt8](repeating: 9, count: 32),
                                    treeSize: 7, rootHash: proof.rootHash, proof: proof.proof)
        assertIntegrityError(try forged.verify(against: checkpoint(size: 7)), "another entry hash")
    }

    func testConsistencyEdgeCases() throws {
        let fromZero = try ledger.consistencyProof(from: 0, to: 8, origin: origin)
        XCTAssertEqual(fromZero.proof, [])
        XCTAssertNoThrow(try fromZero.verify(from: Checkpoint(origin: origin, treeSize: 0, rootHash: MerkleTree.emptyRoot),
                                             to: checkpoint(size: 8)))

        let toItself = try ledger.consistencyProof(from: 5, to: 5, origin: origin)
        XCTAssertEqual(toItself.proof, [])
        XCTAssertNoThrow(try toItself.verify(from: checkpoint(size: 5), to: checkpoint(size: 5)))
        let padded = ConsistencyProof(origin: origin, oldSize: 5, oldRoot: toItself.oldRoot, newSize: 5,
                                      newRoot: toItself.newRoot, proof: [toItself.oldRoot])
        assertIntegrityError(try padded.verify(from: checkpoint(size: 5), to: checkpoint(size: 5)), "non-empty proof to the same size")

        XCTAssertThrowsError(try ledger.consistencyProof(from: 6, to: 3, origin: origin)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .invalidInput, "\(error)")
        }
        assertIntegrityError(try toItself.verify(from: checkpoint(size: 6), to: checkpoint(size: 3)), "checkpoints to a smaller size")
    }

    func testProofForEightPresentedAsSevenIsRejected() throws {
        let proof = try ledger.consistencyProof(from: 4, to: 8, origin: origin)
        XCTAssertNoThrow(try proof.verify(from: checkpoint(size: 4), to: checkpoint(size: 8)))
        // The bare RFC 9162 check accepts the relabelled proof with the root of 8...
        XCTAssertTrue(MerkleProof.verifyConsistency(oldSize: 4, newSize: 7, oldRoot: proof.oldRoot, newRoot: proof.newRoot,
                                                    proof: proof.proof))
        // ...so the sizes and roots must come from the signed checkpoints.
        let relabelled = ConsistencyProof(origin: origin, oldSize: 4, oldRoot: proof.oldRoot, newSize: 7,
                                          newRoot: proof.newRoot, proof: proof.proof)
        assertIntegrityError(try relabelled.verify(from: checkpoint(size: 4), to: checkpoint(size: 7)), "4 to 8 as 4 to 7, root of 7")
        assertIntegrityError(try relabelled.verify(from: checkpoint(size: 4), to: checkpoint(size: 8)), "4 to 8 as 4 to 7, checkpoint of 8")
        let sevenRoot = ConsistencyProof(origin: origin, oldSize: 4, oldRoot: proof.oldRoot, newSize: 7,
                                         newRoot: try checkpoint(size: 7).rootHash, proof: proof.proof)
        assertIntegrityError(try sevenRoot.verify(from: checkpoint(size: 4), to: checkpoint(size: 7)), "4 to 8 proof for the tree of 7")
    }

    func testConsistencyProofRoundTrips() throws {
        let proof = try ledger.consistencyProof(from: 3, to: 8, origin: origin)
        XCTAssertEqual(try ConsistencyProof(parsing: Array(proof.text.utf8)), proof)
        XCTAssertEqual(try ConsistencyProof(parsing: Array(proof.jsonValue.serialized(pretty: false).utf8)), proof)
    }

    func testMalformedProofFilesAreRejected() throws {
        let text = try ledger.inclusionProof(sequence: 2, treeSize: 8, origin: origin).text
        let cases: [(name: String, text: String)] = [
            ("consistency title", text.replacingOccurrences(of: "inclusion proof", with: "consistency proof")),
            ("no blank line", text.replacingOccurrences(of: "\n\n", with: "\n")),
            ("unknown header", text.replacingOccurrences(of: "tree_size", with: "size")),
            ("leaf index off by one", text.replacingOccurrences(of: "leaf_index 1", with: "leaf_index 2")),
            ("hash not base64", text + "not-base64\n"),
            ("no final newline", String(text.dropLast())),
            ("JSON of another type", #"{"type":"consistency","proof":[]}"#),
        ]
        for item in cases {
            XCTAssertThrowsError(try InclusionProof(parsing: Array(item.text.utf8)), item.name) { error in
                XCTAssertEqual((error as? LedgerError)?.code, .invalidInput, "\(item.name): \(error)")
            }
        }
    }
}

private extension Array where Element == UInt8 {
    var base64: String { Data(self).base64EncodedString() }
}
