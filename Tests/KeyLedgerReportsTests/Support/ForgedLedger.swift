import Foundation
import JOSE
import KeyLedger
import OpenSSLBridge
import SQLiteBridge
import XCTest

/// A ledger file whose entries carry recorded times chosen by a test.
///
/// The file is made by `Ledger.create`, so it has the real schema and
/// identity row. Its entries are then replaced by the scenario's events,
/// each built as docs/FORMAT.md specifies: RFC 8785 content, the tagged
/// SHA-256 chain and a detached JWS by the signer of the moment. Only the
/// recorded times differ from what `Ledger.append` would have written.
final class ForgedLedger {
    let path: String
    let ledgerID: String
    /// The hash of each entry in lowercase hex; element `i` belongs to sequence number `i + 1`.
    private(set) var hashes: [String] = []

    init(path: String, items: [Scenario.Item], genesisKey: SigningKey) throws {
        self.path = path
        ledgerID = try Ledger.create(at: path, signingKey: genesisKey, actor: "security-team").ledgerID

        let connection = try Connection(path: path, mode: .readWrite)
        try connection.transaction {
            // Drop the append-only triggers just long enough to replace the genesis entry and its tree rows.
            let triggers = try connection.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%no_delete'")
            for trigger in triggers { try connection.execute("DROP TRIGGER \(trigger.text(0)!)") }
            try connection.execute("DELETE FROM entries")
            if try !connection.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'merkle_tree'").isEmpty {
                try connection.execute("DELETE FROM merkle_tree")
            }
            for trigger in triggers { try connection.execute(trigger.text(1)!) }

            var signer = genesisKey
            var previousHash = [UInt8](repeating: 0, count: 32)
            for (index, item) in items.enumerated() {
                let sequence = Int64(index + 1)
                let content: JSONValue = .object([
                    "v": 1, "seq": .number(Double(sequence)), "recorded_at": .string(item.time.description),
                    "kind": .string(item.kind.rawValue), "actor": .string(item.actor), "body": .object(item.body),
                    "ledger": .string(ledgerID), "signer": .string(signer.keyID), "alg": .string(signer.algorithm.rawValue),
                ])
                let canonical = try JCS.canonicalize(content)
                let hash = Digest.sha256(Array("keyledger.entry.v1".utf8) + [0] + previousHash + canonical)
                let signature = try JWS.signDetached(payload: hash, key: signer.privateKey, algorithm: signer.algorithm, keyID: signer.keyID)
                try connection.run("""
                    INSERT INTO entries (seq, recorded_at, kind, actor, key_id, change_id, canonical, prev_hash, entry_hash, signer_kid, signature)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [
                        .integer(sequence), .text(item.time.description), .text(item.kind.rawValue), .text(item.actor),
                        SQLiteValue(item.body["kid"]?.stringValue), SQLiteValue(item.body["change"]?.stringValue),
                        .blob(canonical), .blob(previousHash), .blob(hash), .text(signer.keyID), .text(signature),
                    ])
                hashes.append(Self.hex(hash))
                previousHash = hash
                if let next = item.nextSigner { signer = next }
            }
        }
        // The rows above bypass Ledger.append, which keeps the Merkle tree current, so build the tree now.
        try Ledger(path: path).updateMerkleTree()
    }

    func hash(of sequence: Int64) -> String { hashes[Int(sequence) - 1] }

    func open(readOnly: Bool = true) throws -> Ledger { try Ledger(path: path, readOnly: readOnly) }

    /// Rewrites one byte of entry `sequence`'s stored content, which breaks its hash.
    func tamper(sequence: Int64) throws {
        let connection = try Connection(path: path, mode: .readWrite)
        try connection.execute("DROP TRIGGER entries_no_update")
        let canonical = try XCTUnwrap(connection.query("SELECT canonical FROM entries WHERE seq = ?", [.integer(sequence)]).first?.bytes(0))
        var changed = canonical
        let actorMember = Array("\"actor\":\"".utf8)
        let position = try XCTUnwrap(changed.firstRange(of: actorMember)?.upperBound, "entry \(sequence) has no actor member")
        changed[position] = changed[position] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
        try connection.run("UPDATE entries SET canonical = ? WHERE seq = ?", [.blob(changed), .integer(sequence)])
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
