import Foundation
import OpenSSLBridge
import XCTest

final class ConcurrencyTests: XCTestCase {
    func testEightThreadsSignWithOneKey() throws {
        let threadCount = 8
        let signaturesPerThread = 24
        // Fresh keys, so that the threads also race to prepare each
        // scheme's first signing context.
        for spec in [KeySpec.rsa(bits: 2048), .ec(.p256), .ec(.p384), .ed25519] {
            let key = try PrivateKey.generate(spec)
            let publicKey = try key.publicKey()
            let schemes = TestKeys.schemes(for: key)
            let results = ThreadResults()
            let start = DispatchSemaphore(value: 0)
            let finished = DispatchGroup()

            for thread in 0..<threadCount {
                finished.enter()
                Thread {
                    start.wait()
                    for index in 0..<signaturesPerThread {
                        let scheme = schemes[(thread + index) % schemes.count]
                        let message = Array("thread \(thread) message \(index)".utf8)
                        do {
                            let signature = try key.sign(message, scheme: scheme)
                            results.record(publicKey.verify(signature: signature, for: message, scheme: scheme))
                        } catch {
                            results.record(false)
                        }
                    }
                    finished.leave()
                }.start()
            }
            for _ in 0..<threadCount {
                start.signal()
            }
            finished.wait()

            XCTAssertEqual(results.validCount, threadCount * signaturesPerThread, "\(spec)")
            XCTAssertEqual(results.invalidCount, 0, "\(spec)")
        }
    }
}

/// Counts results reported from several threads.
private final class ThreadResults: @unchecked Sendable {
    private let lock = NSLock()
    private var valid = 0
    private var invalid = 0

    func record(_ isValid: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if isValid {
            valid += 1
        } else {
            invalid += 1
        }
    }

    var validCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return valid
    }

    var invalidCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return invalid
    }
}
