import OpenSSLBridge
import XCTest

/// A `ReusableDigest` hashes message after message in one context, and each
/// digest must equal the one-shot `Digest.hash` of the same bytes.
final class ReusableDigestTests: XCTestCase {
    func testMessagesInTurnMatchOneShotDigests() {
        let messages: [[UInt8]] = [
            [], Array("abc".utf8), [0x00], [UInt8](repeating: 0xA5, count: 55), [UInt8](repeating: 0x5A, count: 56),
            [UInt8](repeating: 0x01, count: 64), (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) },
        ]
        for algorithm in DigestAlgorithm.allCases {
            let digest = ReusableDigest(algorithm)
            for message in messages {
                digest.update(message)
                XCTAssertEqual(digest.finalize(), Digest.hash(message, using: algorithm), "\(algorithm), \(message.count) bytes")
            }
        }
    }

    func testSplitMessageMatchesOneShotDigest() {
        let message = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let digest = ReusableDigest(.sha256)
        for split in [0, 1, 33, 64, 299, 300] {
            message[..<split].withUnsafeBytes { digest.update($0) }
            message[split...].withUnsafeBytes { digest.update($0) }
            XCTAssertEqual(digest.finalize(), Digest.sha256(message), "split at \(split)")
        }
    }

    func testSHA256OfABCMatchesFIPSVector() {
        // FIPS 180-2, appendix B.1: SHA-256("abc"), after an unrelated message in the same context.
        let digest = ReusableDigest(.sha256)
        digest.update(Array("unrelated".utf8))
        _ = digest.finalize()
        digest.update(Array("abc".utf8))
        let hex = digest.finalize().map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testFinalizeIntoBufferMatchesArray() {
        let messages = [Array("first".utf8), [], Array(repeating: 0x42, count: 200)]
        for algorithm in DigestAlgorithm.allCases {
            let digest = ReusableDigest(algorithm)
            for message in messages {
                var output = [UInt8](repeating: 0xEE, count: algorithm.byteCount + 4)
                digest.update(message)
                output.withUnsafeMutableBytes { digest.finalize(into: $0) }
                XCTAssertEqual(Array(output.prefix(algorithm.byteCount)), Digest.hash(message, using: algorithm),
                               "\(algorithm), \(message.count) bytes")
                XCTAssertEqual(Array(output.suffix(4)), [0xEE, 0xEE, 0xEE, 0xEE], "\(algorithm): bytes after the digest")
            }
        }
    }
}
