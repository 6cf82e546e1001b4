import Foundation
import XCTest

/// Commands that only read a ledger leave its directory as they found it.
///
/// A ledger is in SQLite's WAL mode, where every connection creates the
/// `-wal` and `-shm` files beside the database and only a connection that can
/// write removes them when it closes last.
final class ReadOnlyCommandTests: CLITestCase {
    private func directoryListing(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    func testReadOnlyCommandsLeaveNoWALFiles() throws {
        let folder = path("ledgers")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let created = try createLedger("ledgers/ledger.db")
        try append(created, body: #"{"ticket":"CHG-1"}"#)
        let before = try directoryListing(folder)
        XCTAssertEqual(before, ["ledger.db", "ledger.db.key.pem"], "the writer's last close removed -wal and -shm")

        let ledger = created.ledger
        let commands: [[String]] = [
            ["verify", "--ledger", ledger, "--trust-anchor", created.trustAnchor],
            ["log", "--ledger", ledger],
            ["key", "list", "--ledger", ledger],
            ["change", "show", "--ledger", ledger],
            ["signing-key", "show", "--ledger", ledger],
            ["report", "--ledger", ledger, "--period", Self.currentQuarter(), "--format", "json", "--out", path("report"), "--no-record"],
        ]
        for arguments in commands {
            let run = try keyledger(arguments)
            XCTAssertEqual(run.status, 0, run.summary)
            XCTAssertEqual(try directoryListing(folder), before, "`keyledger \(arguments.prefix(2).joined(separator: " "))` left files behind")
        }
    }

    func testReadOnlyCommandKeepsFilesOfOpenConnection() throws {
        let created = try createLedger()
        let sqlite3 = try Program.require("sqlite3", for: "hold a second connection open")
        // The sqlite3 shell holds a read transaction for three seconds, and with it the -wal and -shm files.
        let holder = try Program.start(URL(fileURLWithPath: "/bin/sh"), ["-c",
            "(printf 'BEGIN;\\nSELECT count(*) FROM entries;\\n'; sleep 3) | '\(sqlite3.path)' -batch '\(created.ledger)'"])
        Thread.sleep(forTimeInterval: 1)
        let run = try keyledger(["verify", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor])
        XCTAssertEqual(run.status, 0, run.summary)
        let listing = try directoryListing(directory.path)
        XCTAssertTrue(listing.contains("ledger.db-wal"), "verify removed the -wal file of a connection still open: \(listing)")
        XCTAssertTrue(listing.contains("ledger.db-shm"), "verify removed the -shm file of a connection still open: \(listing)")

        let held = try holder.wait(timeout: 60)
        XCTAssertEqual(held.status, 0, held.summary)
        XCTAssertEqual(held.outputLines, ["1"])
        XCTAssertEqual(try directoryListing(directory.path), ["ledger.db", "ledger.db.key.pem"], "the last connection to close removed them")
    }

    /// Runs `keyledger` as a user who may not write the ledger: `nobody` when the tests run as root, else this user.
    private func keyledgerWithoutWriteAccess(_ arguments: [String]) throws -> ProgramRun {
        guard geteuid() == 0 else { return try keyledger(arguments) }
        let setpriv = try Program.require("setpriv", for: "run keyledger as a user without write access")
        return try Program.run(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", executable.path] + arguments,
                               workingDirectory: URL(fileURLWithPath: "/"))
    }

    func testLedgerWithoutWriteAccess() throws {
        let folder = path("shared")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let created = try createLedger("shared/ledger.db")
        try FileManager.default.removeItem(atPath: created.signingKey)
        // Another user (or this one, without root) must reach the file: the test folder and the ledger are readable, not writable.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: created.ledger)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder) }
        let verify = ["verify", "--ledger", created.ledger, "--trust-anchor", created.trustAnchor]

        // SQLite cannot create -wal and -shm in a directory it may not write, so it cannot read the ledger.
        let refused = try keyledgerWithoutWriteAccess(verify)
        XCTAssertEqual(refused.status, 2, refused.summary)
        XCTAssertTrue(refused.standardError.contains("cannot be created in its directory by this user"), refused.summary)
        XCTAssertTrue(refused.standardError.contains("copy the ledger to a writable directory"), refused.summary)
        XCTAssertEqual(try directoryListing(folder), ["ledger.db"])

        // In a writable directory the read-only file verifies, and SQLite leaves -wal and -shm, which it cannot checkpoint.
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: folder)
        let verified = try keyledgerWithoutWriteAccess(verify)
        XCTAssertEqual(verified.status, 0, verified.summary)
        XCTAssertEqual(try directoryListing(folder), ["ledger.db", "ledger.db-shm", "ledger.db-wal"])
    }

    /// Runs `keyledger` as the user and group `id`, with no supplementary groups.
    private func keyledger(asUser id: Int, _ arguments: [String]) throws -> ProgramRun {
        let setpriv = try Program.require("setpriv", for: "run keyledger as two different users")
        return try Program.run(setpriv, ["--reuid=\(id)", "--regid=\(id)", "--clear-groups", executable.path] + arguments,
                               workingDirectory: URL(fileURLWithPath: "/"))
    }

    func testReaderWALFilesBlockOwnerAppend() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root to run keyledger as two users: the owner and another reader")
        let owner = 4242
        let reader = 65534
        let folder = path("shared")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder)
        let ledger = path("shared/ledger.db")
        let key = path("shared/key.pem")

        let created = try keyledger(asUser: owner, ["init", "--ledger", ledger, "--generate-signing-key", "ES256",
                                                    "--key-out", key, "--actor", "owner"])
        XCTAssertEqual(created.status, 0, created.summary)
        let anchor = try XCTUnwrap(created.outputLines.first, created.summary)

        // The reader may not write the ledger but may write its directory, so SQLite leaves -wal and -shm owned by the reader.
        let verified = try keyledger(asUser: reader, ["verify", "--ledger", ledger, "--trust-anchor", anchor])
        XCTAssertEqual(verified.status, 0, verified.summary)
        XCTAssertTrue(FileManager.default.fileExists(atPath: ledger + "-wal"), verified.summary)

        let append = ["append", "--ledger", ledger, "--signing-key", key, "--kind", "note", "--actor", "owner", "--body", "{}"]
        let blocked = try keyledger(asUser: owner, append)
        XCTAssertEqual(blocked.status, 2, blocked.summary)
        XCTAssertTrue(blocked.standardError.contains("\"\(ledger)-wal\""), blocked.summary)
        XCTAssertTrue(blocked.standardError.contains("\"\(ledger)-shm\""), blocked.summary)
        XCTAssertTrue(blocked.standardError.contains("owned by nobody (uid 65534)"), blocked.summary)
        XCTAssertTrue(blocked.standardError.contains("when no process has the ledger open, then retry"), blocked.summary)
        XCTAssertTrue(blocked.standardError.contains("give other users a copy"), blocked.summary)
        XCTAssertFalse(blocked.standardError.contains("SQLite error"), blocked.summary)

        // The fix the message gives works.
        try FileManager.default.removeItem(atPath: ledger + "-wal")
        try FileManager.default.removeItem(atPath: ledger + "-shm")
        let appended = try keyledger(asUser: owner, append)
        XCTAssertEqual(appended.status, 0, appended.summary)
    }

    /// Returns the quarter that contains today in UTC, such as "2026-Q4". A
    /// fixed quarter would end before the ledger's first entry one day, and
    /// such a report is rejected.
    private static func currentQuarter() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: Date())
        return "\(parts.year!)-Q\((parts.month! - 1) / 3 + 1)"
    }
}
