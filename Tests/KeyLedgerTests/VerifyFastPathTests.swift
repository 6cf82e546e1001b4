import Foundation
import JOSE
@testable import KeyLedger
import OpenSSLBridge
import SQLiteBridge
import XCTest

/// `Ledger.verify` checks most entries on a fast path that reads the stored
/// bytes in place, and hands every entry it does not accept to the general
/// path, which decodes the content into `JSONValue`s. These tests append
/// entries that are correctly chained and signed with the real key but
/// written in ways keyledger never writes them, and check that the result
/// equals that of the general path alone, including the failure's detail.
final class VerifyFastPathTests: XCTestCase {
    /// One RSA key for every ledger of these tests, because generating one takes most of a setup's time.
    nonisolated(unsafe) private static var cachedKey: SigningKey?

    private var directory: TemporaryDirectory!
    private var signingKey: SigningKey!
    private var path: String!

    /// Creates a ledger with the genesis entry and entries 2 to 10, whose bodies name a key and a change.
    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
        if Self.cachedKey == nil {
            Self.cachedKey = try SigningKey.generate(.rs256)
        }
        signingKey = Self.cachedKey
        path = directory.path("ledger.db")
        let ledger = try Ledger.create(at: path, signingKey: signingKey, actor: "init")
        let events = try (2...10).map {
            try Event(kind: EntryKind(rawValue: "x-published"), actor: "alice",
                      body: ["kid": .string("key-\($0)"), "change": .string("CHG-\($0)"), "n": .number(Double($0))])
        }
        try ledger.append(events, signingKey: signingKey)
    }

    // MARK: - Helpers

    private func entry(_ sequence: Int64) throws -> Entry {
        try XCTUnwrap(Ledger(path: path, readOnly: true).entry(sequence: sequence))
    }

    private func execute(_ sql: String, _ values: [SQLiteValue] = []) throws {
        let connection = try Connection(path: path, mode: .readWrite)
        try connection.execute("DROP TRIGGER IF EXISTS entries_no_update; DROP TRIGGER IF EXISTS entries_no_delete")
        try connection.run(sql, values)
    }

    /// The columns of an appended entry 11, each as SQL will store it.
    private struct Columns {
        var recordedAt: SQLiteValue
        var kind: SQLiteValue = "x-published"
        var actor: SQLiteValue = "alice"
        var keyID: SQLiteValue = "key-11"
        var changeID: SQLiteValue = "CHG-11"
        var signerKeyID: SQLiteValue?
        /// Whether the canonical bytes are stored as text instead of a blob.
        var canonicalAsText = false
        /// The stored signature, or nil to store the JWS that `sign` returns.
        var signature: SQLiteValue?
    }

    /// Returns the content of a regular entry 11, in canonical form.
    private func regularContent() throws -> String {
        let previous = try entry(10)
        return """
            {"actor":"alice","alg":"RS256","body":{"change":"CHG-11","kid":"key-11","n":11},"kind":"x-published",\
            "ledger":"\(previous.ledgerID)","recorded_at":"\(previous.recordedAt.description)","seq":11,\
            "signer":"\(signingKey.keyID)","v":1}
            """
    }

    /// Appends entry 11 with exactly `content` as its canonical bytes, chained
    /// to entry 10 and signed with the ledger's key, the way a writer holding
    /// the key but not using keyledger could.
    private func appendSigned(_ content: String, columns: Columns? = nil,
                              sign: (([UInt8]) throws -> String)? = nil) throws {
        let previous = try entry(10)
        var columns = columns ?? Columns(recordedAt: .text(previous.recordedAt.description))
        let canonical = Array(content.utf8)
        let hash = Digest.sha256(EntryHash.domainTag + previous.hash + canonical)
        let signature = try sign?(hash)
            ?? JWS.signDetached(payload: hash, key: signingKey.privateKey, algorithm: .rs256, keyID: signingKey.keyID)
        columns.signerKeyID = columns.signerKeyID ?? .text(signingKey.keyID)
        try execute("""
            INSERT INTO entries (seq, recorded_at, kind, actor, key_id, change_id, canonical, prev_hash, entry_hash, signer_kid, signature)
            VALUES (11, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [columns.recordedAt, columns.kind, columns.actor, columns.keyID, columns.changeID,
                  columns.canonicalAsText ? .text(content) : .blob(canonical), .blob(previous.hash), .blob(hash),
                  columns.signerKeyID!, columns.signature ?? .text(signature)])
    }

    /// Reads entry 11 as `Ledger.verify` does and returns whether the fast
    /// path's row check and its signature check accept it.
    private func fastPathsAccept() throws -> (row: Bool, signature: Bool) {
        let connection = try Connection(path: path, mode: .readOnly)
        let statement = try connection.prepare("SELECT \(Ledger.entryColumns) FROM entries WHERE seq = 11")
        try statement.bind([])
        XCTAssertTrue(try statement.advance())
        var batch = RawEntryBatch(expectedRows: 1)
        batch.appendCurrentRow(of: statement)
        let ledgerID = Array(try Ledger(path: path, readOnly: true).ledgerID.utf8)
        var decodingBuffers = DecodingBuffers()
        let row = batch.bytes.withUnsafeBytes {
            ChainVerifier.decodeFast(row: 0, of: batch, bytes: $0, ledgerID: ledgerID, buffers: &decodingBuffers)
        }
        let signer = try ChainVerifier.Signer(keyID: signingKey.keyID, algorithm: .rs256, publicKey: signingKey.publicJWK.publicKey())
        var signatureBuffers = SignatureBuffers()
        let signature = ChainVerifier.hasValidDetachedSignature(ChainVerifier.PendingSignature(sequence: 11, row: 0, signer: signer),
                                                                in: batch, buffers: &signatureBuffers)
        return (row != nil, signature)
    }

    /// Verifies with and without the fast path and checks that every part of the result agrees.
    @discardableResult
    private func assertPathsAgree(_ label: String, file: StaticString = #filePath, line: UInt = #line) throws -> VerificationResult {
        var fast: VerificationResult?
        for batchSize in [1, 2048] {
            let options = VerifyOptions(trustAnchor: signingKey.keyID, batchSize: batchSize)
            let result = try Ledger(path: path, readOnly: true).verify(options)
            let general = try verifyOnGeneralPathInTurn(path: path, options: options)
            let context = "\(label), batches of \(batchSize)"
            XCTAssertEqual(result.failure, general.failure, context, file: file, line: line)
            XCTAssertEqual(result.entriesChecked, general.entriesChecked, context, file: file, line: line)
            XCTAssertEqual(result.signaturesVerified, general.signaturesVerified, context, file: file, line: line)
            XCTAssertEqual(result.head, general.head, context, file: file, line: line)
            XCTAssertEqual(result.signers, general.signers, context, file: file, line: line)
            XCTAssertEqual(result.warnings, general.warnings, context, file: file, line: line)
            XCTAssertEqual(result.merkleTreeChecked, general.merkleTreeChecked, context, file: file, line: line)
            fast = result
        }
        return try XCTUnwrap(fast)
    }

    // MARK: - Content the fast path must hand to the general path

    func testRegularEntryIsValidOnBothPaths() throws {
        try appendSigned(try regularContent())
        let accepted = try fastPathsAccept()
        XCTAssertTrue(accepted.row, "the fast path checks a regular entry")
        XCTAssertTrue(accepted.signature, "the fast path verifies a regular signature")
        let result = try assertPathsAgree("regular entry 11")
        XCTAssertNil(result.failure)
        XCTAssertEqual(result.head?.sequence, 11)
    }

    func testContentVariantsAgreeWithGeneralPath() throws {
        let caseCount = try contentVariants().count
        for index in 0..<caseCount {
            // Each case gets a new ledger, with new keys and times, so the table is built again for it.
            try setUpWithError()
            let (name, content, valid) = try contentVariants()[index]
            XCTAssertNotEqual(content, try regularContent(), "\(name): the case must change the content")
            try appendSigned(content)
            // The algorithm passes the row's own checks and fails the signer check, which runs in chain order.
            XCTAssertEqual(try fastPathsAccept().row, name == "other algorithm", name)
            let result = try assertPathsAgree(name)
            XCTAssertEqual(result.failure == nil, valid, "\(name): \(String(describing: result.failure))")
            if let failure = result.failure {
                XCTAssertEqual(failure.sequence, 11, name)
            }
        }
    }

    /// Contents of entry 11 that keyledger never writes, and whether verification accepts each.
    ///
    /// Content that is valid JSON but not its RFC 8785 form is rejected as a malformed entry.
    private func contentVariants() throws -> [(name: String, content: String, valid: Bool)] {
        let previous = try entry(10)
        let time = previous.recordedAt.description
        let regular = try regularContent()
        let cases: [(name: String, content: String, valid: Bool)] = [
            ("whitespace after a colon", regular.replacingOccurrences(of: "\"actor\":", with: "\"actor\": "), false),
            ("newline at the end", regular + "\n", false),
            ("members reordered", regular.replacingOccurrences(of: "{\"actor\":\"alice\",\"alg\":\"RS256\",",
                                                               with: "{\"alg\":\"RS256\",\"actor\":\"alice\","), false),
            ("body members reordered", regular.replacingOccurrences(of: "{\"change\":\"CHG-11\",\"kid\":\"key-11\",",
                                                                    with: "{\"kid\":\"key-11\",\"change\":\"CHG-11\","), false),
            ("letter escaped as \\u0061", regular.replacingOccurrences(of: "\"alice\"", with: "\"\\u0061lice\""), false),
            ("solidus escaped", regular.replacingOccurrences(of: "\"CHG-11\"", with: "\"CHG\\/11\""), false),
            ("number written 11.0", regular.replacingOccurrences(of: "\"n\":11", with: "\"n\":11.0"), false),
            ("number written 1.1e1", regular.replacingOccurrences(of: "\"n\":11", with: "\"n\":1.1e1"), false),
            ("seq written 1.1e1", regular.replacingOccurrences(of: "\"seq\":11", with: "\"seq\":1.1e1"), false),
            ("v written 1.0", regular.replacingOccurrences(of: "\"v\":1}", with: "\"v\":1.0}"), false),
            ("negative zero", regular.replacingOccurrences(of: "\"n\":11", with: "\"n\":-0"), false),
            ("long integer", regular.replacingOccurrences(of: "\"n\":11", with: "\"n\":12345678901234567"), false),
            ("duplicate body member", regular.replacingOccurrences(of: "\"n\":11", with: "\"n\":11,\"n\":12"), false),
            ("extra member", regular.replacingOccurrences(of: "\"v\":1}", with: "\"v\":1,\"w\":2}"), false),
            ("missing member", regular.replacingOccurrences(of: "\"actor\":\"alice\",", with: ""), false),
            ("format version 2", regular.replacingOccurrences(of: "\"v\":1}", with: "\"v\":2}"), false),
            ("seq of another entry", regular.replacingOccurrences(of: "\"seq\":11", with: "\"seq\":12"), false),
            ("other ledger", regular.replacingOccurrences(of: previous.ledgerID, with: "other-ledger"), false),
            ("other algorithm", regular.replacingOccurrences(of: "\"alg\":\"RS256\"", with: "\"alg\":\"PS256\""), false),
            ("kind genesis", regular.replacingOccurrences(of: "\"kind\":\"x-published\"", with: "\"kind\":\"genesis\""), false),
            ("body not an object", regular.replacingOccurrences(of: "{\"change\":\"CHG-11\",\"kid\":\"key-11\",\"n\":11}",
                                                                with: "[\"CHG-11\"]"), false),
            ("kid not a string", regular.replacingOccurrences(of: "\"kid\":\"key-11\"", with: "\"kid\":11"), false),
            ("non-ASCII actor", regular.replacingOccurrences(of: "\"alice\"", with: "\"al\u{00EF}ce\""), false),
            ("time with an offset", regular.replacingOccurrences(of: time, with: String(time.dropLast()) + "+00:00"), false),
            ("time with lowercase t and z", regular.replacingOccurrences(of: time, with: time.replacingOccurrences(of: "T", with: "t")
                .replacingOccurrences(of: "Z", with: "z")), false),
            ("time without a fraction", regular.replacingOccurrences(of: time, with: String(time.prefix(19)) + "Z"), false),
            ("time with six fractional digits", regular.replacingOccurrences(of: time, with: String(time.dropLast()) + "000Z"), false),
            ("time on February 30", regular.replacingOccurrences(of: time, with: "2026-02-30T00:00:00.000Z"), false),
            ("time at hour 24", regular.replacingOccurrences(of: time, with: "2026-12-04T24:00:00.000Z"), false),
            ("time with a space", regular.replacingOccurrences(of: time, with: time.replacingOccurrences(of: "T", with: " ")), false),
            ("time earlier than entry 10", regular.replacingOccurrences(of: time, with: "2001-01-01T00:00:00.000Z"), false),
            ("not JSON", "{\"actor\":", false),
        ]
        return cases
    }

    // MARK: - Columns the fast path must hand to the general path

    func testColumnVariantsAgreeWithGeneralPath() throws {
        let caseCount = try columnVariants().count
        for index in 0..<caseCount {
            try setUpWithError()
            let (name, content, columns, valid) = try columnVariants()[index]
            try appendSigned(content, columns: columns)
            // An earlier time passes the row's own checks and fails the order of times, checked in chain order.
            XCTAssertEqual(try fastPathsAccept().row, name == "time earlier than entry 10", name)
            let result = try assertPathsAgree(name)
            XCTAssertEqual(result.failure == nil, valid, "\(name): \(String(describing: result.failure))")
        }
    }

    /// Stored columns of entry 11 that keyledger never writes, and whether verification accepts each.
    private func columnVariants() throws -> [(name: String, content: String, columns: Columns, valid: Bool)] {
        let time = try entry(10).recordedAt.description
        let regular = try regularContent()
        let kelvinContent = regular.replacingOccurrences(of: "\"alice\"", with: "\"K\"")
        let cases: [(name: String, content: String, columns: Columns, valid: Bool)] = [
            ("canonical stored as text", regular, Columns(recordedAt: .text(time), canonicalAsText: true), true),
            ("actor column edited", regular, Columns(recordedAt: .text(time), actor: "mallory"), false),
            ("kind column edited", regular, Columns(recordedAt: .text(time), kind: "x-retired"), false),
            ("key_id column NULL", regular, Columns(recordedAt: .text(time), keyID: .null), false),
            ("change_id column empty", regular, Columns(recordedAt: .text(time), changeID: ""), false),
            ("key_id column as a blob", regular, Columns(recordedAt: .text(time), keyID: .blob(Array("key-11".utf8))), true),
            ("recorded_at column in another layout", regular,
             Columns(recordedAt: .text(String(time.dropLast()) + "+00:00")), false),
            ("recorded_at column as an integer", regular, Columns(recordedAt: .integer(11)), false),
            ("signer_kid column edited", regular, Columns(recordedAt: .text(time), signerKeyID: "someone-else"), false),
            // U+212A KELVIN SIGN is canonically equivalent to "K", which Swift's String == honours.
            ("actor column canonically equivalent", kelvinContent, Columns(recordedAt: .text(time), actor: "\u{212A}"), true),
            ("time earlier than entry 10", regular.replacingOccurrences(of: time, with: "2001-01-01T00:00:00.000Z"),
             Columns(recordedAt: "2001-01-01T00:00:00.000Z"), false),
        ]
        return cases
    }

    // MARK: - Signatures the fast path must hand to the general path

    func testSignatureVariantsAgreeWithGeneralPath() throws {
        let caseCount = try signatureVariants().count
        for index in 0..<caseCount {
            try setUpWithError()
            let (name, sign, valid) = try signatureVariants()[index]
            try appendSigned(try regularContent(), sign: sign)
            XCTAssertEqual(try fastPathsAccept().signature, name == "header as keyledger writes it", name)
            let result = try assertPathsAgree(name)
            XCTAssertEqual(result.failure == nil, valid, "\(name): \(String(describing: result.failure))")
            if let failure = result.failure {
                XCTAssertEqual(failure.sequence, 11, name)
                XCTAssertEqual(failure.reason, .invalidSignature, name)
            }
        }
    }

    /// Signatures of entry 11 that keyledger never writes, and whether verification accepts each.
    private func signatureVariants() throws -> [(name: String, sign: ([UInt8]) throws -> String, valid: Bool)] {
        let key = signingKey!
        let otherKey = try SigningKey.generate(.rs256)
        /// Signs with a protected header given as text, so that it may be written in any form.
        func signed(header: String, key: PrivateKey = key.privateKey, scheme: SignatureScheme = .rsaPKCS1v15(.sha256))
            -> ([UInt8]) throws -> String {
            { hash in
                let encodedHeader = Base64URL.encode(Array(header.utf8))
                let input = Array((encodedHeader + "." + Base64URL.encode(hash)).utf8)
                return encodedHeader + ".." + Base64URL.encode(try key.sign(input, scheme: scheme))
            }
        }
        let kid = key.keyID
        let cases: [(name: String, sign: ([UInt8]) throws -> String, valid: Bool)] = [
            ("header as keyledger writes it", signed(header: "{\"alg\":\"RS256\",\"kid\":\"\(kid)\"}"), true),
            ("header members reordered", signed(header: "{\"kid\":\"\(kid)\",\"alg\":\"RS256\"}"), true),
            ("header with whitespace", signed(header: "{\"alg\": \"RS256\", \"kid\": \"\(kid)\"}"), true),
            ("header with an extra member", signed(header: "{\"alg\":\"RS256\",\"kid\":\"\(kid)\",\"typ\":\"x\"}"), true),
            ("header with crit", signed(header: "{\"alg\":\"RS256\",\"crit\":[\"x\"],\"kid\":\"\(kid)\",\"x\":1}"), false),
            ("header without kid", signed(header: "{\"alg\":\"RS256\"}"), false),
            ("header naming another kid", signed(header: "{\"alg\":\"RS256\",\"kid\":\"other\"}"), false),
            ("header naming PS256", signed(header: "{\"alg\":\"PS256\",\"kid\":\"\(kid)\"}", scheme: .rsaPSS(.sha256)), false),
            ("header naming none", signed(header: "{\"alg\":\"none\",\"kid\":\"\(kid)\"}"), false),
            ("signed by another key", signed(header: "{\"alg\":\"RS256\",\"kid\":\"\(kid)\"}", key: otherKey.privateKey), false),
            ("padding after the signature", { try signed(header: "{\"alg\":\"RS256\",\"kid\":\"\(kid)\"}")($0) + "==" }, false),
            ("attached payload", { hash in
                let jws = try signed(header: "{\"alg\":\"RS256\",\"kid\":\"\(kid)\"}")(hash)
                return jws.replacingOccurrences(of: "..", with: "." + Base64URL.encode(hash) + ".")
            }, false),
            ("nonzero trailing bits", { hash in
                // 256 signature bytes make 342 characters, whose last one carries 4 unused bits.
                var jws = Array(try signed(header: "{\"alg\":\"RS256\",\"kid\":\"\(kid)\"}")(hash).utf8)
                jws[jws.count - 1] = jws[jws.count - 1] == UInt8(ascii: "B") ? UInt8(ascii: "C") : UInt8(ascii: "B")
                return String(decoding: jws, as: UTF8.self)
            }, false),
            ("empty signature", { _ in Base64URL.encode(Array("{\"alg\":\"RS256\",\"kid\":\"\(kid)\"}".utf8)) + ".." }, false),
        ]
        return cases
    }

    func testSignatureStoredAsBlobAgrees() throws {
        let previous = try entry(10)
        let canonical = Array(try regularContent().utf8)
        let hash = Digest.sha256(EntryHash.domainTag + previous.hash + canonical)
        let jws = try JWS.signDetached(payload: hash, key: signingKey.privateKey, algorithm: .rs256, keyID: signingKey.keyID)
        try appendSigned(try regularContent(),
                         columns: Columns(recordedAt: .text(previous.recordedAt.description), signature: .blob(Array(jws.utf8))))
        XCTAssertFalse(try fastPathsAccept().signature)
        XCTAssertNil(try assertPathsAgree("signature stored as a blob").failure)
    }

    // MARK: - The tree audit alongside the chain

    /// Outside a read transaction `Ledger.verify` begins one for the chain
    /// and the tree audit. Inside a caller's it uses that one. Both must give
    /// the same result.
    func testTreeAuditInAndOutsideTransactionAgree() throws {
        let cases: [(name: String, sql: String?)] = [
            ("untouched", nil),
            ("edited tree row", "UPDATE merkle_tree SET hash = zeroblob(32) WHERE position = 3"),
            ("removed tree row", "DELETE FROM merkle_tree WHERE position = 1"),
            ("entry appended without its tree rows", nil),
        ]
        for (name, sql) in cases {
            try setUpWithError()
            if let sql {
                let connection = try Connection(path: path, mode: .readWrite)
                try connection.execute("DROP TRIGGER IF EXISTS merkle_tree_no_update; DROP TRIGGER IF EXISTS merkle_tree_no_delete")
                try connection.run(sql)
            }
            if name == "entry appended without its tree rows" {
                try appendSigned(try regularContent())
            }
            let ledger = try Ledger(path: path, readOnly: true)
            let options = VerifyOptions(trustAnchor: signingKey.keyID)
            let alongside = try ledger.verify(options)
            let after = try ledger.withReadTransaction { try ledger.verify(options) }
            XCTAssertEqual(alongside.failure, after.failure, name)
            XCTAssertEqual(alongside.merkleTreeChecked, after.merkleTreeChecked, name)
            XCTAssertEqual(alongside.warnings, after.warnings, name)
            XCTAssertEqual(alongside.head, after.head, name)
            if sql != nil {
                XCTAssertEqual(alongside.failure?.reason, .treeMismatch, name)
            }
        }
    }

    // MARK: - The row-level fast path against EntryContent

    func testStrictTimestampMatchesRFC3339Parser() throws {
        let accepted = ["2026-12-04T19:52:23.123Z", "0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z",
                        "2024-02-29T12:00:00.000Z", "1970-01-01T00:00:00.000Z"]
        for text in accepted {
            let strict = try XCTUnwrap(Array(text.utf8).withUnsafeBytes { ChainVerifier.strictTimestamp($0) }, text)
            XCTAssertEqual(strict, Timestamp(rfc3339: text), text)
            XCTAssertEqual(strict.description, text, text)
        }
        let rejected = ["2026-12-04T19:52:23Z", "2026-12-04T19:52:23.1234Z", "2026-12-04t19:52:23.123Z",
                        "2026-12-04T19:52:23.123z", "2026-12-04T19:52:23.123+00:00", "2023-02-29T00:00:00.000Z",
                        "2026-13-01T00:00:00.000Z", "2026-00-01T00:00:00.000Z", "2026-12-00T00:00:00.000Z",
                        "2026-12-04T24:00:00.000Z", "2026-12-04T23:60:00.000Z", "2026-12-04T23:59:60.000Z",
                        "2026-12-04 19:52:23.123Z", "+026-12-04T19:52:23.123Z", "2026-12-04T19:52:23.12aZ", ""]
        for text in rejected {
            XCTAssertNil(Array(text.utf8).withUnsafeBytes { ChainVerifier.strictTimestamp($0) }, text)
        }
        // Every instant's description is accepted and read back to the same instant.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let instant = Timestamp(millisecondsSinceEpoch: Int64.random(in: -62_167_219_200_000...253_402_300_799_999, using: &generator))
            XCTAssertEqual(Array(instant.description.utf8).withUnsafeBytes { ChainVerifier.strictTimestamp($0) }, instant,
                           instant.description)
        }
    }

    /// Stores entry 5 and many single-byte edits of its canonical bytes, each
    /// with a matching hash and with the columns that the general decoder
    /// takes from the edited content. Every row the fast path accepts must
    /// decode with `EntryContent` to the same values and pass the general
    /// path's column checks.
    func testAcceptedRowsDecodeLikeEntryContent() throws {
        let original = try entry(5)
        let ledgerID = original.ledgerID
        let memory = try Connection(path: ":memory:", mode: .readWriteCreate)
        try memory.execute("""
            CREATE TABLE entries (seq INTEGER, recorded_at TEXT, kind TEXT, actor TEXT, key_id TEXT, change_id TEXT,
                                  canonical BLOB, prev_hash BLOB, entry_hash BLOB, signer_kid TEXT, signature TEXT)
            """)
        var variants: [[UInt8]] = [original.canonical]
        let replacements = Array(" \"\\019aAz{}[],:-.eE".utf8) + [0x7F, 0xC3, 0x00]
        for index in original.canonical.indices {
            for replacement in replacements where replacement != original.canonical[index] {
                var edited = original.canonical
                edited[index] = replacement
                variants.append(edited)
            }
            var shortened = original.canonical
            shortened.remove(at: index)
            variants.append(shortened)
            var doubled = original.canonical
            doubled.insert(original.canonical[index], at: index)
            variants.append(doubled)
        }
        for canonical in variants {
            let content = try? EntryContent(canonical: canonical)
            let hash = Digest.sha256(EntryHash.domainTag + original.previousHash + canonical)
            try memory.run("INSERT INTO entries VALUES (5, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')", [
                .text(content?.recordedAt.description ?? original.recordedAt.description),
                .text(content?.kind.rawValue ?? original.kind.rawValue), .text(content?.actor ?? original.actor),
                SQLiteValue(content?.body["kid"]?.stringValue), SQLiteValue(content?.body["change"]?.stringValue),
                .blob(canonical), .blob(original.previousHash), .blob(hash), .text(content?.signerKeyID ?? original.signerKeyID),
            ])
        }

        let statement = try memory.prepare("SELECT \(Ledger.entryColumns) FROM entries")
        try statement.bind([])
        var batch = RawEntryBatch(expectedRows: variants.count)
        while try statement.advance() {
            batch.appendCurrentRow(of: statement)
        }
        XCTAssertEqual(batch.rowCount, variants.count)
        var buffers = DecodingBuffers()
        var acceptedCount = 0
        for row in 0..<batch.rowCount {
            let accepted = batch.bytes.withUnsafeBytes {
                ChainVerifier.decodeFast(row: row, of: batch, bytes: $0, ledgerID: Array(ledgerID.utf8), buffers: &buffers)
            }
            guard let fast = accepted else { continue }
            acceptedCount += 1
            let stored = batch.storedRow(row)
            let text = String(decoding: try XCTUnwrap(stored.canonical), as: UTF8.self)
            let content = try EntryContent(canonical: try XCTUnwrap(stored.canonical))
            XCTAssertEqual(try JCS.canonicalize(content.jsonValue), stored.canonical, text)
            XCTAssertEqual(fast.sequence, content.sequence, text)
            XCTAssertEqual(fast.recordedAt, content.recordedAt, text)
            XCTAssertEqual(String(decoding: batch.bytes[fast.signer], as: UTF8.self), content.signerKeyID, text)
            XCTAssertEqual(String(decoding: batch.bytes[fast.algorithm], as: UTF8.self), content.algorithm, text)
            XCTAssertEqual(content.ledgerID, ledgerID, text)
            XCTAssertFalse(EntryKind.reserved.contains(content.kind), text)
            XCTAssertEqual(stored.recordedAt, content.recordedAt.description, text)
            XCTAssertEqual(stored.kind, content.kind.rawValue, text)
            XCTAssertEqual(stored.actor, content.actor, text)
            XCTAssertEqual(stored.keyID, content.body["kid"]?.stringValue, text)
            XCTAssertEqual(stored.changeID, content.body["change"]?.stringValue, text)
            XCTAssertEqual(stored.signerKeyID, content.signerKeyID, text)
        }
        // The original and the edits inside strings and numbers that stay canonical.
        XCTAssertGreaterThan(acceptedCount, 100)
    }
}
