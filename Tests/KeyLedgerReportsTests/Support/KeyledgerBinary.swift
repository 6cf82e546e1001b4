import Foundation
import XCTest

/// The `keyledger` executable that SwiftPM built next to the test bundle, because this target depends on it.
enum KeyledgerBinary {
    static func path() throws -> String {
        var directories = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        for directory in directories {
            let candidate = directory.appendingPathComponent("keyledger")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate.path
            }
        }
        XCTFail("the keyledger executable was not found in \(directories.map(\.path)): build it with `swift build`")
        throw XCTSkip("keyledger executable missing")
    }

    /// Runs `keyledger` with `arguments` and no inherited KEYLEDGER_* variables.
    static func run(_ arguments: [String], workingDirectory: URL? = nil) throws -> Program.Output {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KEYLEDGER_") }
        environment["LC_ALL"] = "C"
        return try Program.run(try path(), arguments, environment: environment, workingDirectory: workingDirectory)
    }
}
