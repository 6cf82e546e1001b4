import Foundation
import XCTest

/// The README's command tour, run word for word as a reader would run it.
final class ReadmeTourTests: CLITestCase {
    /// Returns the shell blocks of the README's "Commands" section, in order.
    private func tourBlocks() throws -> [String] {
        let readme = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let start = try XCTUnwrap(text.range(of: "\n## Commands\n"), "README.md has no Commands section")
        let end = text.range(of: "\n## ", range: start.upperBound..<text.endIndex)?.lowerBound ?? text.endIndex
        let section = text[start.upperBound..<end]
        var blocks: [String] = []
        var current: [Substring]?
        for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```sh" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// Returns the host of every URL in `blocks` that is not on 127.0.0.1.
    private func outsideHosts(in blocks: [String]) throws -> [String] {
        let url = try NSRegularExpression(pattern: #"[a-z]+://([^/\s"']+)"#)
        var hosts: [String] = []
        for block in blocks {
            for match in url.matches(in: block, range: NSRange(block.startIndex..., in: block)) {
                let host = String(block[Range(match.range(at: 1), in: block)!])
                if !host.hasPrefix("127.0.0.1") { hosts.append(host) }
            }
        }
        return hosts
    }

    func testTourNamesNoOutsideHost() throws {
        let blocks = try tourBlocks()
        XCTAssertFalse(blocks.isEmpty, "found no sh blocks in the README's Commands section")
        XCTAssertEqual(try outsideHosts(in: blocks), [], "a reader following the tour would contact these hosts")
    }

    func testTourRunsOffline() throws {
        let blocks = try tourBlocks()
        // A tour that names another host is not run, so this test never contacts it.
        let hosts = try outsideHosts(in: blocks)
        guard hosts.isEmpty else {
            return XCTFail("the tour is not run because it contacts \(hosts)")
        }
        let openssl = try Program.require("openssl", for: "create the witness key as the README tour does")
        let binaries = executable.deletingLastPathComponent().path
        let path = [binaries, openssl.deletingLastPathComponent().path, "/usr/bin", "/bin"].joined(separator: ":")
        let script = "set -eu\n" + blocks.joined(separator: "\n")
        let run = try shell(script, environment: ["PATH": path], timeout: 300)
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertTrue(run.standardOutput.contains("match: 1 expected key served"), run.summary)
        XCTAssertTrue(FileManager.default.fileExists(atPath: self.path("new.cosigned")), run.summary)
        let reports = (try? FileManager.default.contentsOfDirectory(atPath: self.path("report"))) ?? []
        XCTAssertTrue(reports.contains { $0.hasSuffix(".html") }, "the tour wrote no HTML report: \(reports)\n\(run.summary)")
    }
}
