import Foundation
import KeyLedger
import KeyLedgerReports

enum ReportCommand: Command {
    static let spec = CommandSpec(
        path: ["report"],
        summary: "Write the audit report for a quarter or a range of days.",
        usage: """
        --ledger PATH (--period YYYY-QN | --from DATE --to DATE) --format html|md|json|csv [--out DIR] [--env ENV] \
        [--max-key-age DAYS] [--verify-within HOURS] [--sample N --seed TEXT] [--trust-anchor KID] \
        [--checkpoint-key PEM] [--previous-checkpoint FILE] (--actor WHO --signing-key PEM | --no-record)
        """,
        discussion: """
        The report verifies the whole ledger, then covers the entries recorded in the period (UTC): keys and
        their custody, changes, exceptions with the entry that proves each, an optional sample of changes and
        every entry. --to includes its whole day. A period that ends before the ledger's first entry is
        rejected. The same ledger and options give byte-identical files.
        Besides the report, DIR receives a manifest NAME.FORMAT.sha256 that `sha256sum -c` checks, and a
        report_generated entry recording the manifest's digest is appended afterwards; it is not part of the
        report. --no-record writes the report without appending, for anyone who has the ledger but not its
        signing key, for example an auditor recomputing a report to compare manifests.
        The cover carries the checkpoint at the period's end (the Merkle tree of entries 1 to the period's
        last entry), signed when --checkpoint-key is the ledger's checkpoint key current at that size; the
        signed note is also written to NAME.checkpoint. Give the previous quarter's checkpoint with
        --previous-checkpoint to prove that this ledger extends it (RFC 9162 consistency). Sampled changes
        carry an inclusion proof of each of their entries.
        Exit status 0 when the ledger verified (exceptions do not change it), 1 when it failed verification
        or does not contain the previous checkpoint's tree under a valid signature: the report is still
        written and says so at the top, and no entry is appended.
        """,
        options: [
            CommonOptions.ledger,
            .value("period", "YYYY-QN", "The calendar quarter, for example 2026-Q4."),
            .value("from", "DATE", "The first day of the period (YYYY-MM-DD), with --to."),
            .value("to", "DATE", "The last day of the period, included whole."),
            .value("format", "FORMAT", "html (one self-contained file), md, json (the full model) or csv (one file per table)."),
            .value("out", "DIR", "The directory to write into, created if missing. Default: the current directory."),
            .value("env", "ENV", "Report only keys in this environment and the changes that touched one; an environment with no recorded key is rejected."),
            .value("max-key-age", "DAYS", "A key still published when older than this is an exception. Default: \(ReportOptions.defaultMaximumKeyAgeDays)."),
            .value("verify-within", "HOURS", "Hours allowed between publishing a key and seeing it served, or ending it and seeing it gone. Default: \(ReportOptions.defaultVerifyWithinHours)."),
            .value("sample", "N", "Select N changes for detailed testing, ranked by SHA-256 of the seed, the period's last entry hash and the change id."),
            .value("seed", "TEXT", "The sample seed, for example the audit's reference; required with --sample."),
            .value("trust-anchor", "KID", "The genesis signing key's id, kept outside the ledger; without it only internal consistency is proven."),
            .value("checkpoint-key", "PEM", "The ledger's checkpoint key (Ed25519 PKCS#8 PEM, mode 0600), to sign the period's checkpoint."),
            .value("previous-checkpoint", "FILE", "The previous quarter's checkpoint: its .checkpoint file or the checkpoint text from its report."),
            CommonOptions.actor,
            CommonOptions.signingKey,
            .flag("no-record", "Write the report without appending a report_generated entry; needs no signing key."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        var options = try reportOptions(arguments)
        if let path = arguments.value("checkpoint-key") {
            options.checkpointKey = try KeyFile.loadPrivateKey(path: path)
        }
        if let path = arguments.value("previous-checkpoint") {
            options.previousCheckpoint = try readCheckpointText(path)
        }
        guard let formatName = arguments.value("format") else {
            throw UsageError("missing --format FORMAT: give html, md, json or csv")
        }
        guard let format = ReportFormat(rawValue: formatName) else {
            throw UsageError("--format \"\(printable(formatName))\" is not a report format: use html, md, json or csv")
        }
        let ledgerPath = try arguments.required("ledger")
        let directory = URL(fileURLWithPath: arguments.value("out") ?? FileManager.default.currentDirectoryPath, isDirectory: true)

        // Check the recording inputs before any work, so a wrong key fails fast and leaves no files.
        var recorder: (ledger: Ledger, key: SigningKey, actor: String)?
        if arguments.flag("no-record") {
            if arguments.values("signing-key").isEmpty == false || arguments.value("actor") != nil {
                throw UsageError("--no-record appends nothing, so it takes no --signing-key or --actor: give one or the other")
            }
        } else {
            let actor = try arguments.required("actor")
            try Event.validate(actor: actor)
            let writable = try Ledger(path: ledgerPath)
            let key = try writable.loadSigningKey(path: try arguments.required("signing-key"))
            recorder = (writable, key, actor)
        }

        let ledger = try Ledger(path: ledgerPath, readOnly: true)
        let progress = PhaseProgress()
        let outcome = try ReportGenerator(ledger: ledger, options: options)
            .write(format, to: directory, progress: progress.update)
        progress.finish()

        for file in outcome.files { Terminal.output(file.url.path) }
        Terminal.output(outcome.manifest.url.path)
        let findings = outcome.report.findings.count
        Terminal.message("\(findings) exception\(findings == 1 ? "" : "s"); manifest SHA-256 \(outcome.manifest.sha256Hex)")

        if let checkpoint = outcome.report.cover.checkpoint, options.checkpointKey != nil, let reason = checkpoint.unsignedReason {
            Terminal.message("the checkpoint is not signed: \(reason)")
        }
        guard outcome.report.integrity.isValid else {
            let failure = outcome.report.integrity.failure
            Terminal.message("the ledger FAILED verification at entry \(failure?.sequence ?? 0) (\(failure?.reason ?? "unknown")): the report says so at the top; no report_generated entry was appended")
            return 1
        }
        if let previous = outcome.report.cover.previousCheckpoint, !previous.holds {
            // Both failures are named. A root that differs under an invalid signature
            // may come from an altered checkpoint file rather than a rewritten ledger.
            var reasons: [String] = []
            if !previous.rootMatches {
                reasons.append(previous.signature == .invalid ? "this ledger's root at that size differs"
                                                              : "this ledger's root at that size differs: its history was rewritten")
            } else if !previous.proofVerified {
                reasons.append("the consistency proof from it to this period's checkpoint does not verify")
            }
            if previous.signature == .invalid { reasons.append(previous.signatureDetail) }
            let reason = reasons.joined(separator: "; ")
            Terminal.message("the previous checkpoint (tree size \(previous.checkpoint.treeSize)) FAILED: \(reason); the report says so at the top; no report_generated entry was appended")
            return 1
        }
        if let recorder {
            let entry = try recorder.ledger.append(try outcome.recordEvent(actor: recorder.actor), signingKey: recorder.key)
            Terminal.message("recorded the report as entry \(entry.sequence) (report_generated)")
        }
        return 0
    }

    /// Reads a checkpoint file of at most 64 KiB as UTF-8; a checkpoint note is a few hundred bytes.
    private static func readCheckpointText(_ path: String) throws -> String {
        let maximumSize = 64 * 1024
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError("cannot read --previous-checkpoint \"\(printable(path))\": give the .checkpoint file of the previous quarter's report")
        }
        guard data.count <= maximumSize else {
            throw UsageError("--previous-checkpoint \"\(printable(path))\" has \(data.count) bytes, more than a checkpoint's maximum of \(maximumSize)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw UsageError("--previous-checkpoint \"\(printable(path))\" is not UTF-8 text: give a checkpoint note or body")
        }
        return text
    }

    static func reportOptions(_ arguments: ParsedArguments) throws -> ReportOptions {
        let period: ReportPeriod
        if let quarter = arguments.value("period") {
            guard arguments.value("from") == nil && arguments.value("to") == nil else {
                throw UsageError("give either --period or --from and --to, not both")
            }
            period = try ReportPeriod(quarter: quarter)
        } else if let from = arguments.value("from"), let to = arguments.value("to") {
            period = try ReportPeriod(from: from, to: to)
        } else {
            throw UsageError("give --period YYYY-QN, or --from DATE and --to DATE: see `keyledger report --help`")
        }
        var sample: SampleRequest?
        switch (try arguments.integer("sample", in: 1...100_000), arguments.value("seed")) {
        case (nil, nil): sample = nil
        case (let size?, let seed?): sample = SampleRequest(size: size, seed: seed)
        case (_?, nil): throw UsageError("--sample needs --seed TEXT, which makes the selection reproducible")
        case (nil, _?): throw UsageError("--seed is used only with --sample N")
        }
        return ReportOptions(
            period: period,
            environment: arguments.value("env"),
            maximumKeyAgeDays: try arguments.integer("max-key-age", in: 1...36_500) ?? ReportOptions.defaultMaximumKeyAgeDays,
            verifyWithinHours: try arguments.integer("verify-within", in: 1...8_760) ?? ReportOptions.defaultVerifyWithinHours,
            sample: sample,
            trustAnchor: try CommonOptions.trustAnchor(arguments))
    }
}

/// One progress line per report phase, on standard error when it is a terminal.
private final class PhaseProgress: @unchecked Sendable {
    private var phase: ReportPhase?
    private var current: Terminal.Progress?
    private let lock = NSLock()

    func update(_ phase: ReportPhase, _ completed: Int, _ total: Int) {
        lock.lock()
        defer { lock.unlock() }
        if phase != self.phase {
            current?.finish()
            self.phase = phase
            current = Terminal.Progress(phase.rawValue, json: false)
        }
        current?.update(completed, total)
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        current?.finish()
    }
}
