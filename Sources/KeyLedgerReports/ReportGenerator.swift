import Foundation
import JOSE
import KeyLedger

/// The stage a report is in, for progress displays.
public enum ReportPhase: String, Sendable {
    case verifying
    case analysing
    case writing
}

/// A callback for long reports: `completed` of `total` items of `phase` are done.
public typealias ReportProgressHandler = (_ phase: ReportPhase, _ completed: Int, _ total: Int) -> Void

/// Generates the audit report for one period of a ledger.
///
/// `write` verifies the whole ledger, reads its entries up to the end of the
/// period once to fold keys and changes, and then renders, streaming the
/// appendix and each key's verifications from the ledger again. All of it
/// happens in one read transaction, so a process appending meanwhile changes
/// nothing in the report. Memory grows with the number of keys and changes,
/// not with the number of entries.
///
/// The output depends only on the ledger's entries and the options: the
/// same ledger and options give byte-identical files, on any host and at
/// any time.
public struct ReportGenerator {
    public let ledger: Ledger
    public let options: ReportOptions

    public init(ledger: Ledger, options: ReportOptions) {
        self.ledger = ledger
        self.options = options
    }

    /// The generator named on the cover; a different build may render differently.
    public static var generatorName: String { "keyledger \(KeyLedgerVersion.current)" }

    /// The name the report's files start with: `report-2026-Q4`, with `-ENV` when one environment is reported.
    public var baseName: String {
        "report-" + options.period.fileLabel + (options.environment.map { "-\($0)" } ?? "")
    }

    /// Verifies the ledger, builds the report and writes it in `format` into `directory`, with its manifest.
    ///
    /// Existing files of the same names are replaced. The files appear only
    /// once all of them are complete; on an error none is left behind.
    /// - Returns: the report, its files and the manifest. A ledger that fails
    ///   verification still gets a report, which states the failure at the
    ///   top. Check `ReportOutcome.isValid`.
    /// - Throws: `ReportError` for invalid options or output that cannot be
    ///   written, `LedgerError` when the ledger cannot be read or, when it
    ///   verifies, has never recorded a key in `options.environment`.
    public func write(_ format: ReportFormat, to directory: URL, progress: ReportProgressHandler? = nil) throws -> ReportOutcome {
        try options.validate()
        let output = try ReportOutput(directory: directory)
        do {
            let report = try ledger.withReadTransaction {
                let (report, stream) = try build(progress: progress)
                try render(report, stream: stream, format: format, output: output, progress: progress)
                return report
            }
            let files = try output.commit()
            let manifest = try writeManifest(files, format: format, directory: directory)
            return ReportOutcome(report: report, format: format, baseName: baseName, files: files, manifest: manifest)
        } catch {
            output.discard()
            throw error
        }
    }

    /// Verifies and analyses the ledger. Call it inside the read transaction that the rendering uses too.
    func build(progress: ReportProgressHandler?) throws -> (Report, ReportStream) {
        try checkPeriodReachesLedger()
        let head = try ledger.head()
        let verification = try ledger.verify(VerifyOptions(trustAnchor: options.trustAnchor)) { completed, total in
            progress?(.verifying, completed, total)
        }
        // A mistyped --env would match no key and give an empty report with no
        // exceptions. A ledger that failed verification skips the check, so that
        // its report, which states the failure, is still written.
        if verification.isValid, let environment = options.environment {
            try ledger.checkEnvironmentHasKeys(environment)
        }
        let analysedThrough = verification.failure.map { $0.sequence - 1 } ?? head?.sequence ?? 0

        var analysis = LedgerAnalysis(options: options)
        if analysedThrough >= 1 {
            var read = 0
            let total = Int(analysedThrough)
            try ledger.entries(EntryFilter(until: options.period.end, sequences: 1...analysedThrough)) { entry in
                analysis.apply(entry)
                read += 1
                if read % 1024 == 0 { progress?(.analysing, read, total) }
            }
            progress?(.analysing, total, total)
        }
        analysis.finish()

        let failureHash = try verification.failure.flatMap { try ledger.storedEntryHash(sequence: $0.sequence) }
        var report = ReportAssembly(
            options: options, ledgerID: ledger.ledgerID, generator: Self.generatorName, analysis: analysis,
            verification: verification, head: head, analysedThrough: analysedThrough,
            handovers: try handovers(through: analysedThrough),
            failureHashHex: failureHash.map(ReportAssembly.hex)
        ).assemble()
        try addTreeEvidence(to: &report, verification: verification)
        let stream = ReportStream(ledger: ledger, period: options.period, analysedThrough: analysedThrough)
        return (report, stream)
    }

    /// Throws when the period ends before the ledger's first entry, so the report would cover nothing at all.
    private func checkPeriodReachesLedger() throws {
        guard let first = try ledger.entry(sequence: 1), options.period.end <= first.recordedAt else { return }
        let period = options.period
        throw ReportError(.invalidPeriod,
            "the period \(period.label) (\(period.firstDay) to \(period.lastDay)) ends before the ledger's first entry, recorded at \(first.recordedAt): give a period that ends after that time")
    }

