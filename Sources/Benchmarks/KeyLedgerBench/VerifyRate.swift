import KeyLedger

/// `verify-rate`: `Ledger.verify` in this process, without the CLI's start-up,
/// so the gap between it and `keyledger verify` is the process's own cost.
enum VerifyRate {
    static func run(_ options: BenchOptions) throws {
        let path = try options.string("ledger")
        let ledger = try Ledger(path: path, readOnly: true)
        let startCPU = processCPUSeconds()
        let start = monotonicSeconds()
        let result = try ledger.verify()
        let elapsed = monotonicSeconds() - start
        let cpuSeconds = processCPUSeconds() - startCPU
        if let failure = result.failure {
            throw BenchFailure("\(path) does not verify: entry \(failure.sequence): \(failure.detail)")
        }
        printRate(count: Int(result.entriesChecked), seconds: elapsed, cpuSeconds: cpuSeconds)
    }
}
