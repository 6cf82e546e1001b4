import OpenSSLBridge

/// The hash that links an entry to the one before it.
///
/// `entry_hash = SHA-256("keyledger.entry.v1" || 0x00 || previous_hash || canonical)`,
/// where `previous_hash` is the 32-byte hash of the entry before (32 zero
/// bytes for the first entry) and `canonical` is the entry's RFC 8785 JSON.
/// The domain tag keeps these hashes from colliding with any other SHA-256
/// use of the same bytes. The signature is not part of the input, so a batch
/// can chain its entries first and sign them all in parallel afterwards.
enum EntryHash {
    static let domainTag: [UInt8] = Array("keyledger.entry.v1".utf8) + [0x00]
    static let genesisPreviousHash = [UInt8](repeating: 0, count: 32)

    static func compute(previousHash: [UInt8], canonical: [UInt8]) -> [UInt8] {
        precondition(previousHash.count == 32, "a previous hash is 32 bytes")
        var input = [UInt8]()
        input.reserveCapacity(domainTag.count + 32 + canonical.count)
        input += domainTag
        input += previousHash
        input += canonical
        return Digest.sha256(input)
    }
}
