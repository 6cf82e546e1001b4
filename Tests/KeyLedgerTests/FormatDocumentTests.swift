import Foundation
import JOSE
import KeyLedger
import OpenSSLBridge
import SQLiteBridge
import XCTest

/// Checks that the worked example and the verification recipe in docs/FORMAT.md are true.
///
/// The example is entry 1 of a ledger signed with the Ed25519 test key of
/// RFC 8037 Appendix A.1, so its signature is reproducible byte for byte.
final class FormatDocumentTests: XCTestCase {
    private static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/format")

    /// Returns the fenced code block that follows the marker `<!-- example:NAME -->`.
    private func block(_ name: String) throws -> String {
        let document = try String(contentsOf: Self.packageRoot.appendingPathComponent("docs/FORMAT.md"), encoding: .utf8)
        let marker = "<!-- example:\(name) -->"
        let start = try XCTUnwrap(document.range(of: marker), "docs/FORMAT.md has no \(marker)")
        let rest = document[start.upperBound...]
        let fenceOpen = try XCTUnwrap(rest.range(of: "```"))
        let bodyStart = try XCTUnwrap(rest[fenceOpen.upperBound...].firstIndex(of: "\n"))
        let fenceClose = try XCTUnwrap(rest[bodyStart...].range(of: "\n```"))
        return String(rest[rest.index(after: bodyStart)..<fenceClose.lowerBound])
    }

