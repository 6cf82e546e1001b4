import Foundation

// Writes a Swift file that declares `embeddedReportLayouts`: one
// (file name, text) pair per layout file, in the order given.
// Usage: report-layout-embedder OUTPUT.swift FILE...

let arguments = CommandLine.arguments.dropFirst()
guard let outputPath = arguments.first else {
    FileHandle.standardError.write(Data("usage: report-layout-embedder OUTPUT.swift FILE...\n".utf8))
    exit(2)
}

var source = "// Generated from the package's reports/layouts directory at build time. Do not edit.\n"
source += "let embeddedReportLayouts: [(fileName: String, text: String)] = [\n"
for path in arguments.dropFirst() {
    let text: String
    do {
        text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
        FileHandle.standardError.write(Data("report-layout-embedder: cannot read \(path) as UTF-8: \(error)\n".utf8))
        exit(1)
    }
    let name = URL(fileURLWithPath: path).lastPathComponent
    // A raw string with enough # marks that nothing in the text can close it
    // ("#) or start an escape (\#). The multi-line literal drops the line feed
    // before its closing delimiter, which the line feed added here makes up for.
    var hashes = "#"
    while text.contains("\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
    source += "    (fileName: \"\(name)\", text: \(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)),\n"
}
source += "]\n"
do {
    try source.write(toFile: outputPath, atomically: true, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("report-layout-embedder: cannot write \(outputPath): \(error)\n".utf8))
    exit(1)
}
