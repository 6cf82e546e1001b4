import KeyLedger

/// Writes a report as one self-contained HTML file: the layout `report.html`
/// with the stylesheet `report.css` inlined, tables, and an inline SVG
/// timeline. The file has no script and loads nothing.
///
/// Every value from the ledger passes through `HTMLText.escape`, so no
/// content can add, close or change an element.
struct HTMLReportRenderer: ReportMarkup {
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
            case "integrity": writer.write(integritySection())
            case "population": writer.write(populationSection())
            case "keys": try keys(writer)
            case "changes": writer.write(changes())
            case "exceptions": writer.write(exceptionsSection())
            case "sample": writer.write(sampleSection())
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

    func table(_ table: ReportTable, className: String) -> String {
        tableStart(table.headers, className: className) + table.rows.map(row).joined() + "</tbody>\n</table>\n"
    }

    func factsTable(_ facts: [Fact]) -> String {
        var html = "<table class=\"facts\">\n<tbody>\n"
        for fact in facts {
            let value = fact.isCode ? "<code>\(h(fact.value))</code>" : h(fact.value)
            html += "<tr><th scope=\"row\">\(h(fact.label))</th><td class=\"multiline\">\(value)</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    func paragraph(_ text: String) -> String {
        paragraph(text, className: nil)
    }

    private func paragraph(_ text: String, className: String?) -> String {
        "<p\(className.map { " class=\"\($0)\"" } ?? "")>\(h(text))</p>\n"
    }

    func heading(_ text: String) -> String { "<h3>\(h(text))</h3>\n" }

    func minorHeading(_ text: String) -> String { "<h4>\(h(text))</h4>\n" }

    func list(_ items: [String]) -> String {
        "<ul>\n" + items.map { "<li>\(h($0))</li>\n" }.joined() + "</ul>\n"
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
            writer.write("<article class=\"key\">\n" + heading(title))
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
            html += "<article class=\"change\">\n" + heading(title)
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
