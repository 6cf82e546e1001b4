import OpenSSLBridge
import XCTest

final class IncrementalDigestTests: XCTestCase {
    func testSplitInputMatchesOneShotDigest() throws {
        let message = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for algorithm in DigestAlgorithm.allCases {
            for chunkSize in [1, 7, 64, 4096, 10_000] {
                let digest = try IncrementalDigest(algorithm)
                var offset = 0
                while offset < message.count {
                    try digest.update(message[offset..<min(message.count, offset + chunkSize)])
                    offset += chunkSize
                }
                XCTAssertEqual(try digest.finalize(), Digest.hash(message, using: algorithm), "\(algorithm) in chunks of \(chunkSize)")
            }
        }
    }

    func testSHA256OfABCMatchesFIPSVector() throws {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        let digest = try IncrementalDigest(.sha256)
        try digest.update(Array("a".utf8))
        try digest.update(Array("bc".utf8))
        let hex = try digest.finalize().map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testNonContiguousInputMatchesFIPSVector() throws {
        // A lazily mapped range has no contiguous storage, so update copies it first.
        let digest = try IncrementalDigest(.sha256)
        try digest.update((0..<3).lazy.map { UInt8(ascii: "a") + UInt8($0) })
        let hex = try digest.finalize().map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testEmptyInputHashesEmptyString() throws {
        let digest = try IncrementalDigest(.sha256)
        XCTAssertEqual(try digest.finalize(), Digest.sha256([UInt8]()))
    }
}
