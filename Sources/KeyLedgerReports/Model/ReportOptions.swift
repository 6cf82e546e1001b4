import Foundation
import KeyLedger
import OpenSSLBridge

/// The output formats of a report.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// One self-contained HTML file with inline CSS and SVG and no script.
    case html
    /// One Markdown file.
    case markdown = "md"
    /// One JSON file with the whole report model; `reports/report.schema.json` describes it.
    case json
    /// One RFC 4180 CSV file per table.
    case csv
}

/// A request for a deterministic sample of changes; see `SampleSelection`.
public struct SampleRequest: Equatable, Sendable {
    /// How many changes to select; all of them when the population is smaller.
    public var size: Int
    /// Text chosen by the auditor that, with the period's last entry hash, fixes the selection.
    public var seed: String

    public init(size: Int, seed: String) {
        self.size = size
        self.seed = seed
    }
}

/// Everything that decides a report's content. Two runs over the same ledger
/// with equal options produce byte-identical files.
public struct ReportOptions: Sendable {
    public var period: ReportPeriod
    /// Report only keys in this environment and changes that touched one; nil for all.
    public var environment: String?
    /// A published key older than this many days is an exception.
    public var maximumKeyAgeDays: Int
    /// A published key must be verified, and a retired or rolled-back key shown
    /// absent from the JWKS, within this many hours.
    public var verifyWithinHours: Int
    public var sample: SampleRequest?
    /// The key id the genesis entry must be signed by; nil verifies internal consistency only.
    public var trustAnchor: String?
    /// The ledger's Ed25519 checkpoint key, to sign the period's checkpoint
    /// when it is the key current at that tree size. It never appears in the report.
    public var checkpointKey: PrivateKey?
    /// The text of the previous quarter's checkpoint: a signed note or an unsigned checkpoint body.
    public var previousCheckpoint: String?

    public static let defaultMaximumKeyAgeDays = 365
    public static let defaultVerifyWithinHours = 24

    public init(period: ReportPeriod, environment: String? = nil,
                maximumKeyAgeDays: Int = ReportOptions.defaultMaximumKeyAgeDays,
                verifyWithinHours: Int = ReportOptions.defaultVerifyWithinHours,
                sample: SampleRequest? = nil, trustAnchor: String? = nil,
                checkpointKey: PrivateKey? = nil, previousCheckpoint: String? = nil) {
        self.period = period
        self.environment = environment
        self.maximumKeyAgeDays = maximumKeyAgeDays
        self.verifyWithinHours = verifyWithinHours
        self.sample = sample
        self.trustAnchor = trustAnchor
        self.checkpointKey = checkpointKey
        self.previousCheckpoint = previousCheckpoint
    }

    /// Throws unless every option is in its range.
    func validate() throws {
        guard (1...36_500).contains(maximumKeyAgeDays) else {
            throw ReportError(.invalidOption, "the maximum key age \(maximumKeyAgeDays) is not from 1 to 36500 days")
        }
        guard (1...8_760).contains(verifyWithinHours) else {
            throw ReportError(.invalidOption, "the verification deadline \(verifyWithinHours) is not from 1 to 8760 hours")
        }
        if let sample {
            guard (1...100_000).contains(sample.size) else {
                throw ReportError(.invalidOption, "the sample size \(sample.size) is not from 1 to 100000")
            }
            guard !sample.seed.isEmpty else {
                throw ReportError(.invalidOption, "the sample seed is empty: give any text, for example the audit's reference number")
            }
        }
        if previousCheckpoint != nil {
            _ = try parsedPreviousCheckpoint()
        }
        if let environment {
            let allowed = environment.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x2D || byte == 0x2E || byte == 0x5F
            }
            guard !environment.isEmpty, environment.utf8.count <= 128, allowed else {
                throw ReportError(.invalidOption, "the environment \(ReportError.quoted(environment)) is invalid: use 1 to 128 letters, digits, '.', '_' or '-', for example production")
            }
        }
    }

    /// Parses `previousCheckpoint` as a signed note when it has a blank line before signature lines, else as a checkpoint body.
    ///
    /// - Returns: the checkpoint and its note, which is nil for a body; nil when no previous checkpoint was given.
    /// - Throws: `ReportError` with the parser's reason when the text is neither.
    func parsedPreviousCheckpoint() throws -> (checkpoint: Checkpoint, note: SignedNote?)? {
        guard let text = previousCheckpoint else { return nil }
        do {
            if text.contains("\n\n") {
                let note = try SignedNote(parsing: text)
                return (try Checkpoint(body: note.text), note)
            }
            return (try Checkpoint(body: text), nil)
        } catch {
            throw ReportError(.invalidOption,
                "the previous checkpoint is neither a signed checkpoint note nor a checkpoint body (\(error)): give the .checkpoint file or the checkpoint text of the previous quarter's report")
        }
    }

    var verifyWithinMilliseconds: Int64 { Int64(verifyWithinHours) * 3_600_000 }
    var maximumKeyAgeMilliseconds: Int64 { Int64(maximumKeyAgeDays) * ReportPeriod.millisecondsPerDay }
}
