import Foundation
@testable import KeyLedger
import SQLiteBridge
import XCTest

/// The published RFC 6962 / RFC 9162 vectors of transparency-dev/merkle,
/// checked against the in-memory root, the stored tree and the verifiers.
final class MerkleVectorTests: XCTestCase {
    private struct Vectors: Decodable {
        struct Hasher: Decodable {
            let emptyTreeRoot: String
            let leafHashOfEmptyData: String
            let leafHashOfAsciiL123456: String
            let nodeHashOfAsciiN123AndN456: String
        }
        struct Inclusion: Decodable {
            let leafIndex: Int
            let treeSize: Int
            let proof: [String]
        }
        struct Consistency: Decodable {
            let size1: Int
            let size2: Int
            let proof: [String]
        }
        let hasher: Hasher
        let leavesHex: [String]
        let rootsByTreeSize: [String: String]
        let inclusionProofs: [Inclusion]
        let consistencyProofs: [Consistency]
    }

    /// One file of transparency-dev/merkle `testdata/inclusion`.
    private struct InclusionFile: Decodable {
        let leafIdx: Int
        let treeSize: Int
        let root: String
        let leafHash: String
        let proof: [String]?
        let desc: String
        let wantErr: Bool
    }

    /// One file of transparency-dev/merkle `testdata/consistency`.
    private struct ConsistencyFile: Decodable {
        let size1: Int
        let size2: Int
        let root1: String
        let root2: String
        let proof: [String]?
        let desc: String
        let wantErr: Bool
    }

    private var vectors: Vectors!
    private var leaves: [[UInt8]]!

