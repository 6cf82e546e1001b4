import Foundation
import JOSE
import KeyLedger
import OpenSSLBridge

/// `signature-verify-rate`: RS256 verifications per second with a 2048-bit
/// key, on a given number of threads, through one layer of keyledger's stack.
///
/// - `bridge`: `PublicKey.verify` over a ledger-shaped JWS signing input,
///   the OpenSSL bridge with nothing above it.
/// - `jws`: `JWS.verifyDetached` of a ledger entry's signature over its
///   32-byte entry hash, which adds splitting the JWS, base64url and the
///   header's JSON, as verifying each ledger entry needs.
enum VerificationRate {
    static func run(_ options: BenchOptions) throws {
        let threads = try options.positiveInteger("threads")
        let seconds = try options.seconds("seconds")
        let layer = options.optionalString("layer") ?? "bridge"
        let key = try SigningRate.loadOrGenerateKey(options.optionalString("signing-key"))
        let publicKey = try key.privateKey.publicKey()

        let entryHash = [UInt8](repeating: 0xA5, count: 32)
        let jws = try JWS.signDetached(payload: entryHash, key: key.privateKey, algorithm: .rs256, keyID: key.keyID)
        let verifyOnce: () throws -> Void
        switch layer {
        case "bridge":
            let parts = jws.split(separator: ".", omittingEmptySubsequences: false)
            let signingInput = Array((parts[0] + "." + Base64URL.encode(entryHash)).utf8)
            let signature = try Base64URL.decode(parts[2])
            verifyOnce = {
                guard publicKey.verify(signature: signature, for: signingInput, scheme: .rsaPKCS1v15(.sha256)) else {
                    throw BenchFailure("the benchmark's own signature does not verify")
                }
            }
        case "jws":
            verifyOnce = { _ = try JWS.verifyDetached(jws, payload: entryHash, key: publicKey) }
        default:
            throw BenchUsageError("--layer \"\(layer)\" is not bridge or jws")
        }

        let (count, elapsed, cpuSeconds) = try SigningRate.repeatUntilDeadline(threads: threads, seconds: seconds, verifyOnce)
        printResult("threads", threads)
        printRate(count: count, seconds: elapsed, cpuSeconds: cpuSeconds)
    }
}
