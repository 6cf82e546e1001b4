import SQLiteBridge

/// The Merkle tree step of an append, for keyledger-merkle-bench, which
/// times it apart from the rest of the append.
///
/// Not part of the library's API: import it with `@_spi(Benchmarks)`.
@_spi(Benchmarks)
public enum MerkleTreeUpkeep {
    /// Runs the tree step that `Ledger.append` runs right after inserting
    /// entry `sequence`, with the same code: a new tree over `connection`
    /// and `MerkleTree.append`. The caller must have begun a write
    /// transaction and inserted the entry.
    ///
    /// - Parameter previousEntryHash: The entry hash of entry `sequence - 1`,
    ///   which `Ledger.append` has from the head it read.
    public static func appendEntry(sequence: Int64, entryHash: [UInt8], previousEntryHash: [UInt8],
                                   connection: Connection) throws {
        try MerkleTree(connection: connection).append(entryHashes: [entryHash], firstSequence: sequence,
                                                      previousEntryHash: previousEntryHash)
    }
}
