import Foundation
import XCTest

/// A directory under the system's temporary directory, removed when the test ends.
final class TemporaryDirectory {
    let url: URL

    init(_ testCase: XCTestCase) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("keyledger-report-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let cleanup = url
        testCase.addTeardownBlock { try? FileManager.default.removeItem(at: cleanup) }
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func subdirectory(_ name: String) -> URL { url.appendingPathComponent(name, isDirectory: true) }
}
