-- keyledger schema, migration 2: the Merkle tree over the entries.
--
-- The tree is the one of RFC 9162 section 2.1 with SHA-256. Leaf i (counted
-- from 0) is the entry with seq = i + 1, and its leaf hash is
-- SHA-256(0x00 || entry_hash). An interior node is SHA-256(0x01 || left || right).
--
-- This table stores the hash of every perfect subtree: the row (level, idx)
-- covers leaves idx * 2^level up to (idx + 1) * 2^level - 1, so level 0 holds
-- the leaf hashes. Any tree of n leaves is a row of at most log2(n) such
-- subtrees, so the root of every size up to the current one, and every
-- inclusion and consistency proof, takes O(log n) row reads.
--
-- The rows are derived data: the entries are the record, and the library can
-- recompute every row from their entry hashes. Appends write the new rows in
-- the same transaction as the new entries, about two rows per entry.
--
-- SQLite has no SHA-256 function, so this migration only creates the table.
-- For a ledger that already has entries, the library fills in their rows on
-- the first append after the migration (MerkleTree.appendPendingEntries, which
-- appends every entry that is not yet a leaf, in seq order).
CREATE TABLE merkle_nodes (
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 62),
    idx   INTEGER NOT NULL CHECK (idx >= 0),
    hash  BLOB    NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- Like the entries, the tree only grows. These triggers stop accidental
-- edits; the checks against the entries and the signed checkpoints are what
-- detect a deliberate one.
CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
BEGIN
    SELECT RAISE(ABORT, 'keyledger Merkle tree nodes are append-only: UPDATE is not allowed');
END;

CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
BEGIN
    SELECT RAISE(ABORT, 'keyledger Merkle tree nodes are append-only: DELETE is not allowed');
END;
