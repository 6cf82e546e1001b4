import Foundation

/// A program that SwiftPM built beside the test bundle, such as
/// `keyledger-fetch` for a test target that depends on it.
public enum BuiltProgram {
    /// Returns the program's location.
    ///
    /// On Linux the test bundle is an executable file in the build directory;
    /// on macOS it is a directory in it.
    /// - Throws: ``BuiltProgramError`` when no executable file of that name is there.
    public static func url(named name: String) throws -> URL {
        var directories = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        for directory in directories {
            let candidate = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        let searched = directories.map(\.path).joined(separator: ", ")
        throw BuiltProgramError(description: "\(name) was not found in \(searched): build it with `swift build` before running these tests")
    }
}

/// A program the tests need was not built.
public struct BuiltProgramError: Error, CustomStringConvertible {
    public let description: String
}
