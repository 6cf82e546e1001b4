import KeyLedger

/// Writes a report as one Markdown file (CommonMark with GitHub's tables) from the layout `report.md`.
///
/// Every value from the ledger passes through `MarkdownText.escape` with the
/// context it is placed in, so no content can add a table cell, a block, a
/// link, emphasis or raw HTML.
struct MarkdownReportRenderer: ReportMarkup {
    static let slots: Set<String> = [
        "title", "subtitle", "status", "cover", "integrity", "population", "keys", "changes", "exceptions", "sample", "appendix",
    ]
    static let singleSlots: Set<String> = ["keys", "appendix"]

    let report: Report
    let stream: ReportStream

    func render(to writer: ReportFileWriter) throws {
        let layout = try Layout.embedded("report.md")
        try layout.check(slots: Self.slots, single: Self.singleSlots)
        try layout.render(into: writer) { slot in
            switch slot {
            case "title": writer.write(md(ReportFacts.title(report.cover), .heading))
            case "subtitle": writer.write(md(ReportFacts.subtitle(report.cover), .lineStart))
            case "status": writer.write(status())
            case "cover": writer.write(factsTable(ReportFacts.cover(report.cover)))
            case "integrity": writer.write(integritySection())
            case "population": writer.write(populationSection())
            case "keys": try keys(writer)
            case "changes": writer.write(changes())
            case "exceptions": writer.write(exceptionsSection())
            case "sample": writer.write(sampleSection())
            case "appendix": try appendix(writer)
            default: throw ReportError(.layout, "report.md has an unknown slot {{\(slot)}}")
            }
        }
    }

    private func md(_ text: String, _ context: MarkdownText.Context) -> String { MarkdownText.escape(text, in: context) }

    private func cell(_ text: String) -> String { md(text, .tableCell) }

    private func tableHeader(_ headers: [String]) -> String {
        "| " + headers.map(cell).joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: headers.count) + "\n"
    }

    private func row(_ cells: [String]) -> String {
        "| " + cells.map { $0.isEmpty ? " " : cell($0) }.joined(separator: " | ") + " |\n"
    }

    /// Formats a row of typed cells. Markdown has no colour, so a failed
    /// result is written in capitals to stand out.
    private func row(_ cells: [ReportCell]) -> String {
        row(cells.map { cell -> String in
            switch cell {
            case .text(let text), .code(let text), .codeLines(let text), .number(let text): return text
            case .result(let passed, let pass, let fail): return passed ? pass : fail.uppercased()
            case .severity(let severity): return severity.rawValue
            }
        })
    }

    private func table(_ headers: [String], _ rows: [[String]]) -> String {
        tableHeader(headers) + rows.map(row).joined() + "\n"
    }

    func table(_ table: ReportTable, className: String) -> String {
        tableHeader(table.headers) + table.rows.map(row).joined() + "\n"
    }

    func factsTable(_ facts: [Fact]) -> String {
        table(["Field", "Value"], facts.map { [$0.label, $0.value] })
    }

    func paragraph(_ text: String) -> String { md(text, .lineStart) + "\n\n" }

    func heading(_ text: String) -> String { "### \(md(text, .heading))\n\n" }

    func minorHeading(_ text: String) -> String { "#### \(md(text, .heading))\n\n" }

    func list(_ items: [String]) -> String {
        items.map { "- \(md($0, .lineStart))\n" }.joined() + "\n"
    }

    private func status() -> String {
        let (_, lines) = ReportFacts.status(report)
        var text = ""
        for (index, line) in lines.enumerated() {
            text += index == 0 ? "> **\(md(line, .inline))**\n" : ">\n> \(md(line, .lineStart))\n"
        }
        return text
    }

    private func keys(_ writer: ReportFileWriter) throws {
        guard !report.keys.isEmpty else {
            writer.write(paragraph("No keys were in scope in the period."))
            return
        }
        for key in report.keys {
            let title = ReportFacts.keyTitle(key)
            writer.write(heading(title))
            writer.write(factsTable(ReportFacts.key(key, cover: report.cover)))
            writer.write("Verifications in the period:\n\n")
            var wroteRun = false
            try stream.forEachVerificationRun(of: key) { run in
                if !wroteRun {
                    writer.write(tableHeader(ReportFacts.verificationRunHeaders))
                    wroteRun = true
                }
                writer.write(row(ReportFacts.verificationRunRow(run)))
            }
            writer.write(wroteRun ? "\n" : paragraph("No verifications in the period."))
        }
    }

    private func changes() -> String {
        guard !report.changes.isEmpty else { return paragraph("No changes were in scope in the period.") }
        var text = ""
        for change in report.changes {
            let title = change.summary.isEmpty ? change.id : "\(change.id): \(change.summary)"
            text += heading(title)
            text += factsTable(ReportFacts.change(change))
            text += "Attestations:\n\n"
            text += change.attestations.isEmpty ? paragraph("No attestations.")
                : table(ReportFacts.attestations(change), className: "attestations")
            if change.outcome == "rolled_back" {
                text += "Rollback, keys shown absent from the JWKS:\n\n"
                text += change.rolledBackKeys.isEmpty ? paragraph("The rollback named no keys.")
                    : table(ReportFacts.rolledBackKeys(change), className: "rollback")
                if !change.restoredKeys.isEmpty {
                    text += "Rollback, retired keys restored to the JWKS:\n\n"
                    text += table(ReportFacts.restoredKeys(change), className: "rollback")
                }
            }
        }
        return text
    }

    private func appendix(_ writer: ReportFileWriter) throws {
        let cover = report.cover
        guard let first = cover.firstEntry, let last = cover.lastEntry else {
            writer.write(paragraph("No entries were recorded in the period."))
            return
        }
        writer.write(paragraph("\(report.population.entriesInPeriod) entries, sequence \(first.sequence) to \(last.sequence), in sequence order. Claimed times come from --at."))
        writer.write(tableHeader(ReportFacts.appendixHeaders))
        try stream.forEachAppendixRow { entry in
            writer.write(row(ReportFacts.appendixRow(entry)))
        }
        writer.write("\n")
    }
}
