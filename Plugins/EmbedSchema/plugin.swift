import Foundation
import PackagePlugin

/// Embeds the SQL files of the package's `schema` directory into the target
/// as Swift string constants, so that the files in `schema` stay the single
/// source of truth and the built library needs no resource bundle at run time.
@main
struct EmbedSchema: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let schemaDirectory = context.package.directory.appending("schema")
        let sqlFiles = try FileManager.default.contentsOfDirectory(atPath: schemaDirectory.string)
            .filter { $0.hasSuffix(".sql") }
            .sorted()
            .map { schemaDirectory.appending($0) }
        let output = context.pluginWorkDirectory.appending("EmbeddedSchema.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(sqlFiles.count) schema files",
                executable: try context.tool(named: "schema-embedder").path,
                arguments: [output.string] + sqlFiles.map(\.string),
                inputFiles: sqlFiles,
                outputFiles: [output]
            )
        ]
    }
}
