import Foundation
import XCTest

/// A CLI test case with helpers for ledgers that have a checkpoint key.
class CheckpointCLITestCase: CLITestCase {
    /// The sum.golang.org checkpoints and verifier key kept with the library tests.
    static let sumGolangFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("KeyLedgerTests/Fixtures/transparency/checkpoints_sum_golang_org")

    /// A ledger created with a generated checkpoint key.
    struct CheckpointedLedger {
        let ledger: String
        let signingKey: String
        let trustAnchor: String
        let checkpointKey: String
        let verifierKey: String
    }

    func createCheckpointedLedger(_ name: String = "ledger.db", file: StaticString = #filePath,
                                  line: UInt = #line) throws -> CheckpointedLedger {
        let ledger = path(name)
        let run = try keyledgerSucceeds(["init", "--ledger", ledger, "--generate-signing-key", "ES256",
                                         "--key-out", path("\(name).key.pem"), "--generate-checkpoint-key",
                                         "--checkpoint-key-out", path("\(name).checkpoint.pem"), "--actor", "alice"],
                                        file: file, line: line)
        XCTAssertEqual(run.outputLines.count, 2, run.summary, file: file, line: line)
        return CheckpointedLedger(ledger: ledger, signingKey: path("\(name).key.pem"), trustAnchor: run.outputLines.first ?? "",
                                  checkpointKey: path("\(name).checkpoint.pem"), verifierKey: run.outputLines.last ?? "")
    }

