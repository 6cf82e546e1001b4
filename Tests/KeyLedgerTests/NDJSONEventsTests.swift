import JOSE
@testable import KeyLedger
import XCTest

/// `NDJSONEvents.parse` over inputs large enough to be parsed on several
/// threads, and the actor checks that every parsed line goes through.
final class NDJSONEventsTests: XCTestCase {
    private func line(_ number: Int) -> String {
        #"{"kind":"x-test","actor":"bot-\#(number)","body":{"n":\#(number)}}"#
    }

    private func parseError(_ text: String, defaultActor: String? = nil) -> LedgerError? {
        do {
            _ = try NDJSONEvents.parse(Array(text.utf8), defaultActor: defaultActor)
            return nil
        } catch {
            return error as? LedgerError
        }
    }

    func testManyLinesKeepOrder() throws {
        let text = (1...2_000).map(line).joined(separator: "\n") + "\n"
        let events = try NDJSONEvents.parse(Array(text.utf8), defaultActor: nil)
        XCTAssertEqual(events.count, 2_000)
        XCTAssertEqual(events.map(\.actor), (1...2_000).map { "bot-\($0)" })
        XCTAssertEqual(events.last?.body["n"], .number(2_000))
    }

    func testFirstBadLineReported() {
        var lines = (1...2_000).map(line)
        lines[1_799] = #"{"kind":"x-test","actor":"bot","extra":1}"#
        lines[699] = #"{"kind":"x-test","actor":" bot"}"#
        let error = parseError(lines.joined(separator: "\n"))
        XCTAssertEqual(error?.code, .invalidActor)
        XCTAssertEqual(error?.message.hasPrefix("line 700: "), true, error?.message ?? "no error")
    }

    func testLineNumbersCountBlankLines() {
        let text = line(1) + "\r\n\r\n   \n\t\n" + #"{"kind":"note","actor":"bot","body":[]}"# + "\r\n"
        let error = parseError(text)
        XCTAssertEqual(error?.code, .invalidBody)
        XCTAssertEqual(error?.message, #"line 5: "body" must be a JSON object"#)
    }

    func testCarriageReturnsAndBlankLinesSkipped() throws {
        let text = "\n" + line(1) + "\r\n \t\n" + line(2)
        let events = try NDJSONEvents.parse(Array(text.utf8), defaultActor: nil)
        XCTAssertEqual(events.map(\.actor), ["bot-1", "bot-2"])
    }

    func testSmallestUnknownMemberNamed() {
        let error = parseError(#"{"kind":"note","zeta":1,"actor":"bot","alpha":2}"#)
        XCTAssertEqual(error?.message, #"line 1: unknown member "alpha": a line has only "kind", "actor" and "body""#)
    }

    func testActorChecks() {
        let longest = String(repeating: "a", count: Event.maximumActorLength)
        let cases: [(actor: String, accepted: Bool)] = [
            ("a", true),
            ("alice@example.com", true),
            ("a b", true),
            ("~!#$%&'()*+,-./:;<=>?@[]^_`{|}", true),
            (longest, true),
            (longest + "a", false),
            ("", false),
            (" ", false),
            (" alice", false),
            ("alice ", false),
            ("alice\t", false),
            ("al\tice", false),
            ("al\u{7F}ice", false),
            ("al\u{200B}ice", false),
            ("álice", true),
            ("\u{00A0}alice", false),
            (String(repeating: "é", count: Event.maximumActorLength), true),
            (String(repeating: "é", count: Event.maximumActorLength + 1), false),
        ]
        for (actor, accepted) in cases {
            let result = Result { try Event(kind: .note, actor: actor) }
            switch result {
            case .success:
                XCTAssertTrue(accepted, "accepted \(actor.debugDescription)")
            case .failure(let error):
                XCTAssertFalse(accepted, "rejected \(actor.debugDescription): \(error)")
                XCTAssertEqual((error as? LedgerError)?.code, .invalidActor, actor.debugDescription)
            }
        }
    }
}
