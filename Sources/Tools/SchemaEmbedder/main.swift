import Foundation

// Writes a Swift file that declares `embeddedSchemaMigrations`: one
// (file name, SQL text) pair per schema file, in the order given.
// Usage: schema-embedder OUTPUT.swift FILE.sql...

let arguments = CommandLine.arguments.dropFirst()
guard let outputPath = arguments.first else {
    FileHandle.standardError.write(Data("usage: schema-embedder OUTPUT.swift FILE.sql...\n".utf8))
    exit(2)
}

var source = "// Generated from the package's schema directory at build time. Do not edit.\n"
source += "let embeddedSchemaMigrations: [(fileName: String, sql: String)] = [\n"
for path in arguments.dropFirst() {
    let sql = try String(contentsOfFile: path, encoding: .utf8)
    let name = URL(fileURLWithPath: path).lastPathComponent
    // A raw string with enough # marks that no sequence in the SQL can close it.
    var hashes = "#"
    while sql.contains("\"" + hashes) { hashes += "#" }
    source += "    (fileName: \"\(name)\", sql: \(hashes)\"\"\"\n\(sql)\n\"\"\"\(hashes)),\n"
}
source += "]\n"
try source.write(toFile: outputPath, atomically: true, encoding: .utf8)
