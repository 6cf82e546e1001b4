import Foundation
import TestSupport
import XCTest

/// The `keyledger` executable that SwiftPM built next to the test bundle, because this target depends on it.
enum KeyledgerBinary {
    static func path() throws -> String {
        do {
            return try BuiltProgram.url(named: "keyledger").path
        } catch {
            XCTFail("\(error)")
            throw XCTSkip("keyledger executable missing")
        }
    }

    /// Runs `keyledger` with `arguments` and no inherited KEYLEDGER_* variables.
    static func run(_ arguments: [String], workingDirectory: URL? = nil) throws -> Program.Output {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KEYLEDGER_") }
        environment["LC_ALL"] = "C"
        return try Program.run(try path(), arguments, environment: environment, workingDirectory: workingDirectory)
    }
}
