/// Verification of Merkle tree proofs (RFC 9162 sections 2.1.3.2 and 2.1.4.2).
///
/// The verifiers are pure functions of their arguments: they need no ledger
/// and touch no storage. Every hash must be 32 bytes; a proof, leaf hash or
/// root of another length never verifies.
///
/// A proof binds hashes, not tree sizes: the sizes only choose the order in
/// which the hashes combine, and trees of different sizes can share that
/// order. For example, the proof of leaf 5 in a tree of 7 leaves also
/// verifies against that tree's root when the size is given as 8. Take each
/// size together with its root from a verified ``Checkpoint``, which signs both.
public enum MerkleProof {
    /// Checks that `proof` shows the leaf with `leafHash` at `leafIndex` in
    /// the tree of `treeSize` leaves whose root is `root`, with the algorithm
    /// of RFC 9162 section 2.1.3.2.
    ///
    /// - Parameters:
    ///   - leafHash: The leaf hash SHA-256(0x00 || leaf input), not the leaf
    ///     input itself; see ``MerkleTree/leafHash(leafInput:)``.
    ///   - leafIndex: The leaf's position, counted from 0.
    /// - Returns: `true` when the proof is valid. A proof with too few or too
    ///   many hashes, or a `leafIndex` outside the tree, returns `false`.
    public static func verifyInclusion(leafHash: [UInt8], leafIndex: Int, treeSize: Int,
                                       proof: [[UInt8]], root: [UInt8]) -> Bool {
        guard leafIndex >= 0, leafIndex < treeSize else { return false }
        guard hasHashLength(leafHash), hasHashLength(root), proof.allSatisfy(hasHashLength) else { return false }

        // fn walks up from the leaf and sn from the last leaf. Where fn is a
        // right child or the last node of its level, the sibling is on the left.
        var fn = leafIndex
        var sn = treeSize - 1
        var computed = leafHash
        for sibling in proof {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                computed = MerkleTree.interiorHash(left: sibling, right: computed)
                // A last node without a right sibling moves up unchanged.
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                computed = MerkleTree.interiorHash(left: computed, right: sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && computed == root
    }

    /// Checks that `proof` shows the tree of `newSize` leaves with root
    /// `newRoot` to extend the tree of `oldSize` leaves with root `oldRoot`,
    /// with the algorithm of RFC 9162 section 2.1.4.2.
    ///
    /// RFC 9162 covers 0 < `oldSize` < `newSize`. The edge cases follow from
    /// the tree's definition: equal sizes verify only with the empty proof
    /// and equal roots, and `oldSize` 0 verifies only with the empty proof
    /// and `oldRoot` equal to ``MerkleTree/emptyRoot``, since every tree
    /// extends the empty one.
    /// - Returns: `true` when the proof is valid; `false` when it is not, or
    ///   when `oldSize` is negative or larger than `newSize`.
    public static func verifyConsistency(oldSize: Int, newSize: Int, oldRoot: [UInt8], newRoot: [UInt8],
                                         proof: [[UInt8]]) -> Bool {
        guard oldSize >= 0, oldSize <= newSize else { return false }
        guard hasHashLength(oldRoot), hasHashLength(newRoot), proof.allSatisfy(hasHashLength) else { return false }
        if oldSize == newSize {
            return proof.isEmpty && oldRoot == newRoot
        }
        if oldSize == 0 {
            return proof.isEmpty && oldRoot == MerkleTree.emptyRoot
        }
        guard !proof.isEmpty else { return false }

        // When the old tree is perfect, its root is a node of the new tree
        // and the proof leaves it out.
        var path = proof
        if oldSize.nonzeroBitCount == 1 {
            path.insert(oldRoot, at: 0)
        }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var oldComputed = path[0]
        var newComputed = path[0]
        for node in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                oldComputed = MerkleTree.interiorHash(left: node, right: oldComputed)
                newComputed = MerkleTree.interiorHash(left: node, right: newComputed)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                newComputed = MerkleTree.interiorHash(left: newComputed, right: node)
            }
            fn >>= 1
            sn >>= 1
        }
        return oldComputed == oldRoot && newComputed == newRoot && sn == 0
    }

    private static func hasHashLength(_ hash: [UInt8]) -> Bool {
        hash.count == MerkleTree.hashByteCount
    }
}