    func appendNotes(_ ledger: CheckpointedLedger, _ count: Int, text: String = "n", file: StaticString = #filePath,
                     line: UInt = #line) throws {
        let lines = (0..<count).map { #"{"kind":"note","actor":"alice","body":{"text":"\#(text)\#($0)"}}"# }.joined(separator: "\n")
        try keyledgerSucceeds(["append", "--ledger", ledger.ledger, "--signing-key", ledger.signingKey, "--ndjson", "-"],
                              input: Data(lines.utf8), file: file, line: line)
    }

    /// Signs the ledger's current checkpoint into `name` and returns its path.
    @discardableResult
    func signCheckpoint(_ ledger: CheckpointedLedger, _ name: String, file: StaticString = #filePath,
                        line: UInt = #line) throws -> String {
        try keyledgerSucceeds(["checkpoint", "--ledger", ledger.ledger, "--checkpoint-key", ledger.checkpointKey, "--out", path(name)],
                              file: file, line: line)
        return path(name)
    }

    /// Generates an Ed25519 PEM key by creating a throwaway ledger whose checkpoint key it is.
    func generateEd25519Key(_ name: String) throws -> String {
        try keyledgerSucceeds(["init", "--ledger", path("\(name).scratch.db"), "--generate-signing-key", "ES256",
                               "--key-out", path("\(name).scratch.pem"), "--generate-checkpoint-key",
                               "--checkpoint-key-out", path(name)])
        return path(name)
    }

    /// Returns `text` with the character at `offset` replaced by another of the same kind
    /// (digit, letter, base64 symbol), so the note still parses but no longer verifies.
    func alter(_ text: String, at offset: Int) -> String {
        var bytes = Array(text.utf8)
        let byte = bytes[offset]
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "8"), UInt8(ascii: "a")...UInt8(ascii: "y"), UInt8(ascii: "A")...UInt8(ascii: "Y"):
            bytes[offset] = byte + 1
        case UInt8(ascii: "+"):
            bytes[offset] = UInt8(ascii: "/")
        case UInt8(ascii: "/"):
            bytes[offset] = UInt8(ascii: "+")
        default:
            bytes[offset] = byte - 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// `keyledger checkpoint`, `checkpoint verify`, `checkpoint cosign` and
/// `checkpoint key`, run as a user runs them.
final class CheckpointCommandTests: CheckpointCLITestCase {
    func testCheckpointSignsWithCheckpointKey() throws {
        let created = try createCheckpointedLedger()
        try appendNotes(created, 3)
        let note = try String(contentsOfFile: signCheckpoint(created, "checkpoint.txt"), encoding: .utf8)
        let lines = note.components(separatedBy: "\n")
        let origin = String(created.verifierKey.split(separator: "+")[0])

        XCTAssertEqual(lines[0], origin)
        XCTAssertTrue(origin.hasPrefix("keyledger/"), origin)
        XCTAssertEqual(lines[1], "4")
        XCTAssertEqual(lines[3], "")
        XCTAssertTrue(lines[4].hasPrefix("\u{2014} \(origin) "), note)

        let shown = try keyledgerSucceeds(["checkpoint", "key", "show", "--ledger", created.ledger])
        XCTAssertEqual(shown.outputLines, [created.verifierKey])
        let verified = try keyledgerSucceeds(["checkpoint", "verify", path("checkpoint.txt"), "--key", created.verifierKey])
        XCTAssertEqual(verified.outputLines.first, "valid checkpoint")
        XCTAssertTrue(verified.outputLines.contains("tree size 4"), verified.summary)
    }

    func testKeyShowRejectsSubstitutedKey() throws {
        let created = try createCheckpointedLedger()
        let show = ["checkpoint", "key", "show", "--ledger", created.ledger]
        let anchored = try keyledgerSucceeds(show + ["--trust-anchor", created.trustAnchor])
        XCTAssertEqual(anchored.outputLines, [created.verifierKey])
        XCTAssertEqual(anchored.standardError.components(separatedBy: "\n").first?.hasPrefix("checkpoint key "), true, anchored.summary)
        let unanchored = try keyledgerSucceeds(show)
        XCTAssertEqual(unanchored.outputLines, [created.verifierKey])
        XCTAssertTrue(unanchored.standardError.hasPrefix("warning: no trust anchor given"), unanchored.summary)

        // Someone who can write the file but has no private key puts another ledger's checkpoint key, with its kid, in the genesis entry.
        let attacker = try createCheckpointedLedger("attacker.db")
        func currentJWK(_ ledger: String) throws -> [String: Any] {
            let shown = try keyledgerSucceeds(["checkpoint", "key", "show", "--ledger", ledger, "--json"])
            let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
            return try XCTUnwrap((result["current"] as? [String: Any])?["jwk"] as? [String: Any])
        }
        let victimJWK = try currentJWK(created.ledger)
        let attackerJWK = try currentJWK(attacker.ledger)
        var replacements = ""
        for member in ["x", "kid"] {
            let old = try XCTUnwrap(victimJWK[member] as? String)
            let new = try XCTUnwrap(attackerJWK[member] as? String)
            replacements += "UPDATE entries SET canonical = CAST(replace(CAST(canonical AS TEXT), '\(old)', '\(new)') AS BLOB) WHERE seq = 1;\n"
        }
        try sqlite3(created.ledger, "DROP TRIGGER entries_no_update;\n" + replacements)
        let attackerKeyID = try XCTUnwrap(attackerJWK["kid"] as? String)

        for arguments in [show + ["--trust-anchor", created.trustAnchor], show, show + ["--json"]] {
            let run = try keyledger(arguments)
            XCTAssertEqual(run.status, 1, run.summary)
            XCTAssertFalse(run.standardOutput.contains(attackerKeyID), run.summary)
            XCTAssertFalse(run.standardError.contains(attackerKeyID), run.summary)
            XCTAssertEqual(run.standardError,
                           "error: the ledger failed verification at entry 1 (hash_mismatch), so no checkpoint verifier key was printed: run `keyledger verify` for the details\n")
            guard arguments.contains("--json") else {
                XCTAssertEqual(run.standardOutput, "", run.summary)
                continue
            }
            // With --json the failed verification is printed, as `keyledger verify --json` prints it.
            let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any], run.summary)
            XCTAssertEqual(result["valid"] as? Bool, false, run.summary)
            XCTAssertEqual((result["failure"] as? [String: Any])?["seq"] as? Int, 1, run.summary)
        }
    }

    func testCheckpointRejectsOtherKeys() throws {
        let created = try createCheckpointedLedger()
        let otherKey = try keyledger(["checkpoint", "--ledger", created.ledger, "--checkpoint-key", generateEd25519Key("other.pem")])
        XCTAssertEqual(otherKey.status, 2, otherKey.summary)
        XCTAssertTrue(otherKey.standardError.contains("is not the ledger's current checkpoint key"), otherKey.summary)
        XCTAssertEqual(otherKey.standardOutput, "")

        let signingKey = try keyledger(["checkpoint", "--ledger", created.ledger, "--checkpoint-key", created.signingKey])
        XCTAssertEqual(signingKey.status, 2, signingKey.summary)
        XCTAssertTrue(signingKey.standardError.contains("must be Ed25519"), signingKey.summary)

        let plain = try createLedger("plain.db")
        let noKey = try keyledger(["checkpoint", "--ledger", plain.ledger, "--checkpoint-key", created.checkpointKey])
        XCTAssertEqual(noKey.status, 2, noKey.summary)
        XCTAssertTrue(noKey.standardError.contains("has no checkpoint key"), noKey.summary)
    }

