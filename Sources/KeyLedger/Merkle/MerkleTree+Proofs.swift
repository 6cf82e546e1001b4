extension MerkleTree {
    /// Reads the whole committed tree into memory, for a program that builds
    /// many proofs, such as a report with one per sampled change or a proof
    /// server.
    ///
    /// It keeps every interior node and leaf hash, 64 bytes per leaf (about
    /// 61 MiB for a million entries), and later proofs and roots of a tree of
    /// at most that size read nothing from the database. Leaves appended
    /// afterwards are read as before. A single proof is faster without this.
    /// - Returns: The number of leaves read.
    /// - Throws: `LedgerError` with `integrity` when a stored row or entry
    ///   hash is missing or malformed, and `invalidInput` when called inside
    ///   a transaction, whose rows may still be rolled back.
    @discardableResult
    public func loadIntoMemory() throws -> Int {
        try storage(path) { try store.loadIntoMemory() }
    }

    /// Builds the inclusion proof of leaf `leafIndex` in the tree of the first
    /// `treeSize` leaves: PATH(leafIndex, D[0:treeSize]) of RFC 9162 section 2.1.3.1.
    ///
    /// The proof lists sibling hashes from the leaf up to the root; check it
    /// with ``MerkleProof/verifyInclusion(leafHash:leafIndex:treeSize:proof:root:)``.
    /// A tree of one leaf has the empty proof.
    /// - Throws: `LedgerError.Code.invalidInput` unless
    ///   0 <= `leafIndex` < `treeSize` <= ``size()``; `integrity` when a
    ///   stored node is missing.
    public func inclusionProof(leafIndex: Int, treeSize: Int) throws -> [[UInt8]] {
        try storage(path) {
            try checkTreeSize(treeSize, name: "tree size")
            guard leafIndex >= 0, leafIndex < treeSize else {
                throw LedgerError(.invalidInput,
                    "leaf index \(leafIndex) is not in a tree of \(treeSize) leaves: use an index from 0 to the tree size minus 1")
            }
            return try withPrefetchedNodes { subtreeHash in
                try Self.inclusionPath(leafIndex: leafIndex, treeSize: treeSize, subtreeHash: subtreeHash)
            }
        }
    }

    /// Builds the consistency proof between the trees of the first `oldSize`
    /// and the first `newSize` leaves: PROOF(oldSize, D[0:newSize]) of
    /// RFC 9162 section 2.1.4.1.
    ///
    /// Check it with ``MerkleProof/verifyConsistency(oldSize:newSize:oldRoot:newRoot:proof:)``.
    /// The proof is empty when the sizes are equal, and also when `oldSize`
    /// is 0: RFC 9162 defines proofs only for 0 < oldSize, and every tree
    /// extends the empty one, so there is nothing to prove.
    /// - Throws: `LedgerError.Code.invalidInput` unless
    ///   0 <= `oldSize` <= `newSize` <= ``size()``; `integrity` when a stored
    ///   node is missing.
    public func consistencyProof(from oldSize: Int, to newSize: Int) throws -> [[UInt8]] {
        try storage(path) {
            try checkTreeSize(newSize, name: "new tree size")
            guard oldSize >= 0, oldSize <= newSize else {
                throw LedgerError(.invalidInput,
                    "old tree size \(oldSize) is not between 0 and the new tree size \(newSize): a consistency proof goes from a smaller tree to a larger one")
            }
            return try withPrefetchedNodes { subtreeHash in
                try Self.consistencyPath(oldSize: oldSize, newSize: newSize, subtreeHash: subtreeHash)
            }
        }
    }

    /// Runs `buildProof` twice: first with a subtree-hash function that only
    /// records which nodes the proof needs, then, after reading all of them
    /// with one statement, with one that folds the read hashes.
    ///
    /// Both runs ask for the same subtrees in the same order, so the second
    /// takes the hashes in the order they were read. Subtrees that are not
    /// perfect, which lie on the right edge of the tree, come from the
    /// store's cache when an earlier proof computed them.
    ///
    /// The proofs read without a transaction of their own. That is safe
    /// because rows and entries are only ever appended, so every node of a
    /// tree size that ``checkTreeSize(_:name:)`` found complete stays there.
    private func withPrefetchedNodes(
        _ buildProof: ((Range<Int>) throws -> [UInt8]) throws -> [[UInt8]]
    ) throws -> [[UInt8]] {
        enum Step {
            case cached([UInt8])
            case fold(Range<Int>, partCount: Int)
        }
        // Room for a typical proof, which visits about 2 log2(n) subtrees. The arrays grow if a proof needs more.
        var needed: [MerkleNode] = []
        var steps: [Step] = []
        needed.reserveCapacity(2 * Int.bitWidth)
        steps.reserveCapacity(2 * Int.bitWidth)
        _ = try buildProof { range in
            if let hash = store.cachedSubtreeHash(range) {
                steps.append(.cached(hash))
            } else {
                let partCount = MerkleNode.appendPerfectParts(of: range, to: &needed)
                steps.append(.fold(range, partCount: partCount))
            }
            return []
        }
        let isCommittedRead = store.connection.isAutocommit
        let hashes = try store.hashes(of: needed)
        var nextHash = 0
        var nextStep = 0
        return try buildProof { _ in
            defer { nextStep += 1 }
            switch steps[nextStep] {
            case .cached(let hash):
                return hash
            case .fold(_, 1):
                nextHash += 1
                return hashes[nextHash - 1]
            case .fold(let range, let partCount):
                let root = MerkleFrontier.root(ofSubtrees: Array(hashes[nextHash..<(nextHash + partCount)]))
                nextHash += partCount
                if isCommittedRead, partCount > 1 {
                    store.cacheSubtreeHash(range, root)
                }
                return root
            }
        }
    }

    /// PATH(leafIndex, D[0:treeSize]) with subtree hashes from `subtreeHash`.
    ///
    /// This walks the RFC 9162 recursion from the root down, collecting the
    /// sibling of each subtree that contains the leaf, and returns them
    /// bottom up as the RFC lists them.
    static func inclusionPath(leafIndex: Int, treeSize: Int,
                              subtreeHash: (Range<Int>) throws -> [UInt8]) rethrows -> [[UInt8]] {
        var siblings: [[UInt8]] = []
        siblings.reserveCapacity(Int.bitWidth - treeSize.leadingZeroBitCount)
        var lower = 0
        var upper = treeSize
        while upper - lower > 1 {
            let split = lower + splitPoint(upper - lower)
            if leafIndex < split {
                siblings.append(try subtreeHash(split..<upper))
                upper = split
            } else {
                siblings.append(try subtreeHash(lower..<split))
                lower = split
            }
        }
        siblings.reverse()
        return siblings
    }

    /// PROOF(oldSize, D[0:newSize]) with subtree hashes from `subtreeHash`.
    ///
    /// This walks SUBPROOF(m, D[lower:upper], b) of RFC 9162 section 2.1.4.1
    /// from the root down. `includesOldRoot` is the flag b: it stays true
    /// while the subtree is a left part of the old tree, whose root the
    /// verifier already has.
    static func consistencyPath(oldSize: Int, newSize: Int,
                                subtreeHash: (Range<Int>) throws -> [UInt8]) rethrows -> [[UInt8]] {
        guard oldSize > 0, oldSize < newSize else { return [] }
        var proof: [[UInt8]] = []
        proof.reserveCapacity(Int.bitWidth - newSize.leadingZeroBitCount + 1)
        var lower = 0
        var upper = newSize
        var includesOldRoot = true
        while oldSize != upper {
            let split = lower + splitPoint(upper - lower)
            if oldSize <= split {
                proof.append(try subtreeHash(split..<upper))
                upper = split
            } else {
                proof.append(try subtreeHash(lower..<split))
                lower = split
                includesOldRoot = false
            }
        }
        if !includesOldRoot {
            proof.append(try subtreeHash(lower..<upper))
        }
        proof.reverse()
        return proof
    }
}
