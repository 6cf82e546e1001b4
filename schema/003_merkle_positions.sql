-- keyledger schema, migration 3: the Merkle tree's interior nodes in append order.
--
-- The tree is the same as in migration 2 (RFC 9162 section 2.1, SHA-256,
-- leaf i is the entry with seq = i + 1, leaf hash SHA-256(0x00 || entry_hash),
-- interior node SHA-256(0x01 || left || right)); only its storage changes.
--
-- Leaves are no longer stored, because each is one hash of its entry's
-- entry_hash. This table stores the hash of every interior node: every
-- perfect subtree of 2^level leaves (level >= 1) covering leaves
-- idx * 2^level up to (idx + 1) * 2^level - 1. The rows are keyed by the
-- order in which appends write them. Appending leaf i completes one subtree
-- per trailing 1 bit of i, lowest level first, and those rows follow the
-- i - popcount(i) rows of the tree of the first i leaves. So
--
--     position(level, idx) = m - popcount(m) + level - 1,  m = (idx + 1) * 2^level - 1
--
-- and a tree of n leaves has exactly the rows 0 to n - popcount(n) - 1. One
-- append's new rows are consecutive at the end of one B-tree: half of all
-- appends write no row, and the others usually change one page, which keeps
-- the write-ahead log small. The root and every proof of a tree of n leaves
-- need O(log n) rows and leaf hashes.
--
-- The rows are derived data: the entries are the record, and the library
-- recomputes every row from their entry hashes. SQLite has no SHA-256
-- function, so this migration drops the old table and creates an empty one,
-- and the library fills it in from the entries in the same transaction
-- (MerkleTree.appendPendingEntries). On a large ledger that first read-write
-- open takes a few seconds per million entries.
DROP TABLE merkle_nodes;

CREATE TABLE merkle_tree (
    position INTEGER PRIMARY KEY CHECK (position >= 0),
    hash     BLOB    NOT NULL CHECK (length(hash) = 32)
);

-- Like the entries, the tree only grows. These triggers stop accidental
-- edits; the checks against the entries and the signed checkpoints are what
-- detect a deliberate one.
CREATE TRIGGER merkle_tree_no_update BEFORE UPDATE ON merkle_tree
BEGIN
    SELECT RAISE(ABORT, 'keyledger Merkle tree nodes are append-only: UPDATE is not allowed');
END;

CREATE TRIGGER merkle_tree_no_delete BEFORE DELETE ON merkle_tree
BEGIN
    SELECT RAISE(ABORT, 'keyledger Merkle tree nodes are append-only: DELETE is not allowed');
END;
