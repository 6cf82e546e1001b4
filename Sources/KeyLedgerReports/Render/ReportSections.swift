/// The markup a report format writes around the content that the HTML and
/// Markdown reports share. Each renderer escapes text in its own way.
protocol ReportMarkup {
    var report: Report { get }

    /// Formats a heading inside a section: HTML `h3`, Markdown `###`.
    func heading(_ text: String) -> String
    /// Formats a heading under a ``heading(_:)``: HTML `h4`, Markdown `####`.
    func minorHeading(_ text: String) -> String
    func paragraph(_ text: String) -> String
    /// Formats a table. `className` styles it in HTML and has no effect in Markdown.
    func table(_ table: ReportTable, className: String) -> String
    func factsTable(_ facts: [Fact]) -> String
    func list(_ items: [String]) -> String
}

/// The sections that read the same in HTML and Markdown: which headings,
/// paragraphs and tables they contain, and in which order.
extension ReportMarkup {
    func integritySection() -> String {
        let integrity = report.integrity
        var text = factsTable(ReportFacts.integrity(integrity, cover: report.cover))
        text += heading("Ledger signing keys")
        text += table(ReportFacts.signers(integrity.signers), className: "signers")
        text += heading("Signing-key handovers")
        text += integrity.handovers.isEmpty ? paragraph("No handovers: the genesis key signed every entry checked.")
            : table(ReportFacts.handovers(integrity.handovers), className: "handovers")
        if !integrity.warnings.isEmpty {
            text += heading("Warnings") + list(integrity.warnings)
        }
        return text
    }

    func populationSection() -> String {
        let population = report.population
        var text = table(ReportFacts.populationCounts(population), className: "counts")
        text += heading("Entries by kind")
        text += population.entriesByKind.isEmpty ? paragraph("No entries were recorded in the period.")
            : table(ReportFacts.entriesByKind(population), className: "counts")
        text += heading("Changes by state at the end of the period")
        text += table(ReportFacts.stateCounts(population.changesByState, itemsHeader: "Changes"), className: "counts")
        text += heading("Keys by state at the end of the period")
        text += table(ReportFacts.stateCounts(population.keysByState, itemsHeader: "Keys"), className: "counts")
        text += heading("Changes in scope")
        text += report.changes.isEmpty ? paragraph("No changes.")
            : table(ReportFacts.changesInScope(report.changes), className: "scope")
        text += heading("Keys in scope")
        text += report.keys.isEmpty ? paragraph("No keys.")
            : table(ReportFacts.keysInScope(report.keys), className: "scope")
        return text
    }

    func exceptionsSection() -> String {
        var text = paragraph(ReportFacts.exceptionSummary(report.findings))
        if !report.findings.isEmpty {
            text += table(ReportFacts.findings(report.findings), className: "exceptions")
        }
        text += heading("Rules checked")
        text += table(ReportFacts.rules(), className: "rules")
        return text
    }

    func sampleSection() -> String {
        guard let sample = report.sample else {
            return paragraph("No sample was requested. Generate the report with --sample N --seed TEXT to select changes for detailed testing.")
        }
        var text = paragraph(SampleResult.method)
        text += factsTable(ReportFacts.sample(sample))
        if !sample.selected.isEmpty {
            text += table(ReportFacts.sampleSelections(sample), className: "sample")
            text += inclusionProofs(sample)
        }
        return text
    }

    /// Writes each sampled change's inclusion proofs, or why there are none.
    private func inclusionProofs(_ sample: SampleResult) -> String {
        var text = heading("Inclusion proofs of the sampled changes")
        guard let checkpoint = report.cover.checkpoint else {
            return text + paragraph("No inclusion proofs: \(report.cover.checkpointUnavailable ?? "the report has no checkpoint").")
        }
        text += paragraph(ReportFacts.inclusionMethod)
        text += paragraph("Tree size \(checkpoint.checkpoint.treeSize), root hash \(checkpoint.rootHashBase64).")
        for selection in sample.selected {
            text += minorHeading(selection.change)
            if selection.inclusionProofs.isEmpty {
                text += paragraph("The change has no entries up to the checkpoint.")
                continue
            }
            text += table(ReportFacts.inclusionProofs(selection), className: "proofs")
        }
        return text
    }
}
