/// A transparency log checkpoint (C2SP tlog-checkpoint): the origin, size and
/// root hash of a Merkle tree, as the text of a signed note.
///
/// ```
/// example.com/behind-the-sofa
/// 20852163
/// CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
/// ```
///
/// A signed checkpoint commits the log to one tree: a later ledger that does
/// not contain that tree as its prefix was truncated or rewritten.
public struct Checkpoint: Sendable, CustomStringConvertible {
    /// The log's identity, for example `example.com/log42`.
    public let origin: String
    /// The number of leaves.
    public let treeSize: Int
    /// The RFC 9162 root hash of the first `treeSize` leaves, 32 bytes.
    public let rootHash: [UInt8]
    /// Lines after the root hash, opaque and optional. The specification
    /// advises against them because log monitors cannot audit them.
    public let extensionLines: [String]

    /// Creates a checkpoint.
    /// - Throws: `LedgerError.Code.invalidInput` when the origin or an
    ///   extension line is empty or contains a newline or control character,
    ///   the size is negative, or the root hash is not 32 bytes.
    public init(origin: String, treeSize: Int, rootHash: [UInt8], extensionLines: [String] = []) throws {
        try Self.checkLine(origin, valueName: "checkpoint origin")
        for line in extensionLines {
            try Self.checkLine(line, valueName: "checkpoint extension line")
        }
        guard treeSize >= 0 else {
            throw LedgerError(.invalidInput, "the checkpoint tree size \(treeSize) is negative")
        }
        guard rootHash.count == MerkleTree.hashByteCount else {
            throw LedgerError(.invalidInput,
                "the checkpoint root hash has \(rootHash.count) bytes: a SHA-256 root hash has \(MerkleTree.hashByteCount)")
        }
        self.origin = origin
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.extensionLines = extensionLines
    }

    /// Parses a checkpoint from the text of its note.
    ///
    /// The text is at least three non-empty lines, each ending in a newline:
    /// the origin, the tree size in decimal without leading zeros, and the
    /// root hash in standard base64; any further lines are extension lines.
    /// - Throws: `LedgerError.Code.invalidInput` naming the line that breaks
    ///   these rules.
    public init(body: String) throws {
        try NoteText.check(body)
        let lines = body.utf8.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        guard lines.count >= 3 else {
            throw LedgerError(.invalidInput,
                "the checkpoint has \(lines.count) lines: it needs an origin, a tree size and a root hash")
        }
        if let empty = lines.firstIndex(where: \.isEmpty) {
            throw LedgerError(.invalidInput, "line \(empty + 1) of the checkpoint is empty: checkpoint lines must not be empty")
        }
        let sizeText = lines[1]
        guard sizeText.utf8.allSatisfy({ (0x30...0x39).contains($0) }), sizeText == "0" || !sizeText.hasPrefix("0"),
              let treeSize = Int(sizeText) else {
            throw LedgerError(.invalidInput,
                "the checkpoint tree size \(quoted(sizeText)) is not a decimal number without leading zeros up to \(Int.max)")
        }
        guard let rootHash = NoteSyntax.decodeBase64(lines[2]), rootHash.count == MerkleTree.hashByteCount else {
            throw LedgerError(.invalidInput,
                "the checkpoint root hash \(quoted(lines[2])) is not the canonical standard base64 of 32 bytes")
        }
        try self.init(origin: lines[0], treeSize: treeSize, rootHash: rootHash, extensionLines: Array(lines.dropFirst(3)))
    }

    /// The note text: origin, tree size, base64 root hash and extension
    /// lines, each followed by a newline.
    public var body: String {
        ([origin, String(treeSize), NoteSyntax.base64(rootHash)] + extensionLines).map { $0 + "\n" }.joined()
    }

    public var description: String { body }

    /// Signs the checkpoint with the log's key and returns the signed note.
    ///
    /// C2SP tlog-checkpoint recommends a key name equal to the origin.
    public func sign(with signer: NoteSigner) throws -> SignedNote {
        try SignedNote(text: body, signatures: [signer.sign(text: body)])
    }

    private static func checkLine(_ line: String, valueName: String) throws {
        guard !line.isEmpty else {
            throw LedgerError(.invalidInput, "the \(valueName) is empty")
        }
        guard !line.utf8.contains(0x0A) else {
            throw LedgerError(.invalidInput, "the \(valueName) \(quoted(line)) contains a newline")
        }
        try NoteSyntax.checkCharacters(line, valueName: valueName)
    }
}

extension Checkpoint: Equatable {
    /// Compares the origin and extension lines by their UTF-8 bytes, which
    /// are what a signature covers.
    public static func == (lhs: Checkpoint, rhs: Checkpoint) -> Bool {
        Array(lhs.body.utf8) == Array(rhs.body.utf8)
    }
}
