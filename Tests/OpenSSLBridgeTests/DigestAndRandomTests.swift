import OpenSSLBridge
import XCTest

final class DigestAndRandomTests: XCTestCase {
    /// FIPS 180-2 appendix examples: the one-block message "abc".
    func testDigestOfABCMatchesFIPS180() {
        let cases: [(algorithm: DigestAlgorithm, hex: String)] = [
            (.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (.sha384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                + "8086072ba1e7cc2358baeca134c825a7"),
            (.sha512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
        ]
        for (algorithm, hex) in cases {
            let digest = Digest.hash(Array("abc".utf8), using: algorithm)

            XCTAssertEqual(hexString(digest), hex, "\(algorithm)")
            XCTAssertEqual(digest.count, algorithm.byteCount, "\(algorithm)")
        }
    }

    func testSHA256OfEmptyInput() {
        XCTAssertEqual(
            hexString(Digest.sha256([])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )
    }

    func testDigestOfNonContiguousCollection() {
        let bytes = Array("abc".utf8)
        let lazyBytes = bytes.lazy.map { $0 }

        XCTAssertEqual(Digest.sha256(lazyBytes), Digest.sha256(bytes))
    }

    func testDigestOfSlice() {
        let bytes = Array("xxabcxx".utf8)

        XCTAssertEqual(Digest.sha256(bytes[2..<5]), Digest.sha256(Array("abc".utf8)))
    }

    func testRandomBytesHaveRequestedCount() throws {
        for count in [0, 1, 32, 1000] {
            XCTAssertEqual(try SecureRandom.bytes(count: count).count, count)
        }
    }

    func testRandomBytesDiffer() throws {
        XCTAssertNotEqual(try SecureRandom.bytes(count: 32), try SecureRandom.bytes(count: 32))
    }

    func testNegativeRandomCountThrows() {
        XCTAssertThrowsError(try SecureRandom.bytes(count: -1)) { error in
            XCTAssertEqual((error as? CryptoError)?.code, .invalidArgument)
        }
    }

    private func hexString(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
