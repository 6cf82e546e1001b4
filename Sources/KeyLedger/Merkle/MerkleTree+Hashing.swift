import OpenSSLBridge

extension MerkleTree {
    /// The length of every hash in the tree, in bytes: SHA-256.
    public static let hashByteCount = 32

    /// The root hash of the empty tree: SHA-256 of no bytes (RFC 9162 section 2.1.1).
    public static let emptyRoot: [UInt8] = Digest.sha256([UInt8]())

    /// Computes the leaf hash SHA-256(0x00 || leafInput) (RFC 9162 section 2.1.1).
    ///
    /// For the ledger's tree, `leafInput` is an entry's 32-byte entry hash.
    /// The 0x00 prefix keeps a leaf hash from ever equalling an interior
    /// node hash, which starts with 0x01 (RFC 9162 section 2.1.1).
    public static func leafHash(leafInput: [UInt8]) -> [UInt8] {
        var message: [UInt8] = []
        message.reserveCapacity(1 + leafInput.count)
        message.append(0x00)
        message.append(contentsOf: leafInput)
        return Digest.sha256(message)
    }

    /// Computes the interior node hash SHA-256(0x01 || left || right) (RFC 9162 section 2.1.1).
    public static func interiorHash(left: [UInt8], right: [UInt8]) -> [UInt8] {
        var message: [UInt8] = []
        message.reserveCapacity(1 + left.count + right.count)
        message.append(0x01)
        message.append(contentsOf: left)
        message.append(contentsOf: right)
        return Digest.sha256(message)
    }

    /// Computes ``leafHash(leafInput:)`` in `digest`, a context that the
    /// caller reuses from hash to hash.
    static func leafHash(leafInput: UnsafeRawBufferPointer, using digest: ReusableDigest) -> [UInt8] {
        withUnsafeBytes(of: UInt8(0x00)) { digest.update($0) }
        digest.update(leafInput)
        return digest.finalize()
    }

    /// Computes ``interiorHash(left:right:)`` in `digest`, a context that the
    /// caller reuses from hash to hash.
    static func interiorHash(left: [UInt8], right: [UInt8], using digest: ReusableDigest) -> [UInt8] {
        withUnsafeBytes(of: UInt8(0x01)) { digest.update($0) }
        digest.update(left)
        digest.update(right)
        return digest.finalize()
    }

    /// Returns the largest power of two strictly smaller than `count`, the
    /// split point k of RFC 9162 section 2.1.1. `count` must be at least 2.
    static func splitPoint(_ count: Int) -> Int {
        precondition(count >= 2, "a Merkle tree of \(count) leaves has no split point")
        return 1 << (Int.bitWidth - 1 - (count - 1).leadingZeroBitCount)
    }
}
