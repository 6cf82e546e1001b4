import Foundation
import KeyLedger
import SQLiteBridge
import XCTest

/// The schema files in `schema/` are the single source of truth: a ledger
/// created by the library must contain exactly what they define.
final class SchemaTests: XCTestCase {
    private static let schemaDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schema")

    private func objects(_ connection: Connection) throws -> [String] {
        try connection.query("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
            .map { row in (0..<4).map { row.text($0) ?? "NULL" }.joined(separator: " | ") }
    }

    func testNewLedgerMatchesSchemaFiles() throws {
        let directory = try TemporaryDirectory(self)
        let ledgerPath = directory.path("ledger.db")
        _ = try Ledger.create(at: ledgerPath, signingKey: SigningKey.generate(.edDSA), actor: "test")

        let files = try FileManager.default.contentsOfDirectory(atPath: Self.schemaDirectory.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        XCTAssertFalse(files.isEmpty)
        let reference = try Connection(path: directory.path("reference.db"), mode: .readWriteCreate)
        for file in files {
            try reference.execute(String(contentsOf: Self.schemaDirectory.appendingPathComponent(file), encoding: .utf8))
        }

        let created = try Connection(path: ledgerPath, mode: .readOnly)
        XCTAssertEqual(try objects(created), try objects(reference))
        XCTAssertEqual(try created.query("PRAGMA user_version").first?.int(0), files.count)
    }

    func testSchemaFilesAreNumberedInOrder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.schemaDirectory.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        for (index, file) in files.enumerated() {
            XCTAssertTrue(file.hasPrefix(String(format: "%03d_", index + 1)), "\(file) should start with \(String(format: "%03d_", index + 1))")
        }
    }
}
