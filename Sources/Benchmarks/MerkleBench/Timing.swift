import Foundation

/// Returns a monotonic clock reading in seconds.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Runs `body` and returns its result with its wall time in seconds.
func timed<Result>(_ body: () throws -> Result) rethrows -> (Result, Double) {
    let start = monotonicSeconds()
    let result = try body()
    return (result, monotonicSeconds() - start)
}

/// The median, 99th percentile and maximum of a set of durations.
struct Summary {
    let median: Double
    let p99: Double
    let maximum: Double
    let mean: Double
    /// The mean without the fastest and the slowest 10 % of the samples.
    let trimmedMean: Double

    /// Summarizes `samples`, which must not be empty. The percentiles are
    /// nearest-rank: p99 is the sample at rank ceil(0.99 * n).
    init(_ samples: [Double]) {
        precondition(!samples.isEmpty, "a summary needs at least one sample")
        let sorted = samples.sorted()
        median = sorted.count % 2 == 1
            ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        let rank = Int((0.99 * Double(sorted.count)).rounded(.up))
        p99 = sorted[max(rank, 1) - 1]
        maximum = sorted[sorted.count - 1]
        mean = sorted.reduce(0, +) / Double(sorted.count)
        let trimmed = sorted.dropFirst(sorted.count / 10).dropLast(sorted.count / 10)
        trimmedMean = trimmed.reduce(0, +) / Double(trimmed.count)
    }
}

/// Prints one result line, `name value`, which bench/merkle collects.
func printResult(_ name: String, _ value: CustomStringConvertible) {
    print("\(name) \(value)")
}

/// Prints the median, p99, max, mean and 10 % trimmed mean of `samples` in
/// microseconds, as `name.median_us` and so on.
func printMicroseconds(_ name: String, _ samples: [Double]) {
    let summary = Summary(samples)
    let statistics = [("median", summary.median), ("p99", summary.p99), ("max", summary.maximum), ("mean", summary.mean),
                      ("trimmed_mean", summary.trimmedMean)]
    for (suffix, seconds) in statistics {
        printResult("\(name).\(suffix)_us", String(format: "%.2f", seconds * 1e6))
    }
}

/// A seeded SplitMix64 generator, so that every run draws the same proof indices.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// A failure that stops the benchmark, with a message for standard error.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Formats bytes as lowercase hexadecimal.
func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}
