import KeyLedger

/// Writes a report as one self-contained HTML file: the layout `report.html`
/// with the stylesheet `report.css` inlined, tables, and an inline SVG
/// timeline. The file has no script and loads nothing.
///
/// Every value from the ledger passes through `HTMLText.escape`, so no
/// content can add, close or change an element.
struct HTMLReportRenderer {
    static let slots: Set<String> = [
        "generator", "title", "subtitle", "stylesheet", "status", "cover", "integrity", "population",
        "keys", "changes", "exceptions", "sample", "appendix",
    ]
    /// Slots that stream from the ledger and may appear only once.
    static let singleSlots: Set<String> = ["keys", "appendix"]

    let report: Report
    let stream: ReportStream

    func render(to writer: ReportFileWriter) throws {
        let layout = try Layout.embedded("report.html")
        try layout.check(slots: Self.slots, single: Self.singleSlots)
        let stylesheet = try Layout.embeddedText("report.css")
        guard !stylesheet.lowercased().contains("</style") else {
            throw ReportError(.layout, "report.css contains </style, which would end the inline stylesheet")
        }
        try layout.render(into: writer) { slot in
            switch slot {
            case "generator": writer.write(h(report.cover.generator))
            case "title": writer.write(h(ReportFacts.title(report.cover)))
            case "subtitle": writer.write(h(ReportFacts.subtitle(report.cover)))
            case "stylesheet": writer.write(stylesheet)
            case "status": writer.write(status())
            case "cover": writer.write(factsTable(ReportFacts.cover(report.cover)))
            case "integrity": writer.write(integrity())
            case "population": writer.write(population())
            case "keys": try keys(writer)
            case "changes": writer.write(changes())
            case "exceptions": writer.write(exceptions())
            case "sample": writer.write(sample())
            case "appendix": try appendix(writer)
            default: throw ReportError(.layout, "report.html has an unknown slot {{\(slot)}}")
            }
        }
    }

    // MARK: - Building blocks

    private func h(_ text: String) -> String { HTMLText.escape(text) }

    private func cellHTML(_ cell: ReportCell) -> String {
        switch cell {
        case .text(let text): return "<td>\(h(text))</td>"
        case .code(let text): return "<td><code>\(h(text))</code></td>"
        case .codeLines(let text): return "<td class=\"multiline\"><code>\(h(text))</code></td>"
        case .number(let text): return "<td class=\"number\">\(h(text))</td>"
        case .result(let passed, let pass, let fail): return "<td>\(passed ? badge(pass, "pass") : badge(fail, "fail"))</td>"
        case .severity(let severity): return "<td>\(badge(severity.rawValue, severity.rawValue))</td>"
        }
    }

