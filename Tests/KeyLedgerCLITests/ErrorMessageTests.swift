import Foundation
import XCTest

/// Error messages name the value and the fix in plain words, with no Swift type names or raw SQLite codes.
final class ErrorMessageTests: CLITestCase {
    func testTamperedSignatureHasNoTypeName() throws {
        let created = try createLedger()
        try append(created)
        try sqlite3(created.ledger, "DROP TRIGGER entries_no_update; UPDATE entries SET signature = 'abc' WHERE seq = 2;")
        let run = try keyledger(["verify", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor])
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(run.outputLines.first, "INVALID: entry 2: invalid_signature", run.summary)
        XCTAssertTrue(run.standardOutput.contains(": a compact JWS has 3 parts separated by \".\", found 1"), run.summary)
        XCTAssertFalse(run.standardOutput.contains("JOSEError"), run.summary)
    }

    func testKeyImportErrorsHaveNoTypeName() throws {
        let created = try createLedger()
        try keyledgerSucceeds(["change", "open", "--ledger", created.ledger, "--signing-key", created.signingKey, "--id", "CHG-1",
                               "--summary", "Import", "--technician", "tina", "--reviewer", "rui", "--actor", "tina"])
        let cases: [(jwk: String, message: String)] = [
            (#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA","d":"AA"}"#, "the JWK contains the private key member \"d\""),
            (#"{"kty":"EC"}"#, "the JWK has no \"crv\" member"),
        ]
        for (jwk, message) in cases {
            let file = try write("import.jwk", jwk)
            let run = try keyledger(["key", "import", "--ledger", created.ledger, "--signing-key", created.signingKey, "--name", "api",
                                     "--env", "production", "--jwk", file, "--change", "CHG-1", "--actor", "tina"])
            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertTrue(run.standardError.hasPrefix("error: cannot import \"\(file)\": \(message)"), run.summary)
            XCTAssertFalse(run.standardError.contains("JOSEError"), run.summary)
        }
    }

    func testPublicKeyImportErrorsHaveNoTypeName() throws {
        let created = try createLedger()
        try keyledgerSucceeds(["change", "open", "--ledger", created.ledger, "--signing-key", created.signingKey, "--id", "CHG-1",
                               "--summary", "Import", "--technician", "tina", "--reviewer", "rui", "--actor", "tina"])
        let cases: [(file: String, message: String)] = [
            (try write("garbage.pem", "not a key\n"), "no complete PEM block"),
            (created.signingKey, "the PEM block is a PRIVATE KEY, not a public key"),
        ]
        for (file, message) in cases {
            let run = try keyledger(["key", "import", "--ledger", created.ledger, "--signing-key", created.signingKey, "--name", "api",
                                     "--env", "production", "--public", file, "--change", "CHG-1", "--actor", "tina"])
            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertTrue(run.standardError.hasPrefix("error: cannot import \"\(file)\": \(message)"), run.summary)
            XCTAssertFalse(run.standardError.contains("CryptoError"), run.summary)
            XCTAssertFalse(run.standardError.contains(".swift:"), run.summary)
        }
    }

    func testLedgerPathThatIsDirectory() throws {
        try FileManager.default.createDirectory(atPath: path("ledgers"), withIntermediateDirectories: true)
        let run = try keyledger(["verify", "--ledger", path("ledgers")])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardError, "error: the ledger path \"\(path("ledgers"))\" is a directory: give the ledger file, such as \"\(path("ledgers/ledger.db"))\"\n")
    }

    func testInitInMissingDirectory() throws {
        let ledger = path("missing/dir/ledger.db")
        let run = try keyledger(["init", "--ledger", ledger, "--generate-signing-key", "ES256", "--key-out", path("key.pem"), "--actor", "a"])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.contains("the directory \"\(path("missing/dir"))\" does not exist: create it first (`mkdir -p \(path("missing/dir"))`)"), run.summary)
        XCTAssertFalse(run.standardError.contains("SQLite error"), run.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("key.pem")), "a rejected init wrote a key")
    }

    func testUnreadableKeyFileGivesReason() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root to make a key file that another user may not read")
        let setpriv = try Program.require("setpriv", for: "run keyledger as a user who may not read the key")
        let folder = path("shared")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder)
        let created = try createLedger()
        // The key belongs to root with mode 0600, so the user nobody passes the mode check but cannot open the file.
        let run = try Program.run(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", executable.path,
                                            "init", "--ledger", path("shared/ledger.db"), "--signing-key", created.signingKey,
                                            "--alg", "ES256", "--actor", "nobody"],
                                  workingDirectory: URL(fileURLWithPath: "/"))
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.hasPrefix("error: cannot read the key file \"\(created.signingKey)\": permission denied: "), run.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("shared/ledger.db")), "a rejected init created the ledger")
    }

    func testUnreadableWitnessKeyGivesReason() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root to make a key file that another user may not read")
        let setpriv = try Program.require("setpriv", for: "run keyledger as a user who may not read the key")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        let key = try write("witness.key", "PRIVATE+KEY+witness+00000000+AAAA")
        let note = try write("note.checkpoint", "not read", mode: 0o644)
        let run = try Program.run(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", executable.path,
                                            "checkpoint", "cosign", note, "--key", key],
                                  workingDirectory: URL(fileURLWithPath: "/"))
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.hasPrefix("error: cannot read \(key): permission denied: "), run.summary)
    }

    func testMissingCheckpointFileGivesReason() throws {
        let openssl = try Program.require("openssl", for: "create a witness key")
        let generated = try Program.run(openssl, ["genpkey", "-algorithm", "ed25519", "-out", path("witness.pem")])
        XCTAssertEqual(generated.status, 0, generated.summary)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path("witness.pem"))
        let run = try keyledger(["checkpoint", "cosign", path("missing.checkpoint"), "--key", path("witness.pem"),
                                 "--name", "witness.example.com/w1"])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.contains("cannot read \(path("missing.checkpoint")): no such file or directory: "), run.summary)
    }

    func testVerifyJSONErrorOnlyOnStandardError() throws {
        // An error that stops a command before its check prints nothing on standard output, --json or not.
        let run = try keyledger(["verify", "--ledger", path("missing.db"), "--json"])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.standardOutput, "", run.summary)
        XCTAssertTrue(run.standardError.hasPrefix("error: no ledger at \"\(path("missing.db"))\""), run.summary)
    }

    func testTreeMismatchSaysWhatVerified() throws {
        let created = try createLedger()
        for _ in 0..<3 { try append(created) }
        try sqlite3(created.ledger, "DROP TRIGGER merkle_tree_no_update; UPDATE merkle_tree SET hash = zeroblob(32) WHERE position = 0;")
        let run = try keyledger(["verify", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor])
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(run.outputLines.first, "INVALID: entry 1: tree_mismatch", run.summary)
        XCTAssertEqual(run.outputLines.last,
                       "the hash chain and the signatures of all 4 entries verified, but the stored Merkle tree does not match them", run.summary)
        XCTAssertFalse(run.standardOutput.contains("before it verified"), run.summary)
    }
}
