/// A perfect subtree of the Merkle tree: the 2^`level` leaves from leaf
/// `index * 2^level` on. Level 0 nodes are the leaves.
struct MerkleNode: Hashable {
    let level: Int
    let index: Int

    var isLeaf: Bool { level == 0 }

    /// The index of the node's last leaf.
    var lastLeaf: Int { ((index + 1) << level) - 1 }

    /// The node's row in `merkle_tree`, for an interior node (level >= 1).
    ///
    /// Rows are numbered in the order appends write them (post-order): the
    /// interior nodes that leaf `i` completes come right after the
    /// `interiorCount(leafCount: i)` nodes of the tree of the first `i`
    /// leaves, lowest level first. So one append's new rows are consecutive
    /// and at the end of the table.
    var position: Int {
        precondition(level >= 1, "leaves are not stored in merkle_tree")
        return MerkleNode.interiorCount(leafCount: lastLeaf) + level - 1
    }

    /// Returns the number of interior nodes in the tree of `leafCount`
    /// leaves, n - popcount(n): one per perfect subtree of two or more leaves.
    static func interiorCount(leafCount: Int) -> Int {
        leafCount - leafCount.nonzeroBitCount
    }

    /// Returns the tree sizes whose interior nodes are exactly `count` rows,
    /// smallest first.
    ///
    /// interiorCount(n + 1) - interiorCount(n) is the number of trailing 1
    /// bits of n, so the function is non-decreasing. Every count it takes is
    /// taken by exactly two sizes, 2m and 2m + 1, because leaf 2m completes
    /// no subtree. A count it skips returns an empty array.
    static func leafCounts(interiorCount count: Int) -> [Int] {
        // interiorCount(n) lies between n - 63 and n, so n lies between count and count + 63.
        guard count >= 0, count <= Int.max - Int.bitWidth else { return [] }
        return (count...(count + Int.bitWidth - 1)).filter { interiorCount(leafCount: $0) == count }
    }

    /// Splits the leaves `range` into perfect subtrees, largest first.
    ///
    /// Every subtree that the RFC 9162 recursion visits starts at a multiple
    /// of the size of its largest perfect part, so each part is a node.
    static func perfectParts(of range: Range<Int>) -> [MerkleNode] {
        var parts: [MerkleNode] = []
        appendPerfectParts(of: range, to: &parts)
        return parts
    }

    /// Appends the perfect subtrees of `range` to `parts`, largest first,
    /// and returns how many it appended.
    @discardableResult
    static func appendPerfectParts(of range: Range<Int>, to parts: inout [MerkleNode]) -> Int {
        var count = 0
        var start = range.lowerBound
        var remaining = range.count
        while remaining > 0 {
            let level = Int.bitWidth - 1 - remaining.leadingZeroBitCount
            let width = 1 << level
            precondition(start % width == 0, "subtree \(range) is not one that the RFC 9162 recursion visits")
            parts.append(MerkleNode(level: level, index: start >> level))
            count += 1
            start += width
            remaining -= width
        }
        return count
    }
}