    private func tableStart(_ headers: [String], className: String? = nil, columns: [String]? = nil) -> String {
        var html = "<table\(className.map { " class=\"\($0)\"" } ?? "")>\n"
        if let columns {
            html += "<colgroup>" + columns.map { "<col class=\"\($0)\">" }.joined() + "</colgroup>\n"
        }
        html += "<thead><tr>" + headers.map { "<th>\(h($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        return html
    }

    private func row(_ cells: [ReportCell]) -> String {
        "<tr>" + cells.map(cellHTML).joined() + "</tr>\n"
    }

    private func table(_ table: ReportTable, className: String? = nil) -> String {
        tableStart(table.headers, className: className) + table.rows.map(row).joined() + "</tbody>\n</table>\n"
    }

    private func factsTable(_ facts: [Fact]) -> String {
        var html = "<table class=\"facts\">\n<tbody>\n"
        for fact in facts {
            let value = fact.isCode ? "<code>\(h(fact.value))</code>" : h(fact.value)
            html += "<tr><th scope=\"row\">\(h(fact.label))</th><td class=\"multiline\">\(value)</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    private func paragraph(_ text: String, className: String? = nil) -> String {
        "<p\(className.map { " class=\"\($0)\"" } ?? "")>\(h(text))</p>\n"
    }

    private func badge(_ text: String, _ className: String) -> String {
        "<span class=\"badge \(className)\">\(h(text))</span>"
    }

    // MARK: - Sections

    private func status() -> String {
        let (isValid, lines) = ReportFacts.status(report)
        var html = "<div class=\"status \(isValid ? "valid" : "invalid")\" role=\"status\">\n"
        for (index, line) in lines.enumerated() {
            html += paragraph(line, className: index == 0 ? "headline" : nil)
        }
        return html + "</div>\n"
    }

    private func integrity() -> String {
        let integrity = report.integrity
        var html = factsTable(ReportFacts.integrity(integrity, cover: report.cover))
        html += "<h3>Ledger signing keys</h3>\n"
        html += table(ReportFacts.signers(integrity.signers), className: "signers")
        html += "<h3>Signing-key handovers</h3>\n"
        if integrity.handovers.isEmpty {
            html += paragraph("No handovers: the genesis key signed every entry checked.")
        } else {
            html += table(ReportFacts.handovers(integrity.handovers), className: "handovers")
        }
        if !integrity.warnings.isEmpty {
            html += "<h3>Warnings</h3>\n<ul>\n" + integrity.warnings.map { "<li>\(h($0))</li>\n" }.joined() + "</ul>\n"
        }
        return html
    }

    private func population() -> String {
        let population = report.population
        var html = table(ReportFacts.populationCounts(population), className: "counts")
        html += "<h3>Entries by kind</h3>\n"
        html += population.entriesByKind.isEmpty ? paragraph("No entries were recorded in the period.")
            : table(ReportFacts.entriesByKind(population), className: "counts")
        html += "<h3>Changes by state at the end of the period</h3>\n"
        html += table(ReportFacts.stateCounts(population.changesByState, itemsHeader: "Changes"), className: "counts")
        html += "<h3>Keys by state at the end of the period</h3>\n"
        html += table(ReportFacts.stateCounts(population.keysByState, itemsHeader: "Keys"), className: "counts")
        html += "<h3>Changes in scope</h3>\n"
        html += report.changes.isEmpty ? paragraph("No changes.")
            : table(ReportFacts.changesInScope(report.changes), className: "scope")
        html += "<h3>Keys in scope</h3>\n"
        html += report.keys.isEmpty ? paragraph("No keys.")
            : table(ReportFacts.keysInScope(report.keys), className: "scope")
        return html
    }

    private func keys(_ writer: ReportFileWriter) throws {
        guard !report.keys.isEmpty else {
            writer.write(paragraph("No keys were in scope in the period."))
            return
        }
        writer.write("<div class=\"timeline\">\n")
        writer.write(TimelineSVG.render(keys: report.keys, period: report.cover.period))
        writer.write("</div>\n")
        for key in report.keys {
            let title = ReportFacts.keyTitle(key)
            writer.write("<article class=\"key\">\n<h3>\(h(title))</h3>\n")
            writer.write(factsTable(ReportFacts.key(key, cover: report.cover)))
            writer.write("<h4>Verifications in the period</h4>\n")
            var wroteRun = false
            try stream.forEachVerificationRun(of: key) { run in
                if !wroteRun {
                    writer.write(tableStart(ReportFacts.verificationRunHeaders, className: "runs"))
                    wroteRun = true
                }
                writer.write(row(ReportFacts.verificationRunRow(run)))
            }
            writer.write(wroteRun ? "</tbody>\n</table>\n" : paragraph("No verifications in the period."))
            writer.write("</article>\n")
        }
    }

    private func changes() -> String {
        guard !report.changes.isEmpty else { return paragraph("No changes were in scope in the period.") }
        var html = ""
        for change in report.changes {
            let title = change.summary.isEmpty ? change.id : "\(change.id): \(change.summary)"
            html += "<article class=\"change\">\n<h3>\(h(title))</h3>\n"
            html += factsTable(ReportFacts.change(change))
            html += "<h4>Attestations</h4>\n"
            html += change.attestations.isEmpty ? paragraph("No attestations.")
                : table(ReportFacts.attestations(change), className: "attestations")
            if change.outcome == "rolled_back" {
                html += "<h4>Rollback: keys shown absent from the JWKS</h4>\n"
                html += change.rolledBackKeys.isEmpty ? paragraph("The rollback named no keys.")
                    : table(ReportFacts.rolledBackKeys(change), className: "rollback")
                if !change.restoredKeys.isEmpty {
                    html += "<h4>Rollback: retired keys restored to the JWKS</h4>\n"
                    html += table(ReportFacts.restoredKeys(change), className: "rollback")
                }
            }
            html += "</article>\n"
        }
        return html
    }

    private func exceptions() -> String {
        var html = paragraph(ReportFacts.exceptionSummary(report.findings))
        if !report.findings.isEmpty {
            html += table(ReportFacts.findings(report.findings), className: "exceptions")
        }
        html += "<h3>Rules checked</h3>\n"
        html += table(ReportFacts.rules(), className: "rules")
        return html
    }

    private func sample() -> String {
        guard let sample = report.sample else {
            return paragraph("No sample was requested. Generate the report with --sample N --seed TEXT to select changes for detailed testing.")
        }
        var html = paragraph(SampleResult.method)
        html += factsTable(ReportFacts.sample(sample))
        if !sample.selected.isEmpty {
            html += table(ReportFacts.sampleSelections(sample), className: "sample")
            html += inclusionProofs(sample)
        }
        return html
    }

    /// Writes each sampled change's inclusion proofs, or why there are none.
    private func inclusionProofs(_ sample: SampleResult) -> String {
        var html = "<h3>Inclusion proofs of the sampled changes</h3>\n"
        guard let checkpoint = report.cover.checkpoint else {
            return html + paragraph("No inclusion proofs: \(report.cover.checkpointUnavailable ?? "the report has no checkpoint").")
        }
        html += paragraph(ReportFacts.inclusionMethod)
        html += paragraph("Tree size \(checkpoint.checkpoint.treeSize), root hash \(checkpoint.rootHashBase64).")
        for selection in sample.selected {
            html += "<h4>\(h(selection.change))</h4>\n"
            if selection.inclusionProofs.isEmpty {
                html += paragraph("The change has no entries up to the checkpoint.")
                continue
            }
            html += table(ReportFacts.inclusionProofs(selection), className: "proofs")
        }
        return html
    }

    private func appendix(_ writer: ReportFileWriter) throws {
        let cover = report.cover
        guard let first = cover.firstEntry, let last = cover.lastEntry else {
            writer.write(paragraph("No entries were recorded in the period."))
            return
        }
        writer.write(paragraph("\(report.population.entriesInPeriod) entries, sequence \(first.sequence) to \(last.sequence), in sequence order. Claimed times come from --at."))
        writer.write(tableStart(ReportFacts.appendixHeaders, className: "appendix",
                                columns: ["sequence", "time", "time", "kind", "actor", "key", "change", "hash"]))
        try stream.forEachAppendixRow { entry in
            writer.write(row(ReportFacts.appendixRow(entry)))
        }
        writer.write("</tbody>\n</table>\n")
    }
}