    override func setUpWithError() throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let data = try Data(contentsOf: TransparencyFixtures.url("merkle_vectors.json"))
        vectors = try decoder.decode(Vectors.self, from: data)
        leaves = try vectors.leavesHex.map(TransparencyFixtures.hex)
    }

    /// Returns a stored tree over the vector leaves, in a fresh in-memory database.
    private func makeStoredTree() throws -> MerkleTree {
        let tree = try MerkleTree(connection: TransparencyFixtures.makeDatabase(), leafSource: .leafInputTable)
        try tree.append(leafInputs: leaves)
        return tree
    }

    func testHasherVectors() throws {
        XCTAssertEqual(MerkleTree.emptyRoot, try TransparencyFixtures.hex(vectors.hasher.emptyTreeRoot))
        XCTAssertEqual(MerkleTree.leafHash(leafInput: []), try TransparencyFixtures.hex(vectors.hasher.leafHashOfEmptyData))
        XCTAssertEqual(MerkleTree.leafHash(leafInput: Array("L123456".utf8)), try TransparencyFixtures.hex(vectors.hasher.leafHashOfAsciiL123456))
        XCTAssertEqual(MerkleTree.interiorHash(left: Array("N123".utf8), right: Array("N456".utf8)),
                       try TransparencyFixtures.hex(vectors.hasher.nodeHashOfAsciiN123AndN456))
    }

    func testRootsForSizesOneToEight() throws {
        let tree = try makeStoredTree()
        XCTAssertEqual(vectors.rootsByTreeSize.count, 8)
        for (sizeText, rootHex) in vectors.rootsByTreeSize {
            let size = try XCTUnwrap(Int(sizeText))
            let expected = try TransparencyFixtures.hex(rootHex)
            let leafHashes = leaves.prefix(size).map { MerkleTree.leafHash(leafInput: $0) }
            XCTAssertEqual(MerkleTree.root(leafHashes: leafHashes), expected, "in-memory root of size \(size)")
            XCTAssertEqual(try tree.root(size: size), expected, "stored root of size \(size)")
        }
    }

    func testEmptyTreeRoot() throws {
        let tree = try MerkleTree(connection: TransparencyFixtures.makeDatabase(), leafSource: .leafInputTable)
        XCTAssertEqual(try tree.size(), 0)
        XCTAssertEqual(try tree.root(size: 0), MerkleTree.emptyRoot)
        XCTAssertEqual(MerkleTree.root(leafHashes: []), MerkleTree.emptyRoot)
    }

    func testInclusionProofVectors() throws {
        let tree = try makeStoredTree()
        for vector in vectors.inclusionProofs {
            let label = "leaf \(vector.leafIndex) in tree of \(vector.treeSize)"
            let expected = try vector.proof.map(TransparencyFixtures.hex)
            XCTAssertEqual(try tree.inclusionProof(leafIndex: vector.leafIndex, treeSize: vector.treeSize), expected, label)
            let leafHash = MerkleTree.leafHash(leafInput: leaves[vector.leafIndex])
            let root = try TransparencyFixtures.hex(vectors.rootsByTreeSize[String(vector.treeSize)]!)
            XCTAssertTrue(MerkleProof.verifyInclusion(leafHash: leafHash, leafIndex: vector.leafIndex,
                                                      treeSize: vector.treeSize, proof: expected, root: root), label)
        }
    }

    func testConsistencyProofVectors() throws {
        let tree = try makeStoredTree()
        for vector in vectors.consistencyProofs {
            let label = "consistency from \(vector.size1) to \(vector.size2)"
            let expected = try vector.proof.map(TransparencyFixtures.hex)
            XCTAssertEqual(try tree.consistencyProof(from: vector.size1, to: vector.size2), expected, label)
            let oldRoot = try TransparencyFixtures.hex(vectors.rootsByTreeSize[String(vector.size1)]!)
            let newRoot = try TransparencyFixtures.hex(vectors.rootsByTreeSize[String(vector.size2)]!)
            XCTAssertTrue(MerkleProof.verifyConsistency(oldSize: vector.size1, newSize: vector.size2,
                                                        oldRoot: oldRoot, newRoot: newRoot, proof: expected), label)
        }
    }

    func testTransparencyDevInclusionFiles() throws {
        let files = try jsonFiles(in: "merkle_transparency_dev/inclusion")
        XCTAssertEqual(files.count, 6)
        let tree = try makeStoredTree()
        for file in files {
            let vector = try JSONDecoder().decode(InclusionFile.self, from: Data(contentsOf: file))
            let label = "\(file.deletingLastPathComponent().lastPathComponent)/\(file.lastPathComponent): \(vector.desc)"
            let proof = try (vector.proof ?? []).map(TransparencyFixtures.base64)
            let verified = MerkleProof.verifyInclusion(
                leafHash: try TransparencyFixtures.base64(vector.leafHash), leafIndex: vector.leafIdx, treeSize: vector.treeSize,
                proof: proof, root: try TransparencyFixtures.base64(vector.root))
            XCTAssertEqual(verified, !vector.wantErr, label)
            if !vector.wantErr {
                XCTAssertEqual(try tree.inclusionProof(leafIndex: vector.leafIdx, treeSize: vector.treeSize), proof, label)
            }
        }
    }

    func testTransparencyDevConsistencyFiles() throws {
        let files = try jsonFiles(in: "merkle_transparency_dev/consistency")
        XCTAssertEqual(files.count, 5)
        let tree = try makeStoredTree()
        for file in files {
            let vector = try JSONDecoder().decode(ConsistencyFile.self, from: Data(contentsOf: file))
            let label = "\(file.deletingLastPathComponent().lastPathComponent)/\(file.lastPathComponent): \(vector.desc)"
            let proof = try (vector.proof ?? []).map(TransparencyFixtures.base64)
            let verified = MerkleProof.verifyConsistency(
                oldSize: vector.size1, newSize: vector.size2,
                oldRoot: try TransparencyFixtures.base64(vector.root1), newRoot: try TransparencyFixtures.base64(vector.root2), proof: proof)
            XCTAssertEqual(verified, !vector.wantErr, label)
            XCTAssertEqual(try tree.consistencyProof(from: vector.size1, to: vector.size2), proof, label)
        }
    }

    private func jsonFiles(in directory: String) throws -> [URL] {
        let root = TransparencyFixtures.url(directory)
        var files: [URL] = []
        for case let url as URL in FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
        where url.pathExtension == "json" {
            files.append(url)
        }
        return files.sorted { $0.path < $1.path }
    }
}

/// Shared by the Merkle and Checkpoint tests: fixture files, decoders and a database.
enum TransparencyFixtures {
    /// A fixture that is not the encoding it should be.
    struct MalformedFixture: Error, CustomStringConvertible {
        let description: String
    }

    /// The folder that contains the vectors; its README names each file's source.
    static let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        .appendingPathComponent("transparency")

    static func url(_ relativePath: String) -> URL {
        directory.appendingPathComponent(relativePath)
    }

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: url(relativePath), encoding: .utf8)
    }

    /// Opens an in-memory database with every schema migration applied.
    static func makeDatabase() throws -> Connection {
        let connection = try Connection(path: ":memory:", mode: .readWriteCreate)
        for migration in embeddedSchemaMigrations {
            try connection.execute(migration.sql)
        }
        return connection
    }

    static func hex(_ text: String) throws -> [UInt8] {
        guard text.count % 2 == 0 else { throw MalformedFixture(description: "odd-length hex: \(text)") }
        var bytes: [UInt8] = []
        var position = text.startIndex
        while position < text.endIndex {
            let next = text.index(position, offsetBy: 2)
            guard let byte = UInt8(text[position..<next], radix: 16) else {
                throw MalformedFixture(description: "invalid hex: \(text)")
            }
            bytes.append(byte)
            position = next
        }
        return bytes
    }

    /// Decodes standard padded base64 (RFC 4648 section 4).
    static func base64(_ text: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: text) else {
            throw MalformedFixture(description: "invalid base64: \(text)")
        }
        return [UInt8](data)
    }
}