    private func hex(_ text: String) throws -> [UInt8] {
        let digits = text.filter { !$0.isWhitespace }
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            bytes.append(try XCTUnwrap(UInt8(digits[index..<next], radix: 16), "bad hex \(digits[index..<next])"))
            index = next
        }
        return bytes
    }

    private func hexString(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    func testCanonicalJSONIsCanonical() throws {
        let canonical = try block("canonical")
        XCTAssertEqual(try JCS.canonicalString(JSONValue(parsing: canonical)), canonical)
    }

    func testHashInputIsTagPreviousHashAndCanonical() throws {
        let canonical = Array(try block("canonical").utf8)
        let expected = Array("keyledger.entry.v1".utf8) + [0] + [UInt8](repeating: 0, count: 32) + canonical
        XCTAssertEqual(try hex(block("hash-input")), expected)
    }

    func testEntryHashIsSHA256OfHashInput() throws {
        let input = try hex(block("hash-input"))
        XCTAssertEqual(hexString(Digest.sha256(input)), try block("entry-hash").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func testSignatureVerifiesAndReproduces() throws {
        let hash = try hex(block("entry-hash"))
        let jws = try block("signature").trimmingCharacters(in: .whitespacesAndNewlines)
        let pem = try String(contentsOf: Self.fixtures.appendingPathComponent("rfc8037_ed25519_private_key.pem"), encoding: .utf8)
        let privateKey = try PrivateKey(pem: pem)
        let keyID = try JWK(publicKey: privateKey.publicKey()).thumbprint()
        XCTAssertEqual(keyID, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")

        let header = try JWS.verifyDetached(jws, payload: hash, key: privateKey.publicKey())
        XCTAssertEqual(header.algorithm, .edDSA)
        XCTAssertEqual(header.keyID, keyID)
        XCTAssertEqual(try JWS.signDetached(payload: hash, key: privateKey, algorithm: .edDSA, keyID: keyID), jws)
    }

    func testSigningInputMatchesDocument() throws {
        let jws = try block("signature").trimmingCharacters(in: .whitespacesAndNewlines)
        let header = String(jws.split(separator: ".", omittingEmptySubsequences: false)[0])
        let signingInput = header + "." + Base64URL.encode(try hex(block("entry-hash")))
        XCTAssertEqual(try block("signing-input").trimmingCharacters(in: .whitespacesAndNewlines), signingInput)
    }

    private func lines(_ name: String) throws -> [String] {
        try block(name).split(separator: "\n").map(String.init)
    }

    private func exampleCheckpointSigner() throws -> NoteSigner {
        let pem = try String(contentsOf: Self.fixtures.appendingPathComponent("rfc8037_ed25519_private_key.pem"), encoding: .utf8)
        return try NoteSigner(name: "keyledger/example", privateKey: PrivateKey(pem: pem))
    }

    private func exampleCheckpoint() throws -> Checkpoint {
        try Checkpoint(origin: "keyledger/example", treeSize: 3, rootHash: hex(block("tree-root")))
    }

    func testTreeExampleLeafHashesAndRoot() throws {
        let inputs = try lines("tree-leaf-inputs").map(hex)
        XCTAssertEqual(inputs, [1, 2, 3].map { [UInt8](repeating: $0, count: 32) })
        let leafHashes = inputs.map { MerkleTree.leafHash(leafInput: $0) }
        XCTAssertEqual(leafHashes.map(hexString), try lines("tree-leaf-hashes"))
        XCTAssertEqual(hexString(MerkleTree.root(leafHashes: leafHashes)), try block("tree-root"))
    }

    func testCheckpointExampleReproduces() throws {
        let signer = try exampleCheckpointSigner()
        XCTAssertEqual(signer.verifierKey.encoded, try block("checkpoint-vkey"))
        let note = try exampleCheckpoint().sign(with: signer)
        XCTAssertEqual(note.formatted, try block("checkpoint-note") + "\n")

        let verified = try Checkpoint.verify(block("checkpoint-note") + "\n", logKey: NoteVerifierKey(block("checkpoint-vkey")))
        XCTAssertEqual(verified.checkpoint, try exampleCheckpoint())
        let ledgerCheckpoint = try LedgerCheckpoint.verify(note, keys: [NoteVerifierKey(block("checkpoint-vkey"))])
        XCTAssertEqual(ledgerCheckpoint.checkpoint.treeSize, 3)
    }

    func testInclusionProofExampleVerifies() throws {
        let text = try block("inclusion-proof") + "\n"
        let proof = try InclusionProof(parsing: Array(text.utf8))
        XCTAssertEqual(proof.text, text)
        XCTAssertEqual(proof.entryHash, [UInt8](repeating: 2, count: 32))
        XCTAssertNoThrow(try proof.verify(against: exampleCheckpoint()))
        let leafHashes = try lines("tree-leaf-hashes").map(hex)
        XCTAssertEqual(proof.proof, [leafHashes[0], leafHashes[2]])
    }

    /// Runs the shell recipe from FORMAT.md against a real ledger, the way a third party would.
    func testRecipeVerifiesRealLedger() throws {
        for tool in ["sqlite3", "openssl"] {
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/\(tool)") else {
                throw XCTSkip("\(tool) is not installed")
            }
        }
        let script = try block("recipe")
        for algorithm in SigningKey.ledgerAlgorithms {
            // Entry 2 is a handover, so entry 3 checks that the script follows it to the new key.
            let directory = try TemporaryDirectory(self)
            let path = directory.path("ledger.db")
            let signingKey = try SigningKey.generate(algorithm)
            let ledger = try Ledger.create(at: path, signingKey: signingKey, actor: "init")
            let next = try SigningKey.generate(.edDSA)
            try ledger.rotateSigningKey(to: next, actor: "security", signingKey: signingKey)
            try ledger.append(Event(kind: .note, actor: "alice", body: ["text": "verify me"]), signingKey: next)
            for sequence in ["1", "2", "3"] {
                let output = try runRecipe(script, ledger: path, sequence: sequence, in: directory)
                XCTAssertEqual(output.status, 0, "\(algorithm.rawValue) entry \(sequence): \(output.text)")
                XCTAssertTrue(output.text.contains("hash OK"), "\(algorithm.rawValue) entry \(sequence): \(output.text)")
                XCTAssertTrue(output.text.contains("Signature Verified Successfully"), "\(algorithm.rawValue) entry \(sequence): \(output.text)")
            }
        }
    }

    func testRecipeRejectsTamperedEntry() throws {
        for tool in ["sqlite3", "openssl"] {
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/\(tool)") else { throw XCTSkip("\(tool) is not installed") }
        }
        let directory = try TemporaryDirectory(self)
        let path = directory.path("ledger.db")
        let signingKey = try SigningKey.generate(.es256)
        let ledger = try Ledger.create(at: path, signingKey: signingKey, actor: "init")
        try ledger.append(Event(kind: .note, actor: "alice", body: ["n": 1]), signingKey: signingKey)
        let connection = try Connection(path: path, mode: .readWrite)
        try connection.execute("DROP TRIGGER entries_no_update")
        try connection.execute("UPDATE entries SET canonical = CAST(replace(CAST(canonical AS TEXT), '\"n\":1', '\"n\":2') AS BLOB) WHERE seq = 2")
        let output = try runRecipe(try block("recipe"), ledger: path, sequence: "2", in: directory)
        XCTAssertNotEqual(output.status, 0, output.text)
        XCTAssertTrue(output.text.contains("hash MISMATCH"), output.text)
    }

    private func runRecipe(_ script: String, ledger: String, sequence: String,
                           in directory: TemporaryDirectory) throws -> (status: Int32, text: String) {
        let workDirectory = directory.url.appendingPathComponent("recipe-\(sequence)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-euo", "pipefail", "-c", script]
        process.currentDirectoryURL = workDirectory
        process.environment = ["LEDGER": ledger, "SEQ": sequence, "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
