import Foundation
import KeyLedger

/// `append-batch` and `append-single`: appends through the library to an
/// existing ledger, with its default options (WAL, `synchronous=FULL`).
///
/// Events are built before the clock starts, so the figures cover chaining,
/// signing and storing, not the making of test data.
enum AppendRate {
    /// `append-batch`: `--entries` events in transactions of `--transaction-size` (all in one by default).
    static func runBatch(_ options: BenchOptions) throws {
        let count = try options.positiveInteger("entries")
        let transactionSize = try options.positiveInteger("transaction-size", default: count)
        let (ledger, signingKey) = try open(options)
        let first = Int(try ledger.head()?.sequence ?? 0) + 1

        var elapsed = 0.0
        var cpuSeconds = 0.0
        var appended = 0
        while appended < count {
            let size = min(transactionSize, count - appended)
            let events = try BenchEvents.events(first: first + appended, count: size)
            let startCPU = processCPUSeconds()
            let start = monotonicSeconds()
            try ledger.append(events, signingKey: signingKey)
            elapsed += monotonicSeconds() - start
            cpuSeconds += processCPUSeconds() - startCPU
            appended += size
        }
        printResult("transactions", (count + transactionSize - 1) / transactionSize)
        printRate(count: count, seconds: elapsed, cpuSeconds: cpuSeconds)
    }

    /// `append-single`: `--entries` appends, each one event in its own transaction.
    static func runSingle(_ options: BenchOptions) throws {
        let count = try options.positiveInteger("entries")
        let (ledger, signingKey) = try open(options)
        let first = Int(try ledger.head()?.sequence ?? 0) + 1
        let events = try BenchEvents.events(first: first, count: count)

        let startCPU = processCPUSeconds()
        let start = monotonicSeconds()
        for event in events {
            try ledger.append(event, signingKey: signingKey)
        }
        printRate(count: count, seconds: monotonicSeconds() - start, cpuSeconds: processCPUSeconds() - startCPU)
    }

    private static func open(_ options: BenchOptions) throws -> (Ledger, SigningKey) {
        let ledger = try Ledger(path: try options.string("ledger"))
        let signingKey = try ledger.loadSigningKey(path: try options.string("signing-key"))
        return (ledger, signingKey)
    }
}
