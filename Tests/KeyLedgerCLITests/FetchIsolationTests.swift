import Foundation
import KeyLedger
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
                "keyledger links \(forbidden), which belongs in keyledger-fetch only: \(libraries). "
                    + "A build directory from before keyledger-fetch existed keeps old link entries: run `swift package clean` and build again"
            )
        }
    }

    func testFetchProgramIsBuiltBesideKeyledger() throws {
        let program = try BuiltProgram.url(named: "keyledger-fetch")
        XCTAssertEqual(program.deletingLastPathComponent(), executable.deletingLastPathComponent())

        let help = try Program.run(program, ["--help"])
        XCTAssertEqual(help.status, 0, help.summary)
        XCTAssertTrue(help.standardOutput.contains("usage: keyledger-fetch"), help.summary)

        let argument = try Program.run(program, ["http://127.0.0.1:1/"])
        XCTAssertEqual(argument.status, 2, argument.summary)
        XCTAssertTrue(argument.standardError.contains("the request comes on standard input"), argument.summary)

        let badRequests: [(request: String, message: String)] = [
            ("", "not a JSON object"),
            (#"{"url":"ftp://127.0.0.1/","timeout_seconds":1,"max_bytes":10,"parent_pid":1}"#, "http:// or https://"),
            (#"{"url":"http://127.0.0.1/","timeout_seconds":1e18,"max_bytes":10,"parent_pid":1}"#, "timeout_seconds"),
            (#"{"url":"http://127.0.0.1/","timeout_seconds":1,"max_bytes":0,"parent_pid":1}"#, "max_bytes"),
        ]
        for (request, message) in badRequests {
            let run = try Program.run(program, [], input: Data(request.utf8))
            XCTAssertEqual(run.status, 2, "\(request)\n\(run.summary)")
            XCTAssertTrue(run.standardError.contains(message), "\(request)\n\(run.summary)")
        }
    }

    func testDemoWithoutFetchProgramWritesNothing() throws {
        let alone = directory.appendingPathComponent("bin/keyledger")
        try FileManager.default.createDirectory(at: alone.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: executable, to: alone)
        let demoDirectory = directory.appendingPathComponent("demo")

        let run = try Program.run(alone, ["demo", "--dir", demoDirectory.path])

        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.standardError.contains("keyledger-fetch"), run.summary)
        XCTAssertTrue(run.standardError.contains("does not exist"), run.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: demoDirectory.path), run.summary)
    }

    func testUnrunnableFetchProgramNamesTheFix() throws {
        let program = directory.appendingPathComponent("keyledger-fetch")
        try Data("#!/bin/sh\n".utf8).write(to: program)
        XCTAssertEqual(chmod(program.path, 0o600), 0)
        let fetcher = JWKSFetcher(timeout: 5, transport: FetchHelperTransport(executablePath: program.path))

        XCTAssertThrowsError(try fetcher.fetch(URL(string: "http://127.0.0.1:1/jwks.json")!)) { error in
            XCTAssertEqual((error as? LedgerError)?.code, .fetchHelperFailed, "\(error)")
            XCTAssertTrue("\(error)".contains("is not an executable file"), "\(error)")
            XCTAssertTrue("\(error)".contains("chmod 755"), "\(error)")
        }
    }

    /// Returns the file names of the shared libraries that `ldd` lists for `program`.
    private func linkedLibraries(of program: URL) throws -> [String] {
        let ldd = try Program.require("ldd", for: "list the libraries keyledger links")
        let run = try Program.run(ldd, [program.path])
        XCTAssertEqual(run.status, 0, run.summary)
        return run.standardOutput.split(separator: "\n").compactMap { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map { URL(fileURLWithPath: String($0)).lastPathComponent }
        }
    }
}
