import Foundation

/// Monotonic time in seconds, for measuring intervals only.
func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Prints one `name=value` result line, the format bench/run collects.
func printResult(_ name: String, _ value: Double) {
    print("\(name)=\(String(format: "%.6g", value))")
}

func printResult(_ name: String, _ value: Int) {
    print("\(name)=\(value)")
}

/// Prints the rate of `count` operations in `seconds`, with both inputs.
func printRate(count: Int, seconds: Double) {
    printResult("count", count)
    printResult("seconds", seconds)
    printResult("per_second", Double(count) / seconds)
}
