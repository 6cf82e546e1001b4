import Foundation
import XCTest

/// Fixture files, base64url and DER helpers shared by the bridge tests.
///
/// The helpers are written independently of the bridge, so a test can check
/// the bridge against them.
enum TestSupport {
    static func fixtureURL(_ name: String) throws -> URL {
        try XCTUnwrap(
            Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"),
            "missing fixture \(name)"
        )
    }

    static func fixtureText(_ name: String) throws -> String {
        try String(contentsOf: fixtureURL(name), encoding: .utf8)
    }

    /// Reads a JSON object fixture whose values are strings, such as a JWK.
    static func fixtureJSONObject(_ name: String) throws -> [String: String] {
        let data = try Data(contentsOf: fixtureURL(name))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: String], "\(name) is not a string map")
    }

    /// Splits a compact JWS into its signing input and decoded signature.
    static func compactJWS(_ name: String) throws -> (signingInput: [UInt8], signature: [UInt8]) {
        let parts = try fixtureText(name).split(separator: ".", omittingEmptySubsequences: false)
        XCTAssertEqual(parts.count, 3, "\(name) is not a compact JWS")
        let signingInput = Array("\(parts[0]).\(parts[1])".utf8)
        return (signingInput, try base64URLDecode(String(parts[2])))
    }

    static func base64URLDecode(_ text: String) throws -> [UInt8] {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Array(try XCTUnwrap(Data(base64Encoded: base64), "invalid base64url \(text)"))
    }

    /// Encodes raw r || s as a DER ECDSA-Sig-Value (RFC 3279 section 2.2.3).
    static func derFromRawECDSA(_ raw: [UInt8]) -> [UInt8] {
        let half = raw.count / 2
        let body = derInteger(Array(raw[..<half])) + derInteger(Array(raw[half...]))
        return [0x30] + derLength(body.count) + body
    }

    /// Decodes a DER ECDSA-Sig-Value to raw r || s of `coordinateByteCount` bytes each.
    static func rawFromDERECDSA(_ der: [UInt8], coordinateByteCount: Int) throws -> [UInt8] {
        var index = 0
        func readLength() throws -> Int {
            let first = Int(der[index])
            index += 1
            if first < 0x80 {
                return first
            }
            var length = 0
            for _ in 0..<(first & 0x7F) {
                length = length << 8 | Int(der[index])
                index += 1
            }
            return length
        }
        func readInteger() throws -> [UInt8] {
            XCTAssertEqual(der[index], 0x02, "expected a DER INTEGER")
            index += 1
            let length = try readLength()
            let value = Array(der[index..<(index + length)].drop { $0 == 0 })
            index += length
            return [UInt8](repeating: 0, count: coordinateByteCount - value.count) + value
        }
        XCTAssertEqual(der[index], 0x30, "expected a DER SEQUENCE")
        index += 1
        _ = try readLength()
        return try readInteger() + readInteger()
    }

    /// Encodes unsigned big-endian bytes as a DER INTEGER.
    static func derInteger(_ unsigned: [UInt8]) -> [UInt8] {
        var value = Array(unsigned.drop { $0 == 0 })
        if value.isEmpty || value[0] & 0x80 != 0 {
            value.insert(0, at: 0)
        }
        return [0x02] + derLength(value.count) + value
    }

    /// Encodes a DER length of up to 65,535 bytes.
    static func derLength(_ length: Int) -> [UInt8] {
        switch length {
        case ..<0x80: [UInt8(length)]
        case ..<0x100: [0x81, UInt8(length)]
        default: [0x82, UInt8(length >> 8), UInt8(length & 0xFF)]
        }
    }
}

/// Runs the `openssl` command-line tool in a temporary folder.
struct OpenSSLCommand {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("keyledger-openssl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes `bytes` to a file in the folder and returns its path.
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// Runs `openssl` with `arguments` and returns its exit status and combined output.
    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
