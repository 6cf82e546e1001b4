import Foundation
import TestSupport
import XCTest

/// `keyledger` fetches over HTTP only through `keyledger-fetch`, so its own
/// process never loads an HTTP client or a TLS library.
final class FetchIsolationTests: CLITestCase {
    func testKeyledgerLinksNoHTTPOrTLSLibrary() throws {
        let libraries = try linkedLibraries(of: executable)
        XCTAssertTrue(libraries.contains { $0.hasPrefix("libcrypto") }, "ldd output changed its form: \(libraries)")
        for forbidden in ["libcurl", "libFoundationNetworking", "libssl", "libgnutls", "libnghttp2"] {
            XCTAssertFalse(
                libraries.contains { $0.hasPrefix(forbidden) },
                "keyledger links \(forbidden), which belongs in keyledger-fetch only: \(libraries)"
            )
        }
    }

    func testFetchProgramIsBuiltBesideKeyledgerAndAnswersHelp() throws {
        let program = try BuiltProgram.url(named: "keyledger-fetch")
        XCTAssertEqual(program.deletingLastPathComponent(), executable.deletingLastPathComponent())

        let help = try Program.run(program, ["--help"])
        XCTAssertEqual(help.status, 0, help.summary)
        XCTAssertTrue(help.standardOutput.contains("usage: keyledger-fetch"), help.summary)

        let usage = try Program.run(program, ["--timeout", "0", "http://127.0.0.1:1/"])
        XCTAssertEqual(usage.status, 2, usage.summary)
        XCTAssertTrue(usage.standardError.contains("--timeout needs a positive number"), usage.summary)
    }

    /// The file names of the shared libraries that `ldd` lists for `program`.
    private func linkedLibraries(of program: URL) throws -> [String] {
        let ldd = try Program.require("ldd", for: "list the libraries keyledger links")
        let run = try Program.run(ldd, [program.path])
        XCTAssertEqual(run.status, 0, run.summary)
        return run.standardOutput.split(separator: "\n").compactMap { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map { URL(fileURLWithPath: String($0)).lastPathComponent }
        }
    }
}
