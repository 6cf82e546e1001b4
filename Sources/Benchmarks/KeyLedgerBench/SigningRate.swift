import Dispatch
import Foundation
import JOSE
import KeyLedger
import OpenSSLBridge

/// `sign-rate`: RS256 signatures per second with a 2048-bit key, on a
/// given number of threads, through one layer of keyledger's stack.
///
/// - `bridge`: `PrivateKey.sign` over a ledger-shaped JWS signing input
///   (the base64url header, a dot, the base64url entry hash), which is
///   the OpenSSL bridge with nothing above it.
/// - `jws`: `JWS.signDetached` over a 32-byte entry hash, which adds the
///   header's canonical JSON and base64url, as each ledger entry needs.
enum SigningRate {
    static func run(_ options: BenchOptions) throws {
        let threads = try options.positiveInteger("threads")
        let seconds = try options.seconds("seconds")
        let layer = options.optionalString("layer") ?? "bridge"
        let key = try loadOrGenerateKey(options.optionalString("signing-key"))

        let signOnce: () throws -> Void
        switch layer {
        case "bridge":
            let header = try JCS.canonicalize(.object(["alg": .string("RS256"), "kid": .string(key.keyID)]))
            let signingInput = Array((Base64URL.encode(header) + "." + Base64URL.encode(Array(repeating: 0xA5, count: 32))).utf8)
            signOnce = { _ = try key.privateKey.sign(signingInput, scheme: .rsaPKCS1v15(.sha256)) }
        case "jws":
            let entryHash = [UInt8](repeating: 0xA5, count: 32)
            signOnce = {
                _ = try JWS.signDetached(payload: entryHash, key: key.privateKey, algorithm: .rs256, keyID: key.keyID)
            }
        default:
            throw BenchUsageError("--layer \"\(layer)\" is not bridge or jws")
        }

        let (count, elapsed, cpuSeconds) = try repeatUntilDeadline(threads: threads, seconds: seconds, signOnce)
        printResult("threads", threads)
        printRate(count: count, seconds: elapsed, cpuSeconds: cpuSeconds)
    }

    /// Runs `operation` on `threads` threads until `seconds` have passed, and
    /// returns the number of operations, the wall time until the last thread
    /// stopped and the CPU time the process used meanwhile.
    static func repeatUntilDeadline(threads: Int, seconds: Double,
                                    _ operation: @escaping () throws -> Void) throws -> (count: Int, seconds: Double, cpuSeconds: Double) {
        let tally = Tally()
        let startCPU = processCPUSeconds()
        let start = monotonicSeconds()
        let deadline = start + seconds
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var count = 0
            do {
                while monotonicSeconds() < deadline {
                    try operation()
                    count += 1
                }
            } catch {
                tally.fail(error)
            }
            tally.add(count)
        }
        let elapsed = monotonicSeconds() - start
        return (try tally.total(), elapsed, processCPUSeconds() - startCPU)
    }

    static func loadOrGenerateKey(_ path: String?) throws -> SigningKey {
        if let path {
            return try SigningKey(privateKey: KeyFile.loadPrivateKey(path: path), algorithm: .rs256)
        }
        return try SigningKey.generate(.rs256)
    }
}

/// Counts summed over worker threads, and the first error any of them hit.
private final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var sum = 0
    private var error: Error?

    func add(_ count: Int) {
        lock.lock()
        sum += count
        lock.unlock()
    }

    func fail(_ error: Error) {
        lock.lock()
        if self.error == nil { self.error = error }
        lock.unlock()
    }

    func total() throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        if let error { throw error }
        return sum
    }
}
