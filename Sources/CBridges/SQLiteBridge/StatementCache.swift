/// Compiled statements that are not in use, by SQL text, for `Connection.withCachedStatement(_:_:)`.
///
/// A statement is taken out while it is in use and put back afterwards, so a
/// statement in the cache is never in use.
struct StatementCache {
    private struct Slot {
        let statement: Statement
        var lastUse: UInt64
    }

    private var slots: [String: Slot] = [:]
    private var useCount: UInt64 = 0

    var count: Int { slots.count }

    /// Removes and returns the statement for `sql`, or returns nil when none is idle.
    mutating func take(_ sql: String) -> Statement? {
        slots.removeValue(forKey: sql)?.statement
    }

    /// Puts `statement` back, evicting the least recently used statement when
    /// the cache contains `capacity` statements already. When a nested use of the same SQL
    /// has put a statement back first, `statement` is dropped instead.
    mutating func put(_ statement: Statement, capacity: Int) {
        guard slots[statement.sql] == nil else { return }
        if slots.count >= capacity, let oldest = slots.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            slots.removeValue(forKey: oldest)
        }
        useCount += 1
        slots[statement.sql] = Slot(statement: statement, lastUse: useCount)
    }

    mutating func removeAll() {
        slots.removeAll()
    }
}
