import Foundation
import JOSE
@testable import KeyLedger
import SQLiteBridge
import XCTest

/// `Ledger.verify` checks the structure of one batch while the signatures of
/// the batch before it are verified on other threads. These tests compare it,
/// on tampered ledgers and for several batch sizes, with the same batches
/// checked one after the other on the general path by `ChainVerifier.check`,
/// which has no overlap.
final class VerifyPipelineTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var firstKey: SigningKey!
    private var path: String!

    /// Notes 2 to 11 signed by the first key, a handover at 12, notes 13 to 30 signed by the second key.
    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        firstKey = try SigningKey.generate(.rs256)
        let secondKey = try SigningKey.generate(.es256)
        path = directory.path("ledger.db")
        let ledger = try Ledger.create(at: path, signingKey: firstKey, actor: "init")
        try ledger.append(try notes(2...11), signingKey: firstKey)
        try ledger.rotateSigningKey(to: secondKey, actor: "init", signingKey: firstKey)
        try ledger.append(try notes(13...30), signingKey: secondKey)
    }

    private func notes(_ numbers: ClosedRange<Int>) throws -> [Event] {
        try numbers.map { try Event(kind: .note, actor: "alice", body: ["n": .number(Double($0))]) }
    }

    private func tamper(_ statements: [String]) throws {
        let connection = try Connection(path: path, mode: .readWrite)
        try connection.execute("DROP TRIGGER IF EXISTS entries_no_update; DROP TRIGGER IF EXISTS entries_no_delete")
        for sql in statements { try connection.execute(sql) }
    }

    func testPipelineMatchesBatchesInTurn() throws {
        let cases: [(name: String, tampering: [String])] = [
            ("untouched", []),
            ("signature of entry 6 on entry 5", ["UPDATE entries SET signature = (SELECT signature FROM entries WHERE seq = 6) WHERE seq = 5"]),
            ("column of entry 9 edited", ["UPDATE entries SET actor = 'mallory' WHERE seq = 9"]),
            ("signature after the handover", ["UPDATE entries SET signature = (SELECT signature FROM entries WHERE seq = 15) WHERE seq = 14"]),
            ("entry 20 removed", ["DELETE FROM entries WHERE seq = 20"]),
            ("bad signature before a bad column", [
                "UPDATE entries SET signature = (SELECT signature FROM entries WHERE seq = 8) WHERE seq = 7",
                "UPDATE entries SET actor = 'mallory' WHERE seq = 8",
            ]),
            ("bad column before a bad signature", [
                "UPDATE entries SET actor = 'mallory' WHERE seq = 7",
                "UPDATE entries SET signature = (SELECT signature FROM entries WHERE seq = 10) WHERE seq = 9",
            ]),
        ]
        for (name, tampering) in cases {
            try setUpWithError()
            try tamper(tampering)
            for batchSize in [1, 2, 3, 4, 5, 8, 2048] {
                let options = VerifyOptions(trustAnchor: firstKey.keyID, batchSize: batchSize)
                let pipelined = try Ledger(path: path, readOnly: true).verify(options)
                let inTurn = try verifyOnGeneralPathInTurn(path: path, options: options)
                let label = "\(name), batches of \(batchSize)"
                XCTAssertEqual(pipelined.failure, inTurn.failure, label)
                XCTAssertEqual(pipelined.entriesChecked, inTurn.entriesChecked, label)
                XCTAssertEqual(pipelined.signaturesVerified, inTurn.signaturesVerified, label)
                XCTAssertEqual(pipelined.head, inTurn.head, label)
                XCTAssertEqual(pipelined.signers, inTurn.signers, label)
                XCTAssertEqual(pipelined.genesisKeyID, inTurn.genesisKeyID, label)
                XCTAssertEqual(pipelined.trustAnchorChecked, inTurn.trustAnchorChecked, label)
                XCTAssertEqual(pipelined.warnings, inTurn.warnings, label)
            }
        }
    }

    func testTamperedCasesFailWhereExpected() throws {
        let cases: [(tampering: String, sequence: Int64, reason: VerificationResult.Reason, checked: Int64)] = [
            ("UPDATE entries SET signature = (SELECT signature FROM entries WHERE seq = 6) WHERE seq = 5", 5, .invalidSignature, 4),
            ("UPDATE entries SET actor = 'mallory' WHERE seq = 9", 9, .hashMismatch, 8),
            ("DELETE FROM entries WHERE seq = 20", 21, .sequenceGap, 19),
        ]
        for (tampering, sequence, reason, checked) in cases {
            try setUpWithError()
            try tamper([tampering])
            for batchSize in [1, 3, 2048] {
                let result = try Ledger(path: path, readOnly: true).verify(VerifyOptions(trustAnchor: firstKey.keyID, batchSize: batchSize))
                XCTAssertEqual(result.failure?.sequence, sequence, "\(tampering), batches of \(batchSize)")
                XCTAssertEqual(result.failure?.reason, reason, "\(tampering), batches of \(batchSize)")
                XCTAssertEqual(result.entriesChecked, checked, "\(tampering), batches of \(batchSize)")
            }
        }
    }

    func testProgressReportsTheTotal() throws {
        var reports: [(completed: Int, total: Int)] = []
        let options = VerifyOptions(trustAnchor: firstKey.keyID, batchSize: 8)

        let result = try Ledger(path: path, readOnly: true).verify(options) { reports.append(($0, $1)) }

        XCTAssertNil(result.failure)
        XCTAssertFalse(reports.isEmpty)
        XCTAssertTrue(reports.allSatisfy { $0.total == 30 }, "\(reports)")
        XCTAssertEqual(reports.last?.completed, 30)
    }
}
