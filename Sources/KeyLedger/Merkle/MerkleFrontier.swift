/// The hashes of the perfect subtrees that make up a Merkle tree, enough to
/// append leaves and compute the root without keeping the leaves.
///
/// A tree of n leaves is a row of perfect subtrees, one for each bit set in
/// n, largest first: for n = 6 they cover leaves 0-3 and 4-5. The frontier
/// keeps only those hashes, so it needs O(log n) memory, and appending a leaf
/// costs one hash per subtree that the leaf completes (one on average). The
/// root it computes is the RFC 9162 section 2.1.1 root of the same leaves.
public struct MerkleFrontier: Sendable, Equatable {
    /// The number of leaves appended so far.
    public private(set) var size: Int = 0
    /// The perfect subtrees' hashes, largest (leftmost) first.
    private var subtreeHashes: [[UInt8]] = []

    /// Creates the frontier of the empty tree.
    public init() {}

    /// Appends one leaf, given as its leaf hash (see ``MerkleTree/leafHash(leafInput:)``).
    public mutating func append(leafHash: [UInt8]) {
        var hash = leafHash
        var index = size
        // An odd index is a right child: its left sibling is the smallest
        // subtree so far, and the two merge into a subtree one level up.
        while index & 1 == 1 {
            hash = MerkleTree.interiorHash(left: subtreeHashes.removeLast(), right: hash)
            index >>= 1
        }
        subtreeHashes.append(hash)
        size += 1
    }

    /// Computes the root hash of the leaves appended so far.
    public func root() -> [UInt8] {
        Self.root(ofSubtrees: subtreeHashes)
    }

    /// Folds perfect subtree hashes, largest first, into one root hash.
    ///
    /// The RFC 9162 recursion splits a tree into a perfect left part and the
    /// rest, so the root is H(first, H(second, ... H(second-to-last, last))).
    static func root(ofSubtrees hashes: [[UInt8]]) -> [UInt8] {
        guard var root = hashes.last else { return MerkleTree.emptyRoot }
        for left in hashes.dropLast().reversed() {
            root = MerkleTree.interiorHash(left: left, right: root)
        }
        return root
    }
}
