@testable import KeyLedger
import OpenSSLBridge
import XCTest

/// Edge cases of proof generation and verification, including known attacks.
final class MerkleProofTests: XCTestCase {
    private var leafInputs: [[UInt8]]!
    private var leafHashes: [[UInt8]]!
    private var tree: MerkleTree!

    override func setUpWithError() throws {
        leafInputs = (0..<8).map { index in Digest.sha256([UInt8(index)]) }
        leafHashes = leafInputs.map { MerkleTree.leafHash(leafInput: $0) }
        tree = try MerkleTree(connection: TransparencyFixtures.makeDatabase(), leafSource: .leafInputTable)
        try tree.append(leafInputs: leafInputs)
    }

    private func root(_ size: Int) -> [UInt8] {
        MerkleTree.root(leafHashes: Array(leafHashes.prefix(size)))
    }

    private func assertInvalidInput(_ expression: @autoclosure () throws -> some Any, _ message: String,
                                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), message, file: file, line: line) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .invalidInput, "\(error)", file: file, line: line)
        }
    }

    // MARK: - Roots

    func testDuplicatedLastLeafChangesRoot() {
        // CVE-2012-2459: a tree that pads an odd level by repeating its last
        // node gives [a, b, c] and [a, b, c, c] the same root. RFC 9162 never
        // pads, so the roots must differ.
        for size in 1...7 {
            let padded = Array(leafHashes.prefix(size)) + [leafHashes[size - 1]]
            XCTAssertNotEqual(MerkleTree.root(leafHashes: padded), root(size), "size \(size)")
        }
        let paddedRootOfThree = MerkleTree.interiorHash(
            left: MerkleTree.interiorHash(left: leafHashes[0], right: leafHashes[1]),
            right: MerkleTree.interiorHash(left: leafHashes[2], right: leafHashes[2]))
        XCTAssertNotEqual(root(3), paddedRootOfThree)
        XCTAssertEqual(root(3), MerkleTree.interiorHash(
            left: MerkleTree.interiorHash(left: leafHashes[0], right: leafHashes[1]), right: leafHashes[2]))
    }

    func testInteriorNodeBytesDoNotVerifyAsLeaf() {
        // The 64 bytes under the interior node over leaves 0 and 1, offered
        // as a leaf input, must not prove inclusion where that node is.
        let forgedInput = leafHashes[0] + leafHashes[1]
        XCTAssertEqual(forgedInput.count, 64)
        let forgedLeafHash = MerkleTree.leafHash(leafInput: forgedInput)
        let interior = MerkleTree.interiorHash(left: leafHashes[0], right: leafHashes[1])
        XCTAssertNotEqual(forgedLeafHash, interior)

        let siblingOfNode = MerkleTree.interiorHash(left: leafHashes[2], right: leafHashes[3])
        XCTAssertFalse(MerkleProof.verifyInclusion(leafHash: forgedLeafHash, leafIndex: 0, treeSize: 2,
                                                   proof: [siblingOfNode], root: root(4)))
        // The interior hash itself does verify at that position, which shows
        // the check above fails only because of the leaf prefix.
        XCTAssertTrue(MerkleProof.verifyInclusion(leafHash: interior, leafIndex: 0, treeSize: 2,
                                                  proof: [siblingOfNode], root: root(4)))
    }

    func testRootSizeOutsideTreeIsRejected() {
        assertInvalidInput(try tree.root(size: 9), "size beyond the tree")
        assertInvalidInput(try tree.root(size: -1), "negative size")
    }

    // MARK: - Inclusion

    func testInclusionInOneLeafTree() throws {
        XCTAssertEqual(try tree.inclusionProof(leafIndex: 0, treeSize: 1), [])
        XCTAssertTrue(MerkleProof.verifyInclusion(leafHash: leafHashes[0], leafIndex: 0, treeSize: 1, proof: [], root: root(1)))
        XCTAssertEqual(root(1), leafHashes[0])
        XCTAssertFalse(MerkleProof.verifyInclusion(leafHash: leafHashes[0], leafIndex: 0, treeSize: 1,
                                                   proof: [leafHashes[1]], root: root(1)))
        XCTAssertFalse(MerkleProof.verifyInclusion(leafHash: leafHashes[0], leafIndex: 1, treeSize: 1, proof: [], root: root(1)))
        XCTAssertFalse(MerkleProof.verifyInclusion(leafHash: leafHashes[1], leafIndex: 0, treeSize: 1, proof: [], root: root(1)))
    }

    func testInclusionProofRejectsWrongClaims() throws {
        let proof = try tree.inclusionProof(leafIndex: 5, treeSize: 7)
        let root = root(7)
        XCTAssertTrue(MerkleProof.verifyInclusion(leafHash: leafHashes[5], leafIndex: 5, treeSize: 7, proof: proof, root: root))

        let cases: [(String, [UInt8], Int, Int, [[UInt8]], [UInt8])] = [
            ("other leaf", leafHashes[4], 5, 7, proof, root),
            ("other index", leafHashes[5], 4, 7, proof, root),
            ("larger tree size", leafHashes[5], 5, 8, proof, self.root(8)),
            ("smaller tree size", leafHashes[5], 5, 6, proof, root),
            ("index equal to size", leafHashes[5], 7, 7, proof, root),
            ("negative index", leafHashes[5], -1, 7, proof, root),
            ("proof missing last hash", leafHashes[5], 5, 7, Array(proof.dropLast()), root),
            ("proof with extra hash", leafHashes[5], 5, 7, proof + [leafHashes[0]], root),
            ("proof with hash of 31 bytes", leafHashes[5], 5, 7, [Array(proof[0].dropLast())] + proof.dropFirst(), root),
            ("root of other size", leafHashes[5], 5, 7, proof, self.root(8)),
            ("leaf input instead of leaf hash", leafInputs[5], 5, 7, proof, root),
        ]
        for (name, leafHash, index, size, badProof, badRoot) in cases {
            XCTAssertFalse(MerkleProof.verifyInclusion(leafHash: leafHash, leafIndex: index, treeSize: size,
                                                       proof: badProof, root: badRoot), name)
        }
    }

    func testInclusionProofArgumentsAreChecked() {
        assertInvalidInput(try tree.inclusionProof(leafIndex: 3, treeSize: 3), "index equal to size")
        assertInvalidInput(try tree.inclusionProof(leafIndex: -1, treeSize: 3), "negative index")
        assertInvalidInput(try tree.inclusionProof(leafIndex: 0, treeSize: 9), "size beyond the tree")
        assertInvalidInput(try tree.inclusionProof(leafIndex: 0, treeSize: 0), "empty tree")
    }

    // MARK: - Consistency

    func testConsistencyFromEmptyTree() throws {
        XCTAssertEqual(try tree.consistencyProof(from: 0, to: 5), [])
        XCTAssertEqual(try tree.consistencyProof(from: 0, to: 0), [])
        XCTAssertTrue(MerkleProof.verifyConsistency(oldSize: 0, newSize: 5, oldRoot: MerkleTree.emptyRoot,
                                                    newRoot: root(5), proof: []))
        XCTAssertFalse(MerkleProof.verifyConsistency(oldSize: 0, newSize: 5, oldRoot: root(1),
                                                     newRoot: root(5), proof: []), "old root is not the empty root")
        XCTAssertFalse(MerkleProof.verifyConsistency(oldSize: 0, newSize: 5, oldRoot: MerkleTree.emptyRoot,
                                                     newRoot: root(5), proof: [root(5)]), "non-empty proof")
    }

    func testConsistencyToSameSize() throws {
        for size in 1...8 {
            XCTAssertEqual(try tree.consistencyProof(from: size, to: size), [], "size \(size)")
            XCTAssertTrue(MerkleProof.verifyConsistency(oldSize: size, newSize: size, oldRoot: root(size),
                                                        newRoot: root(size), proof: []), "size \(size)")
            XCTAssertFalse(MerkleProof.verifyConsistency(oldSize: size, newSize: size, oldRoot: root(size),
                                                         newRoot: root(size), proof: [root(size)]), "size \(size), non-empty proof")
        }
        XCTAssertFalse(MerkleProof.verifyConsistency(oldSize: 4, newSize: 4, oldRoot: root(4), newRoot: root(5), proof: []),
                       "different roots")
    }

    func testConsistencyToSmallerSizeIsRejected() throws {
        assertInvalidInput(try tree.consistencyProof(from: 5, to: 3), "old size larger than new size")
        assertInvalidInput(try tree.consistencyProof(from: -1, to: 3), "negative old size")
        assertInvalidInput(try tree.consistencyProof(from: 3, to: 9), "new size beyond the tree")
        let forward = try tree.consistencyProof(from: 3, to: 5)
        XCTAssertFalse(MerkleProof.verifyConsistency(oldSize: 5, newSize: 3, oldRoot: root(5), newRoot: root(3), proof: forward))
    }

    func testProofForEightPresentedAsSevenIsRejected() throws {
        let proof = try tree.consistencyProof(from: 4, to: 8)
        XCTAssertTrue(MerkleProof.verifyConsistency(oldSize: 4, newSize: 8, oldRoot: root(4), newRoot: root(8), proof: proof))
        XCTAssertFalse(MerkleProof.verifyConsistency(oldSize: 4, newSize: 7, oldRoot: root(4), newRoot: root(7), proof: proof))
        XCTAssertNotEqual(proof, try tree.consistencyProof(from: 4, to: 7))
    }

    func testConsistencyProofRejectsWrongClaims() throws {
        let proof = try tree.consistencyProof(from: 3, to: 7)
        XCTAssertTrue(MerkleProof.verifyConsistency(oldSize: 3, newSize: 7, oldRoot: root(3), newRoot: root(7), proof: proof))

        let cases: [(String, Int, Int, [UInt8], [UInt8], [[UInt8]])] = [
            ("wrong old root", 3, 7, root(2), root(7), proof),
            ("wrong new root", 3, 7, root(3), root(8), proof),
            ("swapped roots", 3, 7, root(7), root(3), proof),
            ("wrong old size", 2, 7, root(3), root(7), proof),
            ("empty proof", 3, 7, root(3), root(7), []),
            ("proof missing last hash", 3, 7, root(3), root(7), Array(proof.dropLast())),
            ("proof with extra hash", 3, 7, root(3), root(7), proof + [root(1)]),
            ("proof in reverse order", 3, 7, root(3), root(7), proof.reversed()),
        ]
        for (name, oldSize, newSize, oldRoot, newRoot, badProof) in cases {
            XCTAssertFalse(MerkleProof.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: oldRoot,
                                                         newRoot: newRoot, proof: badProof), name)
        }
    }
}
