import Foundation
import PackagePlugin

/// Embeds the report layouts of the package's `reports/layouts` directory
/// (templates and the stylesheet) into the target as Swift string constants,
/// so the files stay the single source of truth and the built tool needs no
/// resource bundle at run time.
@main
struct EmbedReportLayouts: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let layoutDirectory = context.package.directory.appending("reports", "layouts")
        let layoutFiles = try FileManager.default.contentsOfDirectory(atPath: layoutDirectory.string)
            .filter { !$0.hasPrefix(".") }
            .sorted()
            .map { layoutDirectory.appending($0) }
        let output = context.pluginWorkDirectory.appending("EmbeddedReportLayouts.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(layoutFiles.count) report layout files",
                executable: try context.tool(named: "report-layout-embedder").path,
                arguments: [output.string] + layoutFiles.map(\.string),
                inputFiles: layoutFiles,
                outputFiles: [output]
            )
        ]
    }
}