    func testCheckpointKeyOptionNames() throws {
        let created = try createCheckpointedLedger()
        let sign = ["checkpoint", "--ledger", created.ledger]

        // --checkpoint-key is the documented name and --key its older name, and both sign the same checkpoint.
        for option in ["--checkpoint-key", "--key"] {
            let run = try keyledger(sign + [option, created.checkpointKey])
            XCTAssertEqual(run.status, 0, "\(option): \(run.summary)")
            XCTAssertTrue(run.standardOutput.hasPrefix("keyledger/"), "\(option): \(run.summary)")
            XCTAssertTrue(run.standardError.hasPrefix("signed the checkpoint of tree size 1 "), "\(option): \(run.summary)")
        }

        let both = try keyledger(sign + ["--checkpoint-key", created.checkpointKey, "--key", created.checkpointKey])
        XCTAssertEqual(both.status, 2, both.summary)
        XCTAssertEqual(both.standardOutput, "", both.summary)
        XCTAssertEqual(both.standardError,
                       "error: --checkpoint-key and --key were both given, but --key is the older name of --checkpoint-key: give only --checkpoint-key\n")

        let neither = try keyledger(sign)
        XCTAssertEqual(neither.status, 2, neither.summary)
        XCTAssertEqual(neither.standardError, "error: missing --checkpoint-key PEM: see `keyledger checkpoint --help`\n")

        let help = try keyledgerSucceeds(["checkpoint", "--help"])
        XCTAssertTrue(help.standardOutput.contains("Usage: keyledger checkpoint --ledger PATH --checkpoint-key PEM [--out FILE]"), help.summary)
        let keyHelp = try XCTUnwrap(help.outputLines.first { $0.hasPrefix("  --key PEM ") }, help.summary)
        XCTAssertTrue(keyHelp.contains("The older name of --checkpoint-key, still accepted."), help.summary)
    }

