import Foundation
import SQLiteBridge
import XCTest

/// `Connection.withCachedStatement`: reuse, reset on return, nesting, schema
/// changes, PRAGMA statements, eviction and closing.
final class StatementCacheTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sqlitebridge-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    private func openDatabase(_ name: String = "test.sqlite") throws -> Connection {
        try Connection(path: directory.appendingPathComponent(name).path, mode: .readWriteCreate)
    }

    private func makeNumbersTable(_ connection: Connection) throws {
        try connection.execute("CREATE TABLE numbers (n INTEGER); INSERT INTO numbers VALUES (1), (2), (3)")
    }

    func testSameTextReusesStatement() throws {
        let connection = try openDatabase()
        let first = try connection.withCachedStatement("SELECT 1") { $0 }
        let second = try connection.withCachedStatement("SELECT 1") { $0 }
        XCTAssertTrue(first === second)
        XCTAssertEqual(connection.cachedStatementCount, 1)
    }

    func testReturnedStatementStartsAgain() throws {
        let connection = try openDatabase()
        try makeNumbersTable(connection)
        let sql = "SELECT n FROM numbers ORDER BY n"
        // Read one row of three and leave the rest unread.
        let firstRow = try connection.withCachedStatement(sql) { statement in
            try statement.bind([])
            return try statement.step()?.int(0)
        }
        let allRows = try connection.withCachedStatement(sql) { try $0.rows().map { $0.int(0) } }
        XCTAssertEqual(firstRow, 1)
        XCTAssertEqual(allRows, [1, 2, 3])
    }

    func testReturnedStatementHasNoBoundValues() throws {
        let connection = try openDatabase()
        let bound = try connection.withCachedStatement("SELECT ?") { try $0.rows([.text("secret")]).first?.value(0) }
        let unbound = try connection.withCachedStatement("SELECT ?") { statement in
            try statement.step()?.value(0)
        }
        XCTAssertEqual(bound, .text("secret"))
        XCTAssertEqual(unbound, .null)
    }

    func testReturnedStatementReleasesLock() throws {
        // In rollback-journal mode a statement that stopped between rows keeps
        // a SHARED lock, which makes another connection's write fail at once.
        let reader = try openDatabase()
        try makeNumbersTable(reader)
        let writer = try openDatabase()
        try writer.setBusyTimeout(milliseconds: 0)
        try reader.withCachedStatement("SELECT n FROM numbers") { statement in
            try statement.bind([])
            _ = try statement.step()
            XCTAssertThrowsError(try writer.run("INSERT INTO numbers VALUES (4)"))
        }
        XCTAssertNoThrow(try writer.run("INSERT INTO numbers VALUES (4)"))
    }

    func testThrowingBodyStillReturnsStatement() throws {
        struct Stop: Error {}
        let connection = try openDatabase()
        try makeNumbersTable(connection)
        let sql = "SELECT n FROM numbers ORDER BY n"
        XCTAssertThrowsError(try connection.withCachedStatement(sql) { statement in
            try statement.bind([])
            _ = try statement.step()
            throw Stop()
        })
        XCTAssertEqual(connection.cachedStatementCount, 1)
        XCTAssertEqual(try connection.withCachedStatement(sql) { try $0.rows().count }, 3)
    }

    func testFailedStepDoesNotBreakReuse() throws {
        let connection = try openDatabase()
        try connection.execute("CREATE TABLE unique_numbers (n INTEGER PRIMARY KEY)")
        let sql = "INSERT INTO unique_numbers (n) VALUES (?)"
        try connection.withCachedStatement(sql) { try $0.run([1]) }
        XCTAssertThrowsError(try connection.withCachedStatement(sql) { try $0.run([1]) }) { error in
            XCTAssertEqual((error as? SQLiteError)?.isConstraintViolation, true)
        }
        XCTAssertNoThrow(try connection.withCachedStatement(sql) { try $0.run([2]) })
        XCTAssertEqual(try connection.query("SELECT count(*) FROM unique_numbers").first?.int(0), 2)
    }

    func testNestedUseGetsOwnStatement() throws {
        let connection = try openDatabase()
        try makeNumbersTable(connection)
        let sql = "SELECT n FROM numbers ORDER BY n"
        var pairs: [[Int]] = []
        try connection.withCachedStatement(sql) { outer in
            try outer.bind([])
            while let row = try outer.step() {
                let inner = try connection.withCachedStatement(sql) { statement in
                    XCTAssertFalse(statement === outer)
                    return try statement.rows().map { $0.int(0) }
                }
                pairs.append([row.int(0)] + inner)
            }
        }
        XCTAssertEqual(pairs, [[1, 1, 2, 3], [2, 1, 2, 3], [3, 1, 2, 3]])
        XCTAssertEqual(connection.cachedStatementCount, 1)
    }

    func testSchemaChangeByOtherConnection() throws {
        let connection = try openDatabase()
        try makeNumbersTable(connection)
        let sql = "SELECT * FROM numbers"
        let before = try connection.withCachedStatement(sql) { try $0.rows().first?.columnCount }
        let other = try openDatabase()
        try other.execute("ALTER TABLE numbers ADD COLUMN label TEXT DEFAULT 'x'")
        let after = try connection.withCachedStatement(sql) { try $0.rows().first?.values }
        XCTAssertEqual(before, 1)
        XCTAssertEqual(after, [.integer(1), .text("x")])
    }

    func testDroppedTableFailsCachedStatement() throws {
        let connection = try openDatabase()
        try makeNumbersTable(connection)
        let sql = "SELECT n FROM numbers"
        _ = try connection.withCachedStatement(sql) { try $0.rows() }
        try connection.execute("DROP TABLE numbers")
        XCTAssertThrowsError(try connection.withCachedStatement(sql) { try $0.rows() }) { error in
            XCTAssertEqual((error as? SQLiteError)?.message.hasPrefix("no such table"), true, "\(error)")
        }
    }

    func testPragmaNotCached() throws {
        let connection = try openDatabase()
        let before = try connection.withCachedStatement("PRAGMA user_version") { try $0.rows().first?.int(0) }
        try connection.execute("PRAGMA user_version=7")
        let after = try connection.withCachedStatement("  pragma user_version") { try $0.rows().first?.int(0) }
        XCTAssertEqual(before, 0)
        XCTAssertEqual(after, 7)
        XCTAssertEqual(connection.cachedStatementCount, 0)
    }

    func testInvalidSQLNotCached() throws {
        let connection = try openDatabase()
        XCTAssertThrowsError(try connection.withCachedStatement("SELEC 1") { try $0.rows() })
        XCTAssertEqual(connection.cachedStatementCount, 0)
    }

    func testFullCacheEvictsLeastRecentlyUsed() throws {
        let connection = try openDatabase()
        let capacity = Connection.statementCacheCapacity
        let zero = try connection.withCachedStatement("SELECT 0") { $0 }
        let one = try connection.withCachedStatement("SELECT 1") { $0 }
        for number in 2..<capacity {
            _ = try connection.withCachedStatement("SELECT \(number)") { try $0.rows() }
        }
        // Use "SELECT 0" again, so that "SELECT 1" is the least recently used.
        _ = try connection.withCachedStatement("SELECT 0") { try $0.rows() }
        _ = try connection.withCachedStatement("SELECT \(capacity)") { try $0.rows() }
        XCTAssertEqual(connection.cachedStatementCount, capacity)
        XCTAssertTrue(try connection.withCachedStatement("SELECT 0") { $0 } === zero)
        XCTAssertFalse(try connection.withCachedStatement("SELECT 1") { $0 } === one)
    }

    func testTransactionReusesBeginAndCommit() throws {
        let connection = try openDatabase()
        try connection.execute("CREATE TABLE numbers (n INTEGER)")
        for number in 1...3 {
            try connection.transaction { try connection.run("INSERT INTO numbers VALUES (?)", [.integer(Int64(number))]) }
        }
        XCTAssertEqual(connection.cachedStatementCount, 2)
        XCTAssertTrue(connection.isAutocommit)
        XCTAssertEqual(try connection.query("SELECT count(*) FROM numbers").first?.int(0), 3)
    }

    func testReleasedConnectionClosesDatabase() throws {
        // A connection in exclusive locking mode keeps its lock until it is
        // closed, so a second connection can write only after the close.
        weak var released: Connection?
        do {
            let connection = try openDatabase()
            try connection.execute("PRAGMA locking_mode=EXCLUSIVE")
            try makeNumbersTable(connection)
            _ = try connection.withCachedStatement("SELECT n FROM numbers") { try $0.rows() }
            released = connection
        }
        XCTAssertNil(released, "the statement cache keeps its connection alive")
        let other = try openDatabase()
        try other.setBusyTimeout(milliseconds: 0)
        XCTAssertNoThrow(try other.run("INSERT INTO numbers VALUES (4)"))
    }

    func testPreparedStatementOutlivesConnection() throws {
        var connection: Connection? = try openDatabase()
        try makeNumbersTable(connection!)
        let statement = try connection!.prepare("SELECT count(*) FROM numbers")
        connection = nil
        XCTAssertEqual(try statement.rows().first?.int(0), 3)
    }
}
