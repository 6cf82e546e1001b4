import SQLiteBridge

/// Entry rows read for verification, with the bytes of every column copied
/// into one buffer instead of a String or an array per value.
///
/// A batch keeps each value's storage class, so ``storedRow(_:)`` converts a
/// row exactly as `Row` and ``StoredRow`` would have when it was read.
struct RawEntryBatch {
    /// The columns of `Ledger.entryColumns`, in order.
    enum Column: Int, CaseIterable {
        case sequence, recordedAt, kind, actor, keyID, changeID, canonical, previousHash, hash, signerKeyID, signature
    }

    /// One value: its storage class, where its bytes lie in ``bytes`` for
    /// text and blobs, and its number for integers and reals.
    struct Value {
        var storageClass: SQLiteStorageClass
        var bytes: Range<Int>
        /// An integer, or the bit pattern of a real.
        var number: Int64
    }

    private(set) var bytes: [UInt8] = []
    private var values: [Value] = []

    var rowCount: Int { values.count / Column.allCases.count }

    init(expectedRows: Int) {
        // An RS256 entry of the benchmark takes about 1,030 bytes, so a batch
        // of them fits without the buffer growing, which copies it.
        bytes.reserveCapacity(expectedRows * 1280)
        values.reserveCapacity(expectedRows * Column.allCases.count)
    }

    /// Removes every row and keeps the storage, for reading the next batch into.
    mutating func removeAllRows() {
        bytes.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    /// Copies the row that `statement` is on, which must select `Ledger.entryColumns`.
    mutating func appendCurrentRow(of statement: Statement) {
        for column in 0..<Column.allCases.count {
            let storageClass = statement.storageClass(column)
            var value = Value(storageClass: storageClass, bytes: bytes.count..<bytes.count, number: 0)
            switch storageClass {
            case .integer:
                value.number = statement.int64(column)
            case .real:
                value.number = Int64(bitPattern: statement.double(column).bitPattern)
            case .text, .blob:
                statement.withBytes(column) { bytes.append(contentsOf: $0) }
                value.bytes = value.bytes.lowerBound..<bytes.count
            case .null:
                break
            }
            values.append(value)
        }
    }

    func value(_ row: Int, _ column: Column) -> Value {
        values[row * Column.allCases.count + column.rawValue]
    }

    /// Returns the value's bytes when it is stored as `storageClass`, else nil.
    func bytes(_ row: Int, _ column: Column, ifStoredAs storageClass: SQLiteStorageClass) -> Range<Int>? {
        let value = value(row, column)
        return value.storageClass == storageClass ? value.bytes : nil
    }

    /// Returns the row as the general verification path reads it.
    func storedRow(_ row: Int) -> StoredRow {
        let rowValues = Column.allCases.map { column -> SQLiteValue in
            let value = value(row, column)
            switch value.storageClass {
            case .integer: return .integer(value.number)
            case .real: return .real(Double(bitPattern: UInt64(bitPattern: value.number)))
            case .text: return .text(String(decoding: bytes[value.bytes], as: UTF8.self))
            case .blob: return .blob(Array(bytes[value.bytes]))
            case .null: return .null
            }
        }
        return StoredRow(Row(values: rowValues))
    }
}