    func testSumGolangCheckpointsVerify() throws {
        let vkey = Self.sumGolangFixtures.appendingPathComponent("sum.golang.org.vkey").path
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.sumGolangFixtures.path)
            .filter { $0.hasPrefix("checkpoint_") }.sorted()
        XCTAssertEqual(files.count, 7)
        for name in files {
            let file = Self.sumGolangFixtures.appendingPathComponent(name).path
            let size = name.dropFirst("checkpoint_".count).dropLast(".txt".count)
            let run = try keyledger(["checkpoint", "verify", file, "--key", vkey, "--json"])
            XCTAssertEqual(run.status, 0, run.summary)
            let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any], run.summary)
            XCTAssertEqual(result["origin"] as? String, "go.sum database tree", name)
            XCTAssertEqual((result["tree_size"] as? Int).map(String.init), String(size), name)
            XCTAssertEqual(result["log_key"] as? String, "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8", name)
        }
    }

    func testAlteredSumGolangCheckpointsFail() throws {
        let vkey = try String(contentsOf: Self.sumGolangFixtures.appendingPathComponent("sum.golang.org.vkey"), encoding: .utf8)
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.sumGolangFixtures.path)
            .filter { $0.hasPrefix("checkpoint_") }.sorted()
        for name in files {
            let original = try String(contentsOf: Self.sumGolangFixtures.appendingPathComponent(name), encoding: .utf8)
            let lines = original.components(separatedBy: "\n")
            let sizeOffset = lines[0].utf8.count + 1
            let rootOffset = sizeOffset + lines[1].utf8.count + 1
            let signatureOffset = rootOffset + lines[2].utf8.count + 2 + "\u{2014} sum.golang.org ".utf8.count
            // One byte each in the origin, the tree size, the root hash, the key ID and the signature.
            let offsets = [3, sizeOffset + 2, rootOffset + 10, signatureOffset + 2, signatureOffset + 40]
            for offset in offsets {
                let altered = try write("altered-\(name)-\(offset)", alter(original, at: offset))
                let run = try keyledger(["checkpoint", "verify", altered, "--key", vkey])
                XCTAssertEqual(run.status, 1, "\(name) altered at byte \(offset)\n\(run.summary)")
                XCTAssertTrue(run.standardError.hasPrefix("error: "), run.summary)
            }
        }
    }

    func testCheckpointVerifyNeedsKnownKey() throws {
        let created = try createCheckpointedLedger()
        let note = try signCheckpoint(created, "checkpoint.txt")
        let sumGolang = Self.sumGolangFixtures.appendingPathComponent("sum.golang.org.vkey").path
        let run = try keyledger(["checkpoint", "verify", note, "--key", sumGolang, "--json"])
        XCTAssertEqual(run.status, 1, run.summary)
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any], run.summary)
        XCTAssertEqual(result["valid"] as? Bool, false)
        XCTAssertTrue((result["error"] as? String)?.contains("no signature by a known key") ?? false, run.summary)

        let missingKey = try keyledger(["checkpoint", "verify", note])
        XCTAssertEqual(missingKey.status, 2, missingKey.summary)
    }

    func testCosignThenVerifyWithQuorum() throws {
        let created = try createCheckpointedLedger()
        try appendNotes(created, 2)
        let note = try signCheckpoint(created, "checkpoint.txt")
        let witnessOne = try generateEd25519Key("w1.pem")
        let witnessTwo = try generateEd25519Key("w2.pem")

        let first = try keyledgerSucceeds(["checkpoint", "cosign", note, "--key", witnessOne, "--name", "witness.example/one",
                                           "--log-key", created.verifierKey, "--time", "1700000000", "--out", path("one.txt")])
        let second = try keyledgerSucceeds(["checkpoint", "cosign", path("one.txt"), "--key", witnessTwo,
                                            "--name", "witness.example/two", "--log-key", created.verifierKey,
                                            "--out", path("both.txt")])
        let witnessOneKey = try XCTUnwrap(first.standardError.components(separatedBy: "cosigned as ").last?
            .trimmingCharacters(in: .whitespacesAndNewlines))
        let witnessTwoKey = try XCTUnwrap(second.standardError.components(separatedBy: "cosigned as ").last?
            .trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertTrue(witnessOneKey.hasPrefix("witness.example/one+"), first.summary)

        let both = try keyledgerSucceeds(["checkpoint", "verify", path("both.txt"), "--key", created.verifierKey,
                                          "--witness", witnessOneKey, "--witness", witnessTwoKey, "--json"])
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(both.standardOutput.utf8)) as? [String: Any])
        let cosignatures = try XCTUnwrap(result["cosignatures"] as? [[String: Any]], both.summary)
        XCTAssertEqual(cosignatures.count, 2)
        XCTAssertEqual(cosignatures.first?["timestamp"] as? Int, 1_700_000_000)

        let text = try keyledgerSucceeds(["checkpoint", "verify", path("both.txt"), "--key", created.verifierKey,
                                          "--witness", witnessOneKey, "--witness", witnessTwoKey, "--quorum", "2"])
        XCTAssertTrue(text.outputLines.contains("cosigned by \(witnessOneKey) at 1700000000"), text.summary)

        let short = try keyledger(["checkpoint", "verify", path("one.txt"), "--key", created.verifierKey,
                                   "--witness", witnessOneKey, "--witness", witnessTwoKey, "--quorum", "2"])
        XCTAssertEqual(short.status, 1, short.summary)
        XCTAssertTrue(short.standardError.contains("quorum is 2"), short.summary)
        try keyledgerSucceeds(["checkpoint", "verify", path("one.txt"), "--key", created.verifierKey,
                               "--witness", witnessOneKey, "--witness", witnessTwoKey, "--quorum", "1"])

        let impossible = try keyledger(["checkpoint", "verify", path("both.txt"), "--key", created.verifierKey,
                                        "--witness", witnessOneKey, "--quorum", "2"])
        XCTAssertEqual(impossible.status, 2, impossible.summary)

        let twice = try keyledger(["checkpoint", "cosign", path("both.txt"), "--key", witnessOne, "--name", "witness.example/one"])
        XCTAssertEqual(twice.status, 2, twice.summary)
        XCTAssertTrue(twice.standardError.contains("already cosigned"), twice.summary)
    }

    func testLogKeyCannotWitnessItself() throws {
        let created = try createCheckpointedLedger()
        let note = try signCheckpoint(created, "checkpoint.txt")
        let message = "the %@ key has the same public key as the log key \(created.verifierKey): a log cannot witness its own checkpoints, so use the key of an independent witness"

        let checked = try keyledger(["checkpoint", "cosign", note, "--key", created.checkpointKey, "--name", "self.example/w",
                                     "--log-key", created.verifierKey, "--out", path("checked.txt")])
        XCTAssertEqual(checked.status, 2, checked.summary)
        XCTAssertEqual(checked.standardError, "error: " + message.replacingOccurrences(of: "%@", with: "--key") + "\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("checked.txt")))

        // Without --log-key, cosign cannot know the log's key, so the check falls to the verifier.
        let unchecked = try keyledgerSucceeds(["checkpoint", "cosign", note, "--key", created.checkpointKey,
                                               "--name", "self.example/w", "--out", path("self.txt")])
        let selfWitness = try XCTUnwrap(unchecked.standardError.components(separatedBy: "cosigned as ").last?
            .trimmingCharacters(in: .whitespacesAndNewlines))
        let verified = try keyledger(["checkpoint", "verify", path("self.txt"), "--key", created.verifierKey,
                                      "--witness", selfWitness, "--quorum", "1"])
        XCTAssertEqual(verified.status, 2, verified.summary)
        XCTAssertEqual(verified.standardOutput, "", verified.summary)
        XCTAssertEqual(verified.standardError, "error: " + message.replacingOccurrences(of: "%@", with: "--witness") + "\n")
    }

    func testAlteredCosignatureFails() throws {
        let created = try createCheckpointedLedger()
        let note = try signCheckpoint(created, "checkpoint.txt")
        let witness = try generateEd25519Key("w.pem")
        let run = try keyledgerSucceeds(["checkpoint", "cosign", note, "--key", witness, "--name", "witness.example/w",
                                         "--out", path("cosigned.txt")])
        XCTAssertTrue(run.standardError.contains("warning: the log's signature was not verified"), run.summary)
        let witnessKey = try XCTUnwrap(run.standardError.components(separatedBy: "cosigned as ").last?
            .trimmingCharacters(in: .whitespacesAndNewlines))

        let cosigned = try String(contentsOfFile: path("cosigned.txt"), encoding: .utf8)
        let lastLine = try XCTUnwrap(cosigned.dropLast().components(separatedBy: "\n").last)
        let offset = cosigned.utf8.count - 1 - lastLine.utf8.count + "\u{2014} witness.example/w ".utf8.count + 30
        let altered = try write("altered.txt", alter(cosigned, at: offset))
        let result = try keyledger(["checkpoint", "verify", altered, "--key", created.verifierKey, "--witness", witnessKey])
        XCTAssertEqual(result.status, 1, result.summary)
        XCTAssertTrue(result.standardError.contains("witness.example/w"), result.summary)
    }

    func testCosignRejectsCheckpointOfOtherLog() throws {
        let created = try createCheckpointedLedger()
        let note = try signCheckpoint(created, "checkpoint.txt")
        let witness = try generateEd25519Key("w.pem")
        let sumGolang = Self.sumGolangFixtures.appendingPathComponent("sum.golang.org.vkey").path
        let run = try keyledger(["checkpoint", "cosign", note, "--key", witness, "--name", "witness.example/w",
                                 "--log-key", sumGolang, "--out", path("cosigned.txt")])
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("cosigned.txt")))

        let noName = try keyledger(["checkpoint", "cosign", note, "--key", witness])
        XCTAssertEqual(noName.status, 2, noName.summary)
        XCTAssertTrue(noName.standardError.contains("--name"), noName.summary)
    }

    func testCosignWithSignerKeyText() throws {
        let created = try createCheckpointedLedger()
        let note = try signCheckpoint(created, "checkpoint.txt")
        let fixtures = Self.sumGolangFixtures.deletingLastPathComponent()
        let signerKey = try write("peter.skey", String(contentsOf: fixtures.appendingPathComponent("note_go_peterneumann.skey"), encoding: .utf8))
        let run = try keyledgerSucceeds(["checkpoint", "cosign", note, "--key", signerKey, "--log-key", created.verifierKey])
        XCTAssertTrue(run.standardOutput.hasSuffix("\n"), run.summary)
        let witnessKey = try XCTUnwrap(run.standardError.components(separatedBy: "cosigned as ").last?
            .trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertTrue(witnessKey.hasPrefix("PeterNeumann+"), run.summary)

        let cosigned = try write("cosigned.txt", run.standardOutput)
        try keyledgerSucceeds(["checkpoint", "verify", cosigned, "--key", created.verifierKey, "--witness", witnessKey])

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: signerKey)
        let readable = try keyledger(["checkpoint", "cosign", note, "--key", signerKey])
        XCTAssertEqual(readable.status, 2, readable.summary)
        XCTAssertTrue(readable.standardError.contains("chmod 600"), readable.summary)
    }

    func testKeyRotationHandsOver() throws {
        let created = try createCheckpointedLedger()
        let before = try signCheckpoint(created, "before.txt")

        let missingPrevious = try keyledger(["checkpoint", "key", "rotate", "--ledger", created.ledger, "--signing-key",
                                             created.signingKey, "--generate", "--key-out", path("next.pem")])
        XCTAssertEqual(missingPrevious.status, 2, missingPrevious.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("next.pem")), "a rejected rotation left its generated key")

        let rotated = try keyledgerSucceeds(["checkpoint", "key", "rotate", "--ledger", created.ledger, "--signing-key",
                                             created.signingKey, "--generate", "--key-out", path("next.pem"),
                                             "--previous-key", created.checkpointKey, "--reason", "yearly"])
        let newVerifierKey = try XCTUnwrap(rotated.outputLines.first)
        XCTAssertNotEqual(newVerifierKey, created.verifierKey)
        XCTAssertEqual(try mode(of: path("next.pem")), 0o600)

        let shown = try keyledgerSucceeds(["checkpoint", "key", "show", "--ledger", created.ledger, "--json"])
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        let history = try XCTUnwrap(result["history"] as? [[String: Any]])
        XCTAssertEqual(history.compactMap { $0["vkey"] as? String }, [created.verifierKey, newVerifierKey])
        XCTAssertEqual(history.compactMap { $0["introduced_at"] as? Int }, [1, 2])

        let oldKey = try keyledger(["checkpoint", "--ledger", created.ledger, "--checkpoint-key", created.checkpointKey])
        XCTAssertEqual(oldKey.status, 2, oldKey.summary)
        let after = try keyledgerSucceeds(["checkpoint", "--ledger", created.ledger, "--checkpoint-key", path("next.pem"),
                                           "--out", path("after.txt")])
        XCTAssertEqual(after.standardOutput, "")

        let verified = try keyledgerSucceeds(["verify", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor,
                                              "--checkpoint", before, "--checkpoint", path("after.txt")])
        XCTAssertEqual(verified.outputLines.filter { $0.hasPrefix("checkpoint key ") }.count, 2, verified.summary)
        XCTAssertEqual(verified.outputLines.filter { $0.hasPrefix("checkpoint of tree size ") }.count, 2, verified.summary)
        XCTAssertEqual(verified.standardError, "", verified.summary)
    }

    func testInitCheckpointKeyOptions() throws {
        let existing = try generateEd25519Key("existing.pem")
        let run = try keyledgerSucceeds(["init", "--ledger", path("given.db"), "--generate-signing-key", "ES256",
                                         "--key-out", path("given.key.pem"), "--checkpoint-key", existing,
                                         "--checkpoint-origin", "ledger.example/audit", "--json"])
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        XCTAssertTrue((result["checkpoint_vkey"] as? String)?.hasPrefix("ledger.example/audit+") ?? false, run.summary)

        let sameAsSigning = try keyledger(["init", "--ledger", path("same.db"), "--signing-key", existing,
                                           "--checkpoint-key", existing])
        XCTAssertEqual(sameAsSigning.status, 2, sameAsSigning.summary)
        XCTAssertTrue(sameAsSigning.standardError.contains("checkpoint key is the ledger signing key"), sameAsSigning.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("same.db")))

        let notEd25519 = try keyledger(["init", "--ledger", path("ec.db"), "--generate-signing-key", "ES256",
                                        "--key-out", path("ec.key.pem"), "--checkpoint-key", path("given.key.pem")])
        XCTAssertEqual(notEd25519.status, 2, notEd25519.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("ec.key.pem")), "init left its generated signing key")

        let outWithoutGenerate = try keyledger(["init", "--ledger", path("out.db"), "--generate-signing-key", "ES256",
                                                "--key-out", path("out.key.pem"), "--checkpoint-key-out", path("c.pem")])
        XCTAssertEqual(outWithoutGenerate.status, 2, outWithoutGenerate.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.key.pem")))
    }
}
