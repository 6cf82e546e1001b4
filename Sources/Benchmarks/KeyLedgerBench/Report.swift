import Foundation

/// `report`: reads the `name=value` results file that bench/run wrote and
/// prints a Markdown report: the machine, each figure beside the limit
/// measured in the same run with their ratio and target, and the supporting
/// measurements that explain the gaps.
enum Report {
    static func run(_ options: BenchOptions) throws {
        let path = try options.string("results")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BenchFailure("cannot read the results file \(path)")
        }
        let results = try Results(String(decoding: data, as: UTF8.self))
        print(try render(results), terminator: "")
    }

    static func render(_ results: Results) throws -> String {
        let nproc = try results.number("machine_nproc")
        let cores = "\(Int(nproc)) cores"
        var text = "### Machine\n\n"
        text += "| | |\n|---|---|\n"
        text += "| Date | \(results.text("machine_date")) |\n"
        text += "| Source | \(results.text("source_revision")) |\n"
        text += "| CPU | \(results.text("machine_cpu")), nproc \(Int(nproc)) |\n"
        text += "| Kernel | \(results.text("machine_kernel")) |\n"
        text += "| OpenSSL | \(results.text("machine_openssl")) |\n"
        text += "| SQLite | \(results.text("machine_sqlite")) (the library keyledger links) |\n"
        text += "| Swift | \(results.text("machine_swift")) |\n"
        text += "| Ledger files on | \(results.text("machine_filesystem")) |\n"
        text += "| Load average before, after | \(results.text("load_before")); \(results.text("load_after")) |\n"
        text += "| Cores busy with other programs, 1 s before and after | \(results.text("busy_before")) %; \(results.text("busy_after")) % |\n"
        text += "| Waited for other programs to quiet down | \(results.text("waited_for_quiet_seconds")) s |\n"
        text += "| Mode | \(results.text("mode")) |\n\n"

        // The figures' all-core limits were measured right before each figure;
        // the first all-core rates sit beside the bridge's own rates.
        let opensslSignAll = try results.number("openssl_sign_all_before_batch_per_second")
        let opensslVerifyAll = try results.number("openssl_verify_all_before_verify_per_second")
        let opensslSignOne = try results.number("openssl_sign_1_per_second")
        let opensslSignAllFirst = try results.number("openssl_sign_all_per_second")
        let opensslVerifyAllFirst = try results.number("openssl_verify_all_per_second")

        var figures = FigureTable()

        // 1. Batch appends against the all-core signing rate.
        let batchEntries = try results.number("batch_library_count")
        let batchLibrary = try results.number("batch_library_per_second")
        figures.add(number: "1", figure: "Batch append, library: \(grouped(batchEntries)) entries in 1 transaction",
                    measured: "\(grouped(batchLibrary)) entries/s",
                    limit: "\(grouped(opensslSignAll)) RS256 signatures/s (`openssl speed -multi`, \(cores))",
                    ratio: batchLibrary / opensslSignAll, target: .atLeast(0.80))
        let cliBatchEntries = try results.number("batch_cli_entries")
        let cliBatch = cliBatchEntries / (try results.number("batch_cli_median_ms") / 1000)
        figures.add(number: "1", figure: "Batch append, `keyledger append --ndjson`: \(grouped(cliBatchEntries)) entries, whole process (median of \(results.text("batch_cli_runs")))",
                    measured: "\(grouped(cliBatch)) entries/s",
                    limit: "\(grouped(opensslSignAll)) RS256 signatures/s (`openssl speed -multi`, \(cores))",
                    ratio: cliBatch / opensslSignAll, target: .atLeast(0.80))

        // 2. Single appends against SQLite's durable insert rate plus one signature.
        let insertRate = try results.number("insert_per_second")
        let singleRate = try results.number("single_per_second")
        let singleLimit = 1 / (1 / insertRate + 1 / opensslSignOne)
        figures.add(number: "2", figure: "Single append, library: \(grouped(try results.number("single_count"))) appends, 1 transaction each, WAL, synchronous=FULL (median of \(results.text("single_rounds")) rounds, alternating with the SQLite rounds)",
                    measured: "\(grouped(singleRate)) entries/s",
                    limit: "\(grouped(singleLimit)) entries/s = 1/(1/\(grouped(insertRate)) SQLite inserts/s + 1/\(grouped(opensslSignOne)) signatures/s on 1 core)",
                    ratio: singleRate / singleLimit, target: .atLeast(0.80))

        // 3. One CLI process against one jose process.
        let appendProcess = try results.number("cli_append_median_ms")
        let joseProcess = try results.number("jose_sign_median_ms")
        figures.add(number: "3", figure: "`keyledger append`, one event, start to exit (median of \(results.text("cli_append_runs")))",
                    measured: "\(milliseconds(appendProcess))",
                    limit: "\(milliseconds(joseProcess)) for `jose jws sig` with an RS256 JWK, \(results.text("payload_bytes"))-byte payload (median of \(results.text("jose_sign_runs")))",
                    ratio: appendProcess / joseProcess, target: .atMost(1.5))

        // 4. Verification against the all-core verify rate, and its memory.
        let verifyEntries = try results.number("verify_large_entries")
        let verifyCLI = verifyEntries / (try results.number("verify_cli_large_median_ms") / 1000)
        figures.add(number: "4", figure: "`keyledger verify`, \(grouped(verifyEntries)) entries, whole process (median of \(results.text("verify_cli_large_runs")))",
                    measured: "\(grouped(verifyCLI)) entries/s",
                    limit: "\(grouped(opensslVerifyAll)) RS256 verifications/s (`openssl speed -multi`, \(cores))",
                    ratio: verifyCLI / opensslVerifyAll, target: .atLeast(0.80))
        let smallRSS = try results.number("verify_rss_small_kb")
        let largeRSS = try results.number("verify_rss_large_kb")
        figures.add(number: "4", figure: "`keyledger verify` peak memory (max RSS), \(grouped(try results.number("verify_small_entries"))) → \(grouped(verifyEntries)) entries",
                    measured: "\(mebibytes(smallRSS)) → \(mebibytes(largeRSS))",
                    limit: "the same verify at \(grouped(try results.number("verify_small_entries"))) entries",
                    ratio: largeRSS / smallRSS, target: .atMost(1.10))

        text += "### Figures against their limits\n\n" + figures.markdown + "\n"

        var support = "### Supporting measurements\n\n| Measurement | Value |\n|---|---|\n"
        func row(_ name: String, _ value: String) { support += "| \(name) | \(value) |\n" }
        let bridgeOne = try results.number("bridge_sign_1_per_second")
        let bridgeAll = try results.number("bridge_sign_all_per_second")
        let jwsOne = try results.number("jws_sign_1_per_second")
        let jwsAll = try results.number("jws_sign_all_per_second")
        row("OpenSSL RS256 sign, 1 core (`openssl speed rsa2048`)", "\(grouped(opensslSignOne))/s")
        row("OpenSSL RS256 sign, \(cores) (`openssl speed -multi`)", "\(grouped(opensslSignAllFirst))/s")
        row("OpenSSL RS256 sign, \(cores), again right before figure 1", "\(grouped(opensslSignAll))/s")
        row("Bridge `PrivateKey.sign`, 1 thread", "\(grouped(bridgeOne))/s (\(percent(bridgeOne / opensslSignOne)) of OpenSSL's 1 core)")
        row("Bridge `PrivateKey.sign`, \(Int(nproc)) threads", "\(grouped(bridgeAll))/s (\(percent(bridgeAll / opensslSignAllFirst)) of OpenSSL's \(cores))")
        row("`JWS.signDetached` (header JSON, base64url, sign), 1 thread", "\(grouped(jwsOne))/s")
        row("`JWS.signDetached`, \(Int(nproc)) threads", "\(grouped(jwsAll))/s")
        let batchSmallRSS = try results.number("batch_rss_small_kb")
        let batchLargeRSS = try results.number("batch_rss_large_kb")
        row("`keyledger append --ndjson` peak memory (max RSS), \(grouped(try results.number("batch_rss_small_entries"))) → \(grouped(try results.number("batch_rss_large_entries"))) events",
            "\(mebibytes(batchSmallRSS)) → \(mebibytes(batchLargeRSS)) (\(times(batchLargeRSS / batchSmallRSS)))")
        row("SQLite one-row transactions through SQLiteBridge (WAL, synchronous=FULL), median", "\(grouped(insertRate))/s")
        row("SQLite one-row transactions, each round", "\(results.text("insert_rounds_per_second").split(separator: " ").compactMap { Double($0) }.map(grouped).joined(separator: ", "))/s")
        row("Single appends, each round", "\(results.text("single_rounds_per_second").split(separator: " ").compactMap { Double($0) }.map(grouped).joined(separator: ", "))/s")
        let opensslVerifyOne = try results.number("openssl_verify_1_per_second")
        let bridgeVerifyOne = try results.number("bridge_verify_1_per_second")
        let bridgeVerifyAll = try results.number("bridge_verify_all_per_second")
        row("OpenSSL RS256 verify, 1 core", "\(grouped(opensslVerifyOne))/s")
        row("OpenSSL RS256 verify, \(cores)", "\(grouped(opensslVerifyAllFirst))/s")
        row("OpenSSL RS256 verify, \(cores), again right before figure 4", "\(grouped(opensslVerifyAll))/s")
        row("Bridge `PublicKey.verify`, 1 thread", "\(grouped(bridgeVerifyOne))/s (\(percent(bridgeVerifyOne / opensslVerifyOne)) of OpenSSL's 1 core)")
        row("Bridge `PublicKey.verify`, \(Int(nproc)) threads", "\(grouped(bridgeVerifyAll))/s (\(percent(bridgeVerifyAll / opensslVerifyAllFirst)) of OpenSSL's \(cores))")
        row("`JWS.verifyDetached` (split, base64url, header JSON, verify), 1 thread", "\(grouped(try results.number("jws_verify_1_per_second")))/s")
        row("`JWS.verifyDetached`, \(Int(nproc)) threads", "\(grouped(try results.number("jws_verify_all_per_second")))/s")
        row("`Ledger.verify` in process, \(grouped(verifyEntries)) entries", "\(grouped(try results.number("verify_library_large_per_second"))) entries/s")
        row("`keyledger --version`, start to exit (median of \(results.text("cli_version_runs")))", milliseconds(try results.number("cli_version_median_ms")))
        row("`keyledger append` minus `keyledger --version`", milliseconds(appendProcess - (try results.number("cli_version_median_ms"))))
        let appendFloor = try results.number("append_floor_median_ms")
        row("`keyledger-append-floor`: one durable, signed, chained append in C (PEM key, SHA-256, RS256, one row in WAL with synchronous=FULL), start to exit (median of \(results.text("append_floor_runs")))",
            "\(milliseconds(appendFloor)), \(times(appendFloor / joseProcess)) `jose jws sig`")
        row("`keyledger append` against that C program", times(appendProcess / appendFloor))
        row("Building the \(grouped(verifyEntries))-entry ledger, library, transactions of \(results.text("build_transaction_size"))", "\(grouped(try results.number("build_per_second"))) entries/s")
        text += support
        return text
    }

    // MARK: - Formatting

    /// Formats `value` rounded to a whole number, with commas between groups of thousands.
    static func grouped(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        let digits = String(Int(value.rounded()))
        var result = ""
        for (offset, character) in digits.reversed().enumerated() {
            if offset > 0, offset % 3 == 0, character != "-" { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }

    static func milliseconds(_ value: Double) -> String { String(format: "%.1f ms", value) }
    static func mebibytes(_ kibibytes: Double) -> String { String(format: "%.1f MiB", kibibytes / 1024) }
    static func percent(_ ratio: Double) -> String { String(format: "%.0f %%", ratio * 100) }
    static func times(_ ratio: Double) -> String { String(format: "%.2f×", ratio) }
}

/// The rows of the main table, each with its target and whether it was met.
struct FigureTable {
    enum Target {
        case atLeast(Double)
        case atMost(Double)

        func isMet(by ratio: Double) -> Bool {
            switch self {
            case .atLeast(let bound): ratio >= bound
            case .atMost(let bound): ratio <= bound
            }
        }

        /// Targets below 1 read as percentages, the others as multiples.
        func format(_ ratio: Double) -> String {
            switch self {
            case .atLeast: Report.percent(ratio)
            case .atMost: Report.times(ratio)
            }
        }

        var description: String {
            switch self {
            case .atLeast(let bound): "≥ \(Report.percent(bound))"
            case .atMost(let bound): "≤ \(String(format: "%.2f", bound))×"
            }
        }
    }

    private var rows: [String] = []

    mutating func add(number: String, figure: String, measured: String, limit: String, ratio: Double, target: Target) {
        let outcome = target.isMet(by: ratio) ? "met" : "**missed**"
        rows.append("| \(number) | \(figure) | \(measured) | \(limit) | \(target.format(ratio)) | \(target.description) | \(outcome) |")
    }

    var markdown: String {
        "| # | Figure | Measured | Limit measured in the same run | Ratio | Target | Result |\n"
            + "|---|---|---|---|---|---|---|\n"
            + rows.joined(separator: "\n") + "\n"
    }
}

/// The `name=value` lines of a results file; a later line overrides an earlier one.
struct Results {
    private var values: [String: String] = [:]

    init(_ text: String) throws {
        for (index, line) in text.split(separator: "\n").enumerated() where !line.isEmpty && !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else {
                throw BenchFailure("results line \(index + 1) is not name=value: \(line)")
            }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
    }

    func text(_ name: String) -> String { values[name] ?? "not measured" }

    func number(_ name: String) throws -> Double {
        guard let text = values[name] else { throw BenchFailure("the results file has no \(name)") }
        guard let number = Double(text) else { throw BenchFailure("\(name)=\(text) is not a number") }
        return number
    }
}
