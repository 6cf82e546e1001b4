import Foundation
import JOSE
import XCTest

/// Runs a script in `Fixtures/interop` that checks our output with Python's
/// jwcrypto and PyJWT, for the interop tests of JWS and JWT.
enum PythonInterop {
    /// Writes `cases` as a JSON array to a temporary file, runs `script` on
    /// it, and asserts that it exits with status 0 and prints "ALG CHECK: ok"
    /// for every algorithm in ``JWSAlgorithm`` and every name in `checks`.
    ///
    /// - Throws: `XCTSkip` when python3, jwcrypto or PyJWT is missing (the
    ///   script then exits with status 2, and `env` with 127).
    static func assertChecksPass(script: String, cases: [JSONValue], checks: [String],
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keyledger-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let casesURL = directory.appendingPathComponent("cases.json")
        try Data(JCS.canonicalize(.array(cases))).write(to: casesURL)

        let result = try runPython([JOSEFixture.url("interop", script).path, casesURL.path])

        if result.status == 2 || result.status == 127 {
            throw XCTSkip("python3 with jwcrypto and PyJWT is needed (pip install jwcrypto pyjwt): \(result.output)")
        }
        XCTAssertEqual(result.status, 0, result.output, file: file, line: line)
        let lines = result.output.split(separator: "\n")
        for algorithm in JWSAlgorithm.allCases {
            for check in checks {
                XCTAssertTrue(lines.contains("\(algorithm.rawValue) \(check): ok"), "\(algorithm.rawValue) \(check):\n\(result.output)",
                              file: file, line: line)
            }
        }
    }

    /// Runs python3 and returns its exit status and its standard output and error combined.
    private static func runPython(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
