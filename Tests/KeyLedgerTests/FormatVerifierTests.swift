import Foundation
import JOSE
import KeyLedger
import OpenSSLBridge
import SQLiteBridge
import XCTest

/// Runs Fixtures/format_verifier.py, a verifier written from docs/FORMAT.md
/// alone, on a ledger with every signature algorithm, signing-key and
/// checkpoint-key handovers and a Merkle tree, and on tampered copies of it.
/// Its verdict must match `Ledger.verify` on each, so the document stays
/// enough to verify a ledger without keyledger's code.
///
/// The script needs python3 with the `cryptography` package, which `.ci/run` installs.
final class FormatVerifierTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var path: String!
    private var trustAnchor: String!
    private var checkpointPath: String!

    /// Creates a ledger signed in turn by RS256, ES256, EdDSA, PS256 and ES384
    /// keys, with two checkpoint keys and a checkpoint of the whole ledger.
    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        path = directory.path("ledger.db")
        var signingKey = try SigningKey.generate(.rs256)
        trustAnchor = signingKey.keyID
        let firstCheckpointKey = try PrivateKey.generate(.ed25519)
        let ledger = try Ledger.create(at: path, signingKey: signingKey, actor: "security", checkpointKey: firstCheckpointKey)

        // Numbers and strings whose RFC 8785 forms differ from a naive serialization.
        let awkward: [String: JSONValue] = [
            "numbers": .array([1, 1.5, 1e21, 1e-7, 0.000001, 0.1, -0.0, .number(Double.leastNonzeroMagnitude),
                                .number(Double.greatestFiniteMagnitude), 123456789012]),
            "text": "é\u{2028}\u{7}\"\\/ 😀",
            "nested": .object(["b": 1, "a": .object(["ä": 2, "z": 3, "é": 4])]),
        ]
        try ledger.append(Event(kind: .note, actor: "alice", body: awkward), signingKey: signingKey)
        let secondCheckpointKey = try PrivateKey.generate(.ed25519)
        for algorithm in [JWSAlgorithm.es256, .edDSA, .ps256, .es384] {
            let next = try SigningKey.generate(algorithm)
            try ledger.rotateSigningKey(to: next, actor: "security", signingKey: signingKey, reason: "scheduled")
            signingKey = next
            try ledger.append(Event(kind: EntryKind(rawValue: "x-deploy"), actor: "bob",
                                    body: ["kid": "key-1", "change": "CHG-1", "count": 3]), signingKey: signingKey)
            if algorithm == .es256 {
                try ledger.rotateCheckpointKey(to: secondCheckpointKey, previous: firstCheckpointKey, actor: "security",
                                               signingKey: signingKey)
            }
        }
        checkpointPath = directory.path("checkpoint.txt")
        try ledger.signCheckpoint(checkpointKey: secondCheckpointKey).formatted
            .write(toFile: checkpointPath, atomically: true, encoding: .utf8)
    }

    /// Runs the script on `ledger` and returns its exit status and output.
    private func runScript(on ledger: String, checkpoint: String? = nil) throws -> (status: Int32, output: String) {
        let script = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/format_verifier", withExtension: "py"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, ledger, trustAnchor] + (checkpoint.map { [$0] } ?? [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Copies the ledger, drops its append-only triggers and runs `sql` on the copy.
    private func tamperedCopy(_ name: String, _ sql: String) throws -> String {
        let copy = directory.path("\(name).db")
        let source = try Connection(path: path, mode: .readWrite)
        try source.execute("VACUUM INTO '\(copy)'")
        let connection = try Connection(path: copy, mode: .readWrite)
        for table in ["entries", "merkle_tree"] {
            try connection.execute("DROP TRIGGER \(table)_no_update; DROP TRIGGER \(table)_no_delete")
        }
        try connection.execute(sql)
        return copy
    }

    func testScriptAcceptsUntouchedLedger() throws {
        let result = try runScript(on: path, checkpoint: checkpointPath)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.output, "valid: 11 entries")
        XCTAssertNil(try Ledger(path: path, readOnly: true).verify(VerifyOptions(trustAnchor: trustAnchor)).failure)
    }

    func testScriptRejectsCheckpointOfLongerLedger() throws {
        // 10 and 11 leaves have the same tree rows, so only the checkpoint shows that entry 11 was removed.
        let copy = try tamperedCopy("cut", "DELETE FROM entries WHERE seq = 11")
        XCTAssertEqual(try runScript(on: copy).status, 0)
        let result = try runScript(on: copy, checkpoint: checkpointPath)
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertEqual(result.output, "checkpoint: the ledger has 10 entries, fewer than 11")
    }

    func testScriptAgreesWithVerifyOnTamperedCopies() throws {
        // (name, SQL, the failure keyledger and the script must both report, nil for a valid ledger)
        let cases: [(String, String, (sequence: Int64?, reason: VerificationResult.Reason)?)] = [
            ("edited-body", "UPDATE entries SET canonical = CAST(replace(CAST(canonical AS TEXT), '\"count\":3', '\"count\":4') AS BLOB) WHERE seq = 4",
             (4, .hashMismatch)),
            ("edited-column", "UPDATE entries SET change_id = 'CHG-2' WHERE seq = 4", (4, .hashMismatch)),
            ("swapped", "UPDATE entries SET seq = 100 WHERE seq = 4; UPDATE entries SET seq = 4 WHERE seq = 7; UPDATE entries SET seq = 7 WHERE seq = 100",
             (4, .brokenLink)),
            ("deleted", "DELETE FROM entries WHERE seq = 5", (6, .sequenceGap)),
            ("replaced-signature", "UPDATE entries SET signature = (SELECT signature FROM entries WHERE seq = 4) WHERE seq = 5",
             (5, .invalidSignature)),
            ("other-signer", "UPDATE entries SET signer_kid = (SELECT signer_kid FROM entries WHERE seq = 1) WHERE seq = 8",
             (8, .unknownSigner)),
            ("altered-tree-row", "UPDATE merkle_tree SET hash = zeroblob(32) WHERE position = 3", (nil, .treeMismatch)),
            ("extra-tree-row", "INSERT INTO merkle_tree (position, hash) VALUES (10, zeroblob(32))", (nil, .treeMismatch)),
            ("cut-end", "DELETE FROM entries WHERE seq >= 9", (nil, .treeMismatch)),
            // The rows of a tree of 8 leaves: a tree not filled in, which both accept.
            ("unfilled-tree", "DELETE FROM merkle_tree WHERE position >= 7", nil),
        ]
        for (name, sql, expected) in cases {
            let copy = try tamperedCopy(name, sql)
            let failure = try Ledger(path: copy, readOnly: true).verify(VerifyOptions(trustAnchor: trustAnchor)).failure
            let script = try runScript(on: copy)
            guard let expected else {
                XCTAssertNil(failure, name)
                XCTAssertEqual(script.status, 0, "\(name): \(script.output)")
                continue
            }
            XCTAssertEqual(failure?.reason, expected.reason, name)
            XCTAssertEqual(script.status, 1, "\(name): \(script.output)")
            // The script prints FORMAT.md's failure names, which are keyledger's reasons with spaces.
            let reasonName = expected.reason.rawValue.replacingOccurrences(of: "_", with: " ")
            if let sequence = expected.sequence {
                XCTAssertEqual(failure?.sequence, sequence, name)
                XCTAssertTrue(script.output.hasPrefix("entry \(sequence): \(reasonName):"), "\(name): \(script.output)")
            } else {
                XCTAssertTrue(script.output.hasPrefix("\(reasonName):"), "\(name): \(script.output)")
            }
        }
    }
}
