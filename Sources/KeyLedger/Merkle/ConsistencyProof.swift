import JOSE

/// A saved proof that the tree of one checkpoint extends the tree of an
/// older one (RFC 9162 section 2.1.4), checkable without the ledger.
///
/// The text form, which ``text`` writes and ``init(parsing:)`` reads, has the
/// header names `origin`, `old_size`, `old_root`, `new_size` and `new_root`;
/// see ``InclusionProof`` for the layout.
public struct ConsistencyProof: Sendable, Equatable {
    /// The checkpoint origin of both trees.
    public let origin: String
    public let oldSize: Int
    public let oldRoot: [UInt8]
    public let newSize: Int
    public let newRoot: [UInt8]
    /// The proof hashes, empty when the sizes are equal or the old size is 0.
    public let proof: [[UInt8]]

    private static let names = ["origin", "old_size", "old_root", "new_size", "new_root"]
    private static let numericNames: Set<String> = ["old_size", "new_size"]

    public init(origin: String, oldSize: Int, oldRoot: [UInt8], newSize: Int, newRoot: [UInt8], proof: [[UInt8]]) {
        self.origin = origin
        self.oldSize = oldSize
        self.oldRoot = oldRoot
        self.newSize = newSize
        self.newRoot = newRoot
        self.proof = proof
    }

    /// Parses the text or JSON form.
    /// - Throws: `LedgerError.Code.invalidInput` for a malformed file or a missing member.
    public init(parsing bytes: [UInt8]) throws {
        let document = try ProofDocument(parsing: bytes, type: "consistency", names: Self.names, numericNames: Self.numericNames)
        guard let origin = document.value("origin") else {
            throw LedgerError(.invalidInput, "the consistency proof has no origin")
        }
        self.init(origin: origin, oldSize: try document.integer("old_size"), oldRoot: try document.hash("old_root"),
                  newSize: try document.integer("new_size"), newRoot: try document.hash("new_root"), proof: document.proof)
    }

    private var document: ProofDocument {
        ProofDocument(type: "consistency", header: [
            ("origin", origin), ("old_size", String(oldSize)), ("old_root", NoteSyntax.base64(oldRoot)),
            ("new_size", String(newSize)), ("new_root", NoteSyntax.base64(newRoot)),
        ], proof: proof)
    }

    /// The text form: a title and header lines, a blank line, one base64 hash per line.
    public var text: String { document.text }

    /// The JSON form, with the same member names and the hashes in `proof`.
    public var jsonValue: JSONValue { document.jsonValue(numericNames: Self.numericNames) }

    /// Checks the proof against two checkpoints whose signatures were verified.
    ///
    /// The checkpoints supply the sizes and roots: the proof's own copies
    /// must equal them, because a proof binds hashes and not sizes. A valid
    /// proof from 4 to 8 entries, for example, also passes the RFC 9162
    /// algorithm as a proof from 4 to 7 with the root of 8, so the sizes must
    /// come from signed checkpoints.
    /// - Throws: `LedgerError.Code.integrity` when the proof is for other
    ///   trees, the old checkpoint is larger than the new one, or the proof
    ///   does not verify.
    public func verify(from old: Checkpoint, to new: Checkpoint) throws {
        for checkpoint in [old, new] where Array(checkpoint.origin.utf8) != Array(origin.utf8) {
            throw LedgerError(.integrity, "the proof is for origin \(quoted(origin)), but a checkpoint's origin is \(quoted(checkpoint.origin))")
        }
        guard old.treeSize <= new.treeSize else {
            throw LedgerError(.integrity,
                "the old checkpoint (tree size \(old.treeSize)) is larger than the new one (tree size \(new.treeSize)): a tree cannot shrink")
        }
        guard oldSize == old.treeSize, newSize == new.treeSize else {
            throw LedgerError(.integrity,
                "the proof is from tree size \(oldSize) to \(newSize), but the checkpoints are of tree sizes \(old.treeSize) and \(new.treeSize)")
        }
        guard oldRoot == old.rootHash, newRoot == new.rootHash else {
            throw LedgerError(.integrity, "the proof's roots differ from the checkpoints' root hashes")
        }
        guard MerkleProof.verifyConsistency(oldSize: old.treeSize, newSize: new.treeSize, oldRoot: old.rootHash,
                                            newRoot: new.rootHash, proof: proof) else {
            throw LedgerError(.integrity,
                "the consistency proof does not show the tree of size \(new.treeSize) to extend the tree of size \(old.treeSize): the trees were forked or the proof was altered")
        }
    }
}

extension Ledger {
    /// Builds the proof that the tree of the first `newSize` entries extends
    /// the tree of the first `oldSize`, as checkpoints with `origin` sign them.
    /// - Throws: `LedgerError.Code.invalidInput` unless
    ///   0 <= `oldSize` <= `newSize` <= the stored tree's size.
    public func consistencyProof(from oldSize: Int, to newSize: Int, origin: String) throws -> ConsistencyProof {
        let tree = merkleTree()
        return try storage(path) {
            try tree.store.reading {
                let proof = try tree.consistencyProof(from: oldSize, to: newSize)
                return ConsistencyProof(origin: origin, oldSize: oldSize, oldRoot: try tree.root(size: oldSize),
                                        newSize: newSize, newRoot: try tree.root(size: newSize), proof: proof)
            }
        }
    }
}