    /// Adds the period's checkpoint, the previous checkpoint's check and the sampled changes' inclusion proofs.
    ///
    /// The checkpoint's tree size is the sequence number of the period's last
    /// entry, or of the last one before the period when it has none.
    private func addTreeEvidence(to report: inout Report, verification: VerificationResult) throws {
        let builder = CheckpointEvidenceBuilder(ledger: ledger, options: options, keyHistory: verification.checkpointKeys)
        let size = Int(report.cover.lastEntry?.sequence ?? report.cover.previousEntry.sequence)
        let (checkpoint, unavailable) = try builder.periodCheckpoint(size: size, ledgerVerified: verification.isValid)
        report.cover.checkpoint = checkpoint
        report.cover.checkpointUnavailable = unavailable

        if let previous = try options.parsedPreviousCheckpoint() {
            guard let checkpoint else {
                throw ReportError(.invalidOption, "the previous checkpoint cannot be compared with this ledger: \(unavailable ?? "")")
            }
            report.cover.previousCheckpoint = try builder.previousCheckpoint(previous.checkpoint, note: previous.note, period: checkpoint)
        }

        guard let checkpoint, var sample = report.sample else { return }
        for index in sample.selected.indices {
            sample.selected[index].inclusionProofs = try builder.inclusionProofs(
                change: sample.selected[index].change, checkpoint: checkpoint.checkpoint)
        }
        report.sample = sample
    }

    /// Reads every signing-key handover up to `sequence`: one fewer than the signing keys the ledger has had.
    private func handovers(through sequence: Int64) throws -> [IntegrityAttestation.Handover] {
        guard sequence >= 1 else { return [] }
        var handovers: [IntegrityAttestation.Handover] = []
        try ledger.entries(EntryFilter(kinds: [.signingKeyRotated], sequences: 1...sequence)) { entry in
            handovers.append(IntegrityAttestation.Handover(
                step: StepReference(entry),
                previousKeyID: entry.body["previous_kid"]?.stringValue,
                signedBy: entry.signerKeyID,
                incomingKeyID: entry.body["signing_key"]?["kid"]?.stringValue))
        }
        return handovers
    }

    private func render(_ report: Report, stream: ReportStream, format: ReportFormat, output: ReportOutput,
                        progress: ReportProgressHandler?) throws {
        if let note = report.cover.checkpoint?.note {
            try output.create("\(baseName).checkpoint").write(note.formatted)
        }
        var stream = stream
        let total = Int(report.population.entriesInPeriod)
        stream.appendixProgress = { written in progress?(.writing, Int(written), total) }
        switch format {
        case .html:
            try HTMLReportRenderer(report: report, stream: stream).render(to: output.create("\(baseName).html"))
        case .markdown:
            try MarkdownReportRenderer(report: report, stream: stream).render(to: output.create("\(baseName).md"))
        case .json:
            try JSONReportRenderer(report: report, stream: stream).render(to: output.create("\(baseName).json"))
        case .csv:
            let renderer = CSVReportRenderer(report: report, stream: stream)
            for table in CSVReportRenderer.tables {
                try renderer.render(table, to: output.create("\(baseName)-\(table).csv"))
            }
        }
    }

    /// Writes `BASE.FORMAT.sha256` in the format `sha256sum` prints and checks with `-c`: one line per file, sorted by name.
    private func writeManifest(_ files: [ReportFile], format: ReportFormat, directory: URL) throws -> ReportFile {
        let name = "\(baseName).\(format.rawValue).sha256"
        let manifestOutput = try ReportOutput(directory: directory)
        let writer = try manifestOutput.create(name)
        for file in files.sorted(by: { $0.name < $1.name }) {
            writer.write("\(file.sha256Hex)  \(file.name)\n")
        }
        return try manifestOutput.commit()[0]
    }
}

/// The result of `ReportGenerator.write`: the report model, its files and the manifest.
public struct ReportOutcome: Sendable {
    public let report: Report
    public let format: ReportFormat
    public let baseName: String
    /// The report's files, in the order they were written.
    public let files: [ReportFile]
    /// The manifest listing the SHA-256 of each file.
    public let manifest: ReportFile

    /// Whether the ledger verified and, when a previous checkpoint was given,
    /// still contains that checkpoint's tree under a signature that did not fail.
    /// A report that fails either is still written, and states the failure at the top.
    public var isValid: Bool { report.integrity.isValid && report.cover.previousCheckpoint?.holds != false }

    /// The body of the `report_generated` entry that records this report: the
    /// period, the format, the head the report covers, and the digests of the manifest and each file.
    public var recordBody: [String: JSONValue] {
        let cover = report.cover
        var body: [String: JSONValue] = [
            "period": .string(cover.period.label),
            "period_start": .string(cover.period.start.description),
            "period_end": .string(cover.period.end.description),
            "format": .string(format.rawValue),
            "generator": .string(cover.generator),
            "manifest": .string(manifest.name),
            "manifest_sha256": .string(manifest.sha256Hex),
            "files": .array(files.map { .object(["name": .string($0.name), "sha256": .string($0.sha256Hex)]) }),
            "exceptions": .number(Double(report.findings.count)),
        ]
        if let head = cover.head { body["head"] = .string("\(head.sequence):\(head.hashHex)") }
        if let environment = cover.options.environment { body["env"] = .string(environment) }
        if let anchor = cover.options.trustAnchor { body["trust_anchor"] = .string(anchor) }
        return body
    }

    /// Builds the `report_generated` event to append once the files are in place.
    public func recordEvent(actor: String) throws -> Event {
        try Event(dedicatedKind: .reportGenerated, actor: actor, body: recordBody)
    }
}
