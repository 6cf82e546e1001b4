import Foundation

/// Monotonic time in seconds, for measuring intervals only.
func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Returns the CPU time this process has used so far, user and system, in seconds.
///
/// Rates per CPU second change less than rates per wall second when other
/// programs share the machine, so comparisons made on a busy machine use them.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

/// Prints one `name=value` result line, the format bench/run collects.
func printResult(_ name: String, _ value: Double) {
    print("\(name)=\(String(format: "%.6g", value))")
}

func printResult(_ name: String, _ value: Int) {
    print("\(name)=\(value)")
}

/// Prints the rate of `count` operations in `seconds` of wall time, with
/// both inputs, and the rate per CPU second when `cpuSeconds` is given.
func printRate(count: Int, seconds: Double, cpuSeconds: Double? = nil) {
    printResult("count", count)
    printResult("seconds", seconds)
    printResult("per_second", Double(count) / seconds)
    if let cpuSeconds {
        printResult("cpu_seconds", cpuSeconds)
        printResult("per_cpu_second", Double(count) / cpuSeconds)
    }
}
