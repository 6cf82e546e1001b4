-- keyledger schema, migration 1: the append-only ledger.
--
-- This directory is the single source of truth for the database layout. The
-- library embeds these files at build time and applies them in file-name
-- order, recording the last one applied in PRAGMA user_version.

-- One row per ledger: its identity and the format of its entries.
CREATE TABLE ledger (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    ledger_id      TEXT    NOT NULL,
    format_version INTEGER NOT NULL,
    created_at     TEXT    NOT NULL
);

-- The entries. `canonical` contains the exact RFC 8785 bytes that were hashed
-- and signed. The other content columns repeat fields of it so that SQL can
-- filter on them, and verification checks that they agree with it.
CREATE TABLE entries (
    seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
    recorded_at TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    key_id      TEXT,
    change_id   TEXT,
    canonical   BLOB    NOT NULL,
    prev_hash   BLOB    NOT NULL CHECK (length(prev_hash) = 32),
    entry_hash  BLOB    NOT NULL CHECK (length(entry_hash) = 32),
    signer_kid  TEXT    NOT NULL,
    signature   TEXT    NOT NULL
);

CREATE INDEX entries_by_kind ON entries (kind, seq);
CREATE INDEX entries_by_time ON entries (recorded_at, seq);
CREATE INDEX entries_by_key ON entries (key_id, seq) WHERE key_id IS NOT NULL;
CREATE INDEX entries_by_change ON entries (change_id, seq) WHERE change_id IS NOT NULL;

-- The ledger is append-only. These triggers stop accidental edits through
-- SQL; they are not the security boundary, which is the hash chain and the
-- signatures that `keyledger verify` checks.
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN
    SELECT RAISE(ABORT, 'keyledger entries are append-only: UPDATE is not allowed');
END;

CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN
    SELECT RAISE(ABORT, 'keyledger entries are append-only: DELETE is not allowed');
END;

CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger identity row cannot be changed');
END;

CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger identity row cannot be deleted');
END;
