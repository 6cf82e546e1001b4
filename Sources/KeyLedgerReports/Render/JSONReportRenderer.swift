import Foundation
import JOSE

/// Writes the whole report model as one JSON document, described by `reports/report.schema.json`.
///
/// Top-level members come in a fixed order, with the appendix last. The
/// appendix and each key's `verification_runs` are written one element at a
/// time while they stream from the ledger. Nested values are indented like
/// the rest of the document, and appendix rows take one line each.
struct JSONReportRenderer {
    /// The value of the top-level `format` member; it changes when the model changes incompatibly.
    static let format = "keyledger-report/1"

    let report: Report
    let stream: ReportStream

    func render(to writer: ReportFileWriter) throws {
        writer.write("{\n")
        try member("format", .string(Self.format), first: true, writer)
        try member("cover", report.cover.jsonValue, writer)
        try member("integrity", report.integrity.jsonValue, writer)
        try member("population", report.population.jsonValue, writer)
        try keys(writer)
        try member("changes", .array(report.changes.map(\.jsonValue)), writer)
        try member("exceptions", .array(report.findings.map(\.jsonValue)), writer)
        try member("rules", .array(ExceptionRule.all.map(\.jsonValue)), writer)
        try member("sample", report.sample?.jsonValue ?? .null, writer)
        try appendix(writer)
        writer.write("\n}\n")
    }

    /// Writes `"name": value` at indentation `level`, preceded by a comma unless it is the first member.
    private func member(_ name: String, _ value: JSONValue, first: Bool = false, level: Int = 1, _ writer: ReportFileWriter) throws {
        let indentation = String(repeating: "  ", count: level)
        writer.write((first ? "" : ",\n") + indentation + (try JCS.canonicalString(.string(name))) + ": ")
        writer.write(try value.serialized(pretty: true).replacingOccurrences(of: "\n", with: "\n" + indentation))
    }

    private func keys(_ writer: ReportFileWriter) throws {
        writer.write(",\n  \"keys\": [")
        for (index, key) in report.keys.enumerated() {
            writer.write(index == 0 ? "\n    {\n" : ",\n    {\n")
            for (position, (name, value)) in key.jsonMembers.enumerated() {
                try member(name, value, first: position == 0, level: 3, writer)
            }
            writer.write(",\n      \"verification_runs\": [")
            var wroteRun = false
            try stream.forEachVerificationRun(of: key) { run in
                writer.write((wroteRun ? ",\n" : "\n") + "        " + (try JCS.canonicalString(run.jsonValue)))
                wroteRun = true
            }
            writer.write(wroteRun ? "\n      ]\n    }" : "]\n    }")
        }
        writer.write(report.keys.isEmpty ? "]" : "\n  ]")
    }

    private func appendix(_ writer: ReportFileWriter) throws {
        writer.write(",\n  \"appendix\": [")
        var wroteRow = false
        try stream.forEachAppendixRow { row in
            writer.write((wroteRow ? ",\n" : "\n") + "    " + (try JCS.canonicalString(row.jsonValue)))
            wroteRow = true
        }
        writer.write(wroteRow ? "\n  ]" : "]")
    }
}
