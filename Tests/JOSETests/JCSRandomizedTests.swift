import Foundation
import JOSE
import XCTest

/// Compares ``JCS/serialize(number:)`` on many random doubles with V8's
/// `JSON.stringify`, the ECMAScript implementation RFC 8785 numbers follow.
///
/// The seed comes from the `JCS_RANDOM_SEED` environment variable when set,
/// and is random otherwise. Every failure message names the seed, so that a
/// failing run can be repeated.
final class JCSRandomizedTests: XCTestCase {
    private static let randomBitPatternCount = 100_000
    private static let targetedCount = 30_000

    private var seed: UInt64 = 0

    override func setUp() {
        super.setUp()
        let environment = ProcessInfo.processInfo.environment
        seed = environment["JCS_RANDOM_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: .min ... .max)
    }

    func testRandomDoublesMatchNodeJSONStringify() throws {
        guard let node = Self.executableOnPath(named: "node") else {
            throw XCTSkip("node is not on PATH; this test compares with node's JSON.stringify")
        }
        let numbers = sample()
        let nodeTexts = try Self.stringifyWithNode(numbers, node: node)
        XCTAssertEqual(nodeTexts.count, numbers.count, "seed \(seed): node returned a different number of lines")

        var mismatches: [String] = []
        for (number, nodeText) in zip(numbers, nodeTexts) {
            let ours = try JCS.serialize(number: number)
            if ours != nodeText {
                mismatches.append("\(String(number.bitPattern, radix: 16)): ours \(ours), node \(nodeText)")
            }
        }
        XCTAssertEqual(mismatches.count, 0, "seed \(seed): first mismatches: \(mismatches.prefix(10))")
        print("JCSRandomizedTests: compared \(numbers.count) doubles with node \(node.path) JSON.stringify, seed \(seed): \(mismatches.count) mismatches")
    }

    func testRandomDoublesRoundTrip() throws {
        var failures: [String] = []
        for number in sample() {
            let text = try JCS.serialize(number: number)
            // -0 is written as "0", which reads back as +0; == treats them as equal.
            if Double(text) != number {
                failures.append("\(String(number.bitPattern, radix: 16)) -> \(text)")
            }
        }
        XCTAssertEqual(failures.count, 0, "seed \(seed): first failures: \(failures.prefix(10))")
    }

    // MARK: - Sample

    /// Returns random finite bit patterns, followed by targeted values in the
    /// ranges where the layout changes, which random bit patterns rarely hit.
    private func sample() -> [Double] {
        var generator = SplitMix64(seed: seed)
        var numbers: [Double] = []
        numbers.reserveCapacity(Self.randomBitPatternCount + Self.targetedCount)

        for _ in 0..<Self.randomBitPatternCount {
            numbers.append(RandomJSON.finiteDouble(using: &generator))
        }

        let perKind = Self.targetedCount / 3
        for _ in 0..<perKind {
            // Binary exponents -30 to 75 span about 1e-9 to 7e22, across the
            // switches to exponent form at 1e-7 and 1e21.
            let exponent = UInt64(1023 - 30 + Int(generator.next() % 106))
            let bits = (generator.next() & 0x800F_FFFF_FFFF_FFFF) | exponent << 52
            numbers.append(Double(bitPattern: bits))
        }
        for _ in 0..<perKind {
            // Integers up to 2^55, where doubles stop holding every integer.
            numbers.append(Double(generator.next() >> 9))
        }
        for _ in 0..<perKind {
            // Short decimals such as 0.3 or 4.25e-5, whose nearest double is
            // inexact, so the shortest digits must be chosen with care.
            let digits = generator.next() % 100_000
            let exponent = Int(generator.next() % 60) - 30
            numbers.append(Double("\(digits)e\(exponent)")!)
        }
        return numbers
    }

    // MARK: - node

    private static func executableOnPath(named name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        return nil
    }

    /// Runs one node process that reads one 16-digit hex bit pattern per line
    /// on standard input and prints `JSON.stringify` of each double.
    ///
    /// Input and error output go through temporary files, so that neither
    /// side can block on a full pipe.
    private static func stringifyWithNode(_ numbers: [Double], node: URL) throws -> [String] {
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("keyledger-jcs-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }

        let inputURL = temporary.appendingPathComponent("bits.txt")
        let errorURL = temporary.appendingPathComponent("stderr.txt")
        let hexLines = numbers.map { number -> String in
            let digits = String(number.bitPattern, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        try Data((hexLines.joined(separator: "\n") + "\n").utf8).write(to: inputURL)
        try Data().write(to: errorURL)

        let script = """
            const lines = require("fs").readFileSync(0, "utf8").split("\\n").filter((line) => line.length > 0);
            const output = lines.map((line) => JSON.stringify(Buffer.from(line, "hex").readDoubleBE(0)));
            process.stdout.write(output.join("\\n") + "\\n");
            """
        let process = Process()
        process.executableURL = node
        process.arguments = ["-e", script]
        let input = try FileHandle(forReadingFrom: inputURL)
        defer { try? input.close() }
        let errorOutput = try FileHandle(forWritingTo: errorURL)
        defer { try? errorOutput.close() }
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errorOutput

        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        guard process.terminationStatus == 0 else {
            let message = String(decoding: (try? Data(contentsOf: errorURL)) ?? Data(), as: UTF8.self)
            throw NodeFailure(description: "node exited with status \(process.terminationStatus): \(message)")
        }
        return String(decoding: outputData, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

private struct NodeFailure: Error, CustomStringConvertible {
    let description: String
}
