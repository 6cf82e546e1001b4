import Foundation
import XCTest

/// Private key material must stay in the key files: never in the ledger,
/// never printed. Key files are created with mode 0600 and never overwritten.
final class SecretKeyTests: CLITestCase {
    func testPrivateKeysAppearOnlyInTheirKeyFiles() throws {
        let ledger = path("ledger.db")
        let firstKey = path("first.pem")
        let secondKey = path("second.pem")
        let thirdKey = path("third.pem")
        var runs: [ProgramRun] = []
        func run(_ arguments: [String], expectStatus status: Int32) throws {
            let result = try keyledger(arguments)
            XCTAssertEqual(result.status, status, result.summary)
            runs.append(result)
        }

        try run(["init", "--ledger", ledger, "--generate-signing-key", "ES256", "--key-out", firstKey,
                 "--actor", "alice", "--json"], expectStatus: 0)
        try run(["append", "--ledger", ledger, "--signing-key", firstKey, "--kind", "x-generated", "--actor", "alice",
                 "--body", #"{"kid":"api-2026"}"#, "--json"], expectStatus: 0)
        try run(["append", "--ledger", ledger, "--signing-key", firstKey, "--kind", "note", "--actor", "alice",
                 "--body", #"{"broken":"#], expectStatus: 2)
        // The key is generated while the process's umask would leave it readable by everyone.
        let rotation = try shell(#"umask 000 && exec "$KEYLEDGER" signing-key rotate --ledger "$LEDGER" --signing-key "$CURRENT" --generate EdDSA --key-out "$NEW" --actor alice --reason "scheduled" --json"#,
                                 environment: ["KEYLEDGER": executable.path, "LEDGER": ledger, "CURRENT": firstKey, "NEW": secondKey])
        XCTAssertEqual(rotation.status, 0, rotation.summary)
        runs.append(rotation)
        try run(["append", "--ledger", ledger, "--signing-key", firstKey, "--kind", "note", "--actor", "alice"], expectStatus: 2)
        try run(["append", "--ledger", ledger, "--signing-key", secondKey, "--kind", "note", "--actor", "alice",
                 "--body", #"{"text":"after the first rotation"}"#], expectStatus: 0)
        try run(["signing-key", "rotate", "--ledger", ledger, "--signing-key", secondKey, "--generate", "RS256",
                 "--key-out", thirdKey, "--actor", "alice"], expectStatus: 0)
        try run(["append", "--ledger", ledger, "--signing-key", thirdKey, "--kind", "x-retired", "--actor", "alice",
                 "--body", #"{"kid":"api-2025"}"#, "--json"], expectStatus: 0)
        try run(["signing-key", "show", "--ledger", ledger, "--json"], expectStatus: 0)
        try run(["log", "--ledger", ledger, "--json"], expectStatus: 0)
        try run(["log", "--ledger", ledger], expectStatus: 0)
        try run(["verify", "--ledger", ledger, "--json"], expectStatus: 0)

        for key in [firstKey, secondKey, thirdKey] {
            XCTAssertEqual(try mode(of: key), 0o600, "\(key) has the wrong mode")
        }

        // The ledger file and any -wal or -shm file left beside it. SQLite copies
        // the WAL into the ledger file when the last connection closes, so the
        // ledger file also contains what the WAL contained.
        let ledgerFiles = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("ledger.db") }
            .map { try Data(contentsOf: directory.appendingPathComponent($0)) }
        XCTAssertFalse(ledgerFiles.isEmpty)
        let printed = runs.flatMap { [$0.standardOutput, $0.standardError] }

        for key in [firstKey, secondKey, thirdKey] {
            let pem = try String(contentsOfFile: key, encoding: .utf8)
            let secrets = try PrivateKeyMaterial(pem: pem)
            for (name, text) in secrets.textForms {
                for (index, output) in printed.enumerated() where output.contains(text) {
                    XCTFail("\(name) of \(key) was printed by \(runs[index / 2].command.joined(separator: " "))")
                }
                for file in ledgerFiles where file.range(of: Data(text.utf8)) != nil {
                    XCTFail("\(name) of \(key) is in the ledger file")
                }
            }
            for (name, bytes) in secrets.binaryForms {
                for file in ledgerFiles where file.range(of: bytes) != nil {
                    XCTFail("\(name) of \(key) is in the ledger file")
                }
            }
        }
    }

    func testKeyFileWithTwoPrivateKeysIsRejected() throws {
        let created = try createLedger()
        let ledgerKey = try String(contentsOfFile: created.signingKey, encoding: .utf8)
        let generated = try shell("openssl genpkey -algorithm ed25519 -out other.pem && chmod 600 other.pem")
        XCTAssertEqual(generated.status, 0, generated.summary)
        let otherKey = try String(contentsOfFile: path("other.pem"), encoding: .utf8)
        let before = try logSnapshot(created.ledger)

        // With the ledger's key first, OpenSSL alone would sign with it and ignore the second key.
        for (name, contents) in [("ledger-key-first.pem", ledgerKey + otherKey), ("other-key-first.pem", otherKey + ledgerKey)] {
            let file = try write(name, contents)
            let run = try keyledger(["append", "--ledger", created.ledger, "--signing-key", file, "--kind", "note", "--actor", "alice"])

            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertEqual(run.standardError,
                           "error: the key file \"\(file)\" contains 2 PEM private key blocks: keyledger reads exactly one key from a key file, so put each key in its own file and give the path of the one you mean\n")
            XCTAssertFalse(run.standardError.contains("PRIVATE KEY"), run.summary)
        }
        XCTAssertEqual(try logSnapshot(created.ledger), before, "a rejected key file appended an entry")
    }

    func testExistingKeyFileIsNeverOverwritten() throws {
        let created = try createLedger()
        let keyBefore = try Data(contentsOf: URL(fileURLWithPath: created.signingKey))
        let ledgerBefore = try logSnapshot(created.ledger)

        let initRun = try keyledger(["init", "--ledger", path("second.db"), "--generate-signing-key", "EdDSA",
                                     "--key-out", created.signingKey, "--actor", "alice"])
        XCTAssertEqual(initRun.status, 2, initRun.summary)
        XCTAssertEqual(initRun.standardError,
                       "error: \"\(created.signingKey)\" already exists: choose a new file name; an existing key file is never overwritten\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("second.db")), "init created a ledger without its key")

        let rotateRun = try keyledger(["signing-key", "rotate", "--ledger", created.ledger, "--signing-key", created.signingKey,
                                       "--generate", "EdDSA", "--key-out", created.signingKey, "--actor", "alice"])
        XCTAssertEqual(rotateRun.status, 2, rotateRun.summary)
        XCTAssertTrue(rotateRun.standardError.contains("an existing key file is never overwritten"), rotateRun.summary)

        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: created.signingKey)), keyBefore)
        XCTAssertEqual(try mode(of: created.signingKey), 0o600)
        XCTAssertEqual(try logSnapshot(created.ledger), ledgerBefore)
    }
}

/// The secret parts of a PKCS#8 private key in every form a leak could take.
///
/// The key's private members (RFC 7518 section 6, RFC 8037 section 2) are
/// read from the DER with a small reader written for this test, not with
/// keyledger's code.
struct PrivateKeyMaterial {
    /// Named text that must not appear: the PEM body and its lines, the DER in
    /// hex and base64, each private member in base64url (its JWK form) and hex.
    var textForms: [(String, String)] = []
    /// Named bytes that must not appear in a binary file: the DER and each private member.
    var binaryForms: [(String, Data)] = []

    init(pem: String) throws {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init)
        let der = try XCTUnwrap(Data(base64Encoded: body.joined()), "the key file is not PEM")
        textForms.append(("the PEM body", body.joined()))
        for (index, line) in body.enumerated() where line.count >= 24 {
            textForms.append(("PEM line \(index + 1)", line))
        }
        textForms.append(("the DER in lowercase hex", Self.hex(der)))
        textForms.append(("the DER in uppercase hex", Self.hex(der).uppercased()))
        textForms.append(("the DER in base64", der.base64EncodedString()))
        binaryForms.append(("the DER", der))

        for (name, value) in try Self.privateMembers(pkcs8: der) {
            textForms.append(("JWK member \(name)", Self.base64URL(value)))
            textForms.append(("member \(name) in hex", Self.hex(value)))
            binaryForms.append(("member \(name)", value))
        }
    }

    /// Reads the private JWK members of an EC, Ed25519 or RSA key in PKCS#8 DER (RFC 5208 section 5).
    static func privateMembers(pkcs8: Data) throws -> [(String, Data)] {
        var reader = DERReader(Array(pkcs8))
        var outer = DERReader(try reader.read(expecting: 0x30))
        _ = try outer.read(expecting: 0x02)
        _ = try outer.read(expecting: 0x30)
        var inner = DERReader(try outer.read(expecting: 0x04))
        let privateKey = try inner.read()
        switch privateKey.tag {
        case 0x04:
            // RFC 8410 section 7: CurvePrivateKey, an OCTET STRING with the Ed25519 seed, which is JWK "d".
            return [("d", Data(privateKey.content))]
        case 0x30:
            var fields = DERReader(privateKey.content)
            _ = try fields.read(expecting: 0x02)
            let second = try fields.read()
            if second.tag == 0x04 {
                // RFC 5915 section 3: ECPrivateKey { version, privateKey OCTET STRING, ... }.
                return [("d", Data(second.content))]
            }
            // RFC 8017 appendix A.1.2: RSAPrivateKey { version, n, e, d, p, q, dp, dq, qi }; `second` was n.
            _ = try fields.read(expecting: 0x02)
            var members: [(String, Data)] = []
            for name in ["d", "p", "q", "dp", "dq", "qi"] {
                let integer = try fields.read(expecting: 0x02)
                members.append((name, Data(integer.drop { $0 == 0 })))
            }
            return members
        default:
            throw ProgramError("unexpected DER tag \(privateKey.tag) in the private key")
        }
    }

    static func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// A reader of DER type-length-value elements, enough for PKCS#8 key files.
struct DERReader {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func read() throws -> (tag: UInt8, content: [UInt8]) {
        guard index + 2 <= bytes.count else { throw ProgramError("DER ends early") }
        let tag = bytes[index]
        var length = Int(bytes[index + 1])
        index += 2
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard count <= 4, index + count <= bytes.count else { throw ProgramError("invalid DER length") }
            length = bytes[index..<index + count].reduce(0) { $0 << 8 | Int($1) }
            index += count
        }
        guard index + length <= bytes.count else { throw ProgramError("DER element runs past its end") }
        let content = Array(bytes[index..<index + length])
        index += length
        return (tag, content)
    }

    mutating func read(expecting tag: UInt8) throws -> [UInt8] {
        let element = try read()
        guard element.tag == tag else { throw ProgramError("expected DER tag \(tag), found \(element.tag)") }
        return element.content
    }

}
