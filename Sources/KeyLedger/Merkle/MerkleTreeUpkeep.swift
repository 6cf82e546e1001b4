import SQLiteBridge

/// The Merkle tree step of an append, for keyledger-merkle-bench, which
/// times it apart from the rest of the append.
///
/// Not part of the library's API: import it with `@_spi(Benchmarks)`.
@_spi(Benchmarks)
public final class MerkleTreeUpkeep {
    private let connection: Connection
    /// The right edge, digest context and statements kept between appends, as a `Ledger` keeps them.
    private let appendState: MerkleTree.AppendState

    /// Creates the tree step for appends through `connection`.
    public init(connection: Connection) {
        self.connection = connection
        self.appendState = MerkleTree.AppendState(connection: connection)
    }

    /// Runs the tree step that `Ledger.append` runs right after inserting
    /// entry `sequence`, with the same code: a new tree over the connection
    /// and `MerkleTree.append`, which continues from the right edge that
    /// the previous call left when it still matches the ledger. The caller
    /// must have begun a write transaction and inserted the entry.
    ///
    /// - Parameter previousEntryHash: The entry hash of entry `sequence - 1`,
    ///   which `Ledger.append` has from the head it read.
    public func appendEntry(sequence: Int64, entryHash: [UInt8], previousEntryHash: [UInt8]) throws {
        try MerkleTree(connection: connection, appendState: appendState)
            .append(entryHashes: [entryHash], firstSequence: sequence, previousEntryHash: previousEntryHash)
    }
}
