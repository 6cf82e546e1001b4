import JOSE

/// A saved proof that one ledger entry is in the tree that a checkpoint
/// signs (RFC 9162 section 2.1.3), checkable without the ledger.
///
/// The text form, which ``text`` writes and ``init(parsing:)`` reads:
///
/// ```
/// keyledger inclusion proof
/// origin keyledger/example
/// seq 2
/// entry_hash 0202020202020202020202020202020202020202020202020202020202020202
/// leaf_index 1
/// leaf_hash y6jFlhIL22neu9kj2Sy6lIvefH0GpGWhu32Y0xFgOPo=
/// tree_size 3
/// root 34lolseZUx8f0eVWzqJqaYmrBoU7y/3T5PUJemEfZY8=
///
/// 3P/nht7RbSg8ZjhGrQxP8mVY/M3jbKnTCy6hnq3p/A4=
/// rKoEZjqFR6L3DGDMGPk3h5axPE+aCPcNatrmYjZbMMY=
/// ```
public struct InclusionProof: Sendable, Equatable {
    /// The checkpoint origin of the tree.
    public let origin: String
    /// The entry's sequence number, `leafIndex + 1`.
    public let sequence: Int64
    /// The entry hash, the leaf's input.
    public let entryHash: [UInt8]
    public let leafIndex: Int
    /// SHA-256(0x00 || entry hash).
    public let leafHash: [UInt8]
    public let treeSize: Int
    public let rootHash: [UInt8]
    /// The sibling hashes from the leaf up to the root.
    public let proof: [[UInt8]]

    private static let names = ["origin", "seq", "entry_hash", "leaf_index", "leaf_hash", "tree_size", "root"]
    private static let numericNames: Set<String> = ["seq", "leaf_index", "tree_size"]

    public init(origin: String, sequence: Int64, entryHash: [UInt8], treeSize: Int, rootHash: [UInt8], proof: [[UInt8]]) {
        self.origin = origin
        self.sequence = sequence
        self.entryHash = entryHash
        self.leafIndex = Int(sequence) - 1
        self.leafHash = MerkleTree.leafHash(leafInput: entryHash)
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.proof = proof
    }

    /// Parses the text or JSON form.
    /// - Throws: `LedgerError.Code.invalidInput` for a malformed file, a
    ///   missing member, or a leaf index and leaf hash that do not follow
    ///   from the sequence number and entry hash.
    public init(parsing input: [UInt8]) throws {
        let document = try ProofDocument(parsing: input, type: "inclusion", names: Self.names, numericNames: Self.numericNames)
        guard let origin = document.value("origin"), let entryHex = document.value("entry_hash"),
              let entryHash = bytes(fromHex: entryHex), entryHash.count == MerkleTree.hashByteCount else {
            throw LedgerError(.invalidInput, "the inclusion proof needs an origin and an entry_hash of 64 hex digits")
        }
        let sequence = try document.integer("seq")
        guard sequence >= 1 else {
            throw LedgerError(.invalidInput, "the inclusion proof's seq is 0: entries are numbered from 1")
        }
        self.init(origin: origin, sequence: Int64(sequence), entryHash: entryHash, treeSize: try document.integer("tree_size"),
                  rootHash: try document.hash("root"), proof: document.proof)
        guard try document.integer("leaf_index") == leafIndex else {
            throw LedgerError(.invalidInput, "the inclusion proof's leaf_index is not seq - 1 (\(leafIndex))")
        }
        guard try document.hash("leaf_hash") == leafHash else {
            throw LedgerError(.invalidInput, "the inclusion proof's leaf_hash is not SHA-256(0x00 || entry_hash)")
        }
    }

    private var document: ProofDocument {
        ProofDocument(type: "inclusion", header: [
            ("origin", origin), ("seq", String(sequence)), ("entry_hash", hexString(entryHash)),
            ("leaf_index", String(leafIndex)), ("leaf_hash", NoteSyntax.base64(leafHash)),
            ("tree_size", String(treeSize)), ("root", NoteSyntax.base64(rootHash)),
        ], proof: proof)
    }

    /// The text form: a title and header lines, a blank line, one base64 hash per line.
    public var text: String { document.text }

    /// The JSON form, with the same member names and the hashes in `proof`.
    public var jsonValue: JSONValue { document.jsonValue(numericNames: Self.numericNames) }

    /// Checks the proof against a checkpoint whose signature was verified.
    ///
    /// The checkpoint supplies the origin, tree size and root: the proof's
    /// own copies must equal them, because a proof binds hashes and not sizes.
    /// - Throws: `LedgerError.Code.integrity` when the proof is for another
    ///   tree or does not verify.
    public func verify(against checkpoint: Checkpoint) throws {
        guard Array(origin.utf8) == Array(checkpoint.origin.utf8) else {
            throw LedgerError(.integrity, "the proof is for origin \(quoted(origin)), but the checkpoint's origin is \(quoted(checkpoint.origin))")
        }
        guard treeSize == checkpoint.treeSize else {
            throw LedgerError(.integrity, "the proof is for tree size \(treeSize), but the checkpoint is of tree size \(checkpoint.treeSize)")
        }
        guard rootHash == checkpoint.rootHash else {
            throw LedgerError(.integrity, "the proof's root differs from the checkpoint's root hash")
        }
        guard MerkleProof.verifyInclusion(leafHash: leafHash, leafIndex: leafIndex, treeSize: treeSize,
                                          proof: proof, root: checkpoint.rootHash) else {
            throw LedgerError(.integrity,
                "the inclusion proof does not show entry \(sequence) in the tree of size \(treeSize): the proof or the entry hash was altered")
        }
    }
}

extension Ledger {
    /// Builds the proof that entry `sequence` is in the tree of the first
    /// `treeSize` entries, the tree a checkpoint of that size with `origin` signs.
    /// - Throws: `LedgerError.Code.invalidInput` unless
    ///   1 <= `sequence` <= `treeSize` <= the stored tree's size.
    public func inclusionProof(sequence: Int64, treeSize: Int, origin: String) throws -> InclusionProof {
        guard sequence >= 1, sequence <= Int64(treeSize) else {
            throw LedgerError(.invalidInput, "entry \(sequence) is not in a tree of \(treeSize) entries: give a sequence number from 1 to \(treeSize)")
        }
        let tree = merkleTree()
        return try storage(path) {
            try tree.store.reading {
                let proof = try tree.inclusionProof(leafIndex: Int(sequence) - 1, treeSize: treeSize)
                guard let entry = try entry(sequence: sequence) else {
                    throw LedgerError(.notFound, "the ledger has no entry \(sequence)")
                }
                return InclusionProof(origin: origin, sequence: sequence, entryHash: entry.hash, treeSize: treeSize,
                                      rootHash: try tree.root(size: treeSize), proof: proof)
            }
        }
    }
}
