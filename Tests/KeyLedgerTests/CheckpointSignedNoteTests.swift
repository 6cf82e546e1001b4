import Foundation
@testable import KeyLedger
import XCTest

/// C2SP signed notes: parsing, formatting, verifier and signer keys, and the
/// rules for known and unknown signatures, checked on published examples.
final class CheckpointSignedNoteTests: XCTestCase {
    private func note(_ name: String) throws -> String {
        try TransparencyFixtures.text(name)
    }

    private func key(_ name: String) throws -> NoteVerifierKey {
        try NoteVerifierKey(TransparencyFixtures.text(name))
    }

    private func assertCode(_ code: LedgerError.Code, _ expression: @autoclosure () throws -> some Any, _ message: String = "",
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), message, file: file, line: line) { error in
            XCTAssertEqual((error as? LedgerError)?.code, code, "\(message): \(error)", file: file, line: line)
        }
    }

    // MARK: - Published examples

    func testC2SPExampleVerifies() throws {
        let parsed = try SignedNote(parsing: note("note_c2sp_example.txt"))
        let verifierKey = try key("note_c2sp_example.vkey")
        XCTAssertEqual(verifierKey.keyID, 0x530D_903A)
        XCTAssertEqual(parsed.text, "This is an example message.\n")
        let verified = try parsed.verify(with: [verifierKey])
        XCTAssertEqual(verified.map(\.signature.keyName), ["example.com/foo"])
    }

    func testGoExampleVerifies() throws {
        let parsed = try SignedNote(parsing: note("note_go_peterneumann.txt"))
        let verified = try parsed.verify(with: [key("note_go_peterneumann.vkey")])
        XCTAssertEqual(verified.count, 1)
        XCTAssertEqual(verified.first?.signature.keyID, 0xC74F_20A3)
    }

    func testGoSignerKeyReproducesSignature() throws {
        let signer = try NoteSigner(signerKey: TransparencyFixtures.text("note_go_peterneumann.skey"))
        XCTAssertEqual(signer.verifierKey.encoded, try TransparencyFixtures.text("note_go_peterneumann.vkey").trimmingCharacters(in: .whitespacesAndNewlines))
        let published = try SignedNote(parsing: note("note_go_peterneumann.txt"))
        let signature = try signer.sign(text: published.text)
        XCTAssertEqual(try SignedNote(text: published.text, signatures: [signature]).formatted, try note("note_go_peterneumann.txt"))
    }

    func testSignatureFromUnknownKeyIsIgnored() throws {
        let parsed = try SignedNote(parsing: note("note_go_peter_and_enoch.txt"))
        let peter = try key("note_go_peterneumann.vkey")
        let enoch = try key("note_go_enochroot.vkey")
        XCTAssertEqual(parsed.signatures.count, 2)
        XCTAssertEqual(try parsed.verify(with: [peter]).map(\.signature.keyName), ["PeterNeumann"])
        XCTAssertEqual(try parsed.verify(with: [enoch]).map(\.signature.keyName), ["EnochRoot"])
        XCTAssertEqual(try parsed.verify(with: [peter, enoch]).map(\.signature.keyName), ["PeterNeumann", "EnochRoot"])
        assertCode(.integrity, try parsed.verify(with: [key("note_c2sp_example.vkey")]), "no known key")
        assertCode(.integrity, try parsed.verify(with: []), "no keys at all")
    }

    func testInvalidSignatureFromKnownKeyRejectsNote() throws {
        let parsed = try SignedNote(parsing: note("note_go_peter_and_enoch.txt"))
        var damaged = parsed.signatures[1].signature
        damaged[10] ^= 0x01
        let altered = try SignedNote(text: parsed.text, signatures: [
            parsed.signatures[0],
            NoteSignature(keyName: "EnochRoot", keyID: parsed.signatures[1].keyID, signature: damaged),
        ])
        XCTAssertEqual(try altered.verify(with: [key("note_go_peterneumann.vkey")]).count, 1, "the damaged line is from an unknown key")
        assertCode(.integrity, try altered.verify(with: [key("note_go_peterneumann.vkey"), key("note_go_enochroot.vkey")]))
    }

    func testSignatureMatchingOnlyNameOrKeyIDIsIgnored() throws {
        let parsed = try SignedNote(parsing: note("note_go_peterneumann.txt"))
        let peter = try key("note_go_peterneumann.vkey")
        let original = parsed.signatures[0]
        let sameNameOtherID = try NoteSignature(keyName: "PeterNeumann", keyID: original.keyID ^ 1, signature: original.signature)
        let sameIDOtherName = try NoteSignature(keyName: "PeterNeumann2", keyID: original.keyID, signature: original.signature)
        let note = try SignedNote(text: parsed.text, signatures: [sameNameOtherID, sameIDOtherName, original])
        XCTAssertEqual(try note.verify(with: [peter]).count, 1)
    }

    func testKeyNamesCompareByBytes() throws {
        // "é" as one code point and as "e" plus a combining accent are equal
        // Swift strings, but different key names.
        let signer = try NoteSigner.generate(name: "caf\u{E9}.example")
        let lookalike = try NoteVerifierKey(name: "cafe\u{301}.example", ed25519PublicKey: signer.verifierKey.publicKey)
        let note = try SignedNote(text: "hello\n", signatures: [signer.sign(text: "hello\n")])
        XCTAssertFalse(lookalike.matches(note.signatures[0]))
        assertCode(.integrity, try note.verify(with: [lookalike]))
        XCTAssertEqual(try note.verify(with: [signer.verifierKey]).count, 1)
    }

    func testSameKeyListedTwiceIsHarmless() throws {
        let signer = try NoteSigner.generate(name: "log.example")
        let note = try SignedNote(text: "hello\n", signatures: [signer.sign(text: "hello\n")])
        XCTAssertEqual(try note.verify(with: [signer.verifierKey, signer.verifierKey]).count, 1)
    }

    // MARK: - Layout

    func testLastBlankLineStartsSignatures() throws {
        let text = try note("note_c2sp_quasimodo_NO_KEY.txt")
        let parsed = try SignedNote(parsing: text)
        XCTAssertEqual(parsed.text, "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned \u{E8} subito sera.\n")
        XCTAssertEqual(parsed.signatures.map(\.keyName), ["quasimodo.example/salvatore"])
        XCTAssertEqual(parsed.formatted, text)
    }

    func testFormattedNotesMatchFixtures() throws {
        let files = [
            "note_c2sp_example.txt", "note_go_peterneumann.txt", "note_go_peter_and_enoch.txt",
            "note_c2sp_quasimodo_NO_KEY.txt", "checkpoint_c2sp_example_NO_KEY.txt",
            "checkpoints_sum_golang_org/checkpoint_15067302.txt",
        ]
        for file in files {
            let text = try note(file)
            XCTAssertEqual(try SignedNote(parsing: text).formatted, text, file)
        }
    }

    func testMalformedNotesAreRejected() throws {
        let valid = try note("note_go_peterneumann.txt")
        let signatureLine = valid.split(separator: "\n").last.map(String.init)!
        let base64 = String(signatureLine.split(separator: " ").last!)
        let cases: [(String, [UInt8])] = [
            ("no blank line", Array("text\n\(signatureLine)\n".utf8)),
            ("no final newline", Array(valid.dropLast().utf8)),
            ("no signature lines", Array("text\n\n".utf8)),
            ("hyphen instead of em dash", Array(valid.replacingOccurrences(of: "\u{2014} ", with: "- ").utf8)),
            ("no space after name", Array("text\n\n\u{2014} PeterNeumann\n".utf8)),
            ("plus in name", Array("text\n\n\u{2014} Peter+Neumann \(base64)\n".utf8)),
            ("empty name", Array("text\n\n\u{2014}  \(base64)\n".utf8)),
            ("empty signature", Array("text\n\n\u{2014} PeterNeumann \n".utf8)),
            ("not base64", Array("text\n\n\u{2014} PeterNeumann !!!!\n".utf8)),
            ("four bytes only", Array("text\n\n\u{2014} PeterNeumann AAAAAA==\n".utf8)),
            ("non-canonical padding bits", Array("text\n\n\u{2014} PeterNeumann AAAAAAB=\n".utf8)),
            ("unpadded base64", Array("text\n\n\u{2014} PeterNeumann \(base64.replacingOccurrences(of: "=", with: ""))\n".utf8)),
            ("tab in text", Array(valid.replacingOccurrences(of: "you think", with: "you\tthink").utf8)),
            ("carriage returns", Array(valid.replacingOccurrences(of: "\n", with: "\r\n").utf8)),
            ("invalid UTF-8", Array("text \u{E8}\n\n".utf8).dropLast(3) + [0xFF, 0x0A, 0x0A] + Array("\(signatureLine)\n".utf8)),
            ("101 signatures", Array(("text\n\n" + String(repeating: "\(signatureLine)\n", count: 101)).utf8)),
        ]
        for (name, bytes) in cases {
            assertCode(.invalidInput, try SignedNote(parsing: bytes), name)
        }
        XCTAssertEqual(try SignedNote(parsing: "text\n\n" + String(repeating: "\(signatureLine)\n", count: 100)).signatures.count, 100)
        // Only the last blank line separates: a signature line above it is text.
        let signatureInText = try SignedNote(parsing: "text\n\n\(signatureLine)\n\n\(signatureLine)\n")
        XCTAssertEqual(signatureInText.text, "text\n\n\(signatureLine)\n")
        XCTAssertEqual(signatureInText.signatures.count, 1)
    }

    func testNoteTextRules() throws {
        let signer = try NoteSigner.generate(name: "log.example")
        assertCode(.invalidInput, try signer.sign(text: "no newline"), "no final newline")
        assertCode(.invalidInput, try signer.sign(text: ""), "empty text")
        assertCode(.invalidInput, try signer.sign(text: "bell \u{7}\n"), "control character")
        let signed = try SignedNote(text: "first\n\nthird\n", signatures: [signer.sign(text: "first\n\nthird\n")])
        let reparsed = try SignedNote(parsing: signed.formatted)
        XCTAssertEqual(reparsed, signed)
        XCTAssertEqual(try reparsed.verify(with: [signer.verifierKey]).count, 1)
    }

    // MARK: - Keys

    func testVerifierKeysRoundTrip() throws {
        for file in ["note_c2sp_example.vkey", "note_go_peterneumann.vkey", "note_go_enochroot.vkey",
                     "checkpoints_sum_golang_org/sum.golang.org.vkey"] {
            let text = try TransparencyFixtures.text(file).trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertEqual(try NoteVerifierKey(text).encoded, text, file)
        }
    }

    func testMalformedVerifierKeysAreRejected() throws {
        let valid = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        XCTAssertEqual(try NoteVerifierKey(valid).keyID, 0xC74F_20A3)
        XCTAssertEqual(try NoteVerifierKey("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").keyID, 0xC74F_20A3,
                       "uppercase hex key ID")
        let cases: [(String, String)] = [
            ("wrong key ID", "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
            ("other name", "PeterNeumanN+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
            ("seven hex digits", "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
            ("non-hex key ID", "PeterNeumann+c74f20ag+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
            ("two parts", "PeterNeumann+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
            ("empty name", "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
            ("signature type 0x02", "PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
            ("short key", "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10Q="),
            ("not base64", "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T*"),
            ("space in name", "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        ]
        for (name, text) in cases {
            assertCode(.invalidInput, try NoteVerifierKey(text), name)
        }
    }

    func testMalformedSignerKeysAreRejectedWithoutQuotingThem() throws {
        let valid = try TransparencyFixtures.text("note_go_peterneumann.skey").trimmingCharacters(in: .whitespacesAndNewlines)
        let secret = String(valid.split(separator: "+").last!)
        let cases: [(String, String)] = [
            ("wrong key ID", valid.replacingOccurrences(of: "c74f20a3", with: "c74f20a4")),
            ("missing PRIVATE+KEY", String(valid.dropFirst("PRIVATE+KEY+".count))),
            ("public key form", "PUBLIC+KEY+" + valid.dropFirst("PRIVATE+KEY+".count)),
            ("short seed", valid.replacingOccurrences(of: secret, with: String(secret.dropLast(4)) + "AAA=")),
        ]
        for (name, text) in cases {
            XCTAssertThrowsError(try NoteSigner(signerKey: text), name) { error in
                XCTAssertEqual((error as? LedgerError)?.code, .invalidInput, name)
                XCTAssertFalse("\(error)".contains(secret.prefix(12)), "\(name): the message quotes the key")
            }
        }
    }

    func testGeneratedSignerSignsAndVerifies() throws {
        let signer = try NoteSigner.generate(name: "keyledger.example/log")
        let note = try SignedNote(text: "hello\n", signatures: [signer.sign(text: "hello\n")])
        let reloaded = try NoteVerifierKey(signer.verifierKey.encoded)
        XCTAssertEqual(try SignedNote(parsing: note.formatted).verify(with: [reloaded]).count, 1)
        XCTAssertFalse(signer.description.contains("PRIVATE"))
    }

    func testEmptyNoteSaysItIsEmpty() throws {
        for text in ["", "\n", "  \n\n"] {
            XCTAssertThrowsError(try SignedNote(parsing: Array(text.utf8)), "\(Array(text.utf8))") { error in
                XCTAssertTrue("\(error)".contains("is empty"), "\(error)")
            }
        }
    }
}
