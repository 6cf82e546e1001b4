// keyledger-fetch: performs one HTTP GET for keyledger and prints the
// outcome as one JSON object (FetchHelperMessage in the KeyLedger module).
//
// keyledger runs this program instead of fetching itself, so the HTTP and
// TLS libraries that Foundation's networking loads stay out of the process
// that holds a private signing key, and out of every command that does not
// fetch.
import Foundation
import KeyLedger

let usage = """
    usage: keyledger-fetch --timeout SECONDS --max-bytes N URL

    Fetches URL (http or https) for keyledger and prints one JSON object:
    {"status":…,"url":…,"body":BASE64URL} for a response from 200 to 299,
    or {"error":CODE,"message":…} when the fetch failed. keyledger runs this
    program to check JWKS endpoints; it is not meant to be run by hand.

    Exit status: 0 when a JSON object was printed, 2 for a usage error.
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("keyledger-fetch: \(message)\n\n\(usage)\n".utf8))
    exit(2)
}

var timeout: TimeInterval?
var maximumBytes: Int?
var target: URL?
var remaining = CommandLine.arguments.dropFirst()
while let argument = remaining.popFirst() {
    switch argument {
    case "-h", "--help":
        print(usage)
        exit(0)
    case "--version":
        print("keyledger-fetch \(KeyLedgerVersion.current)")
        exit(0)
    case "--timeout":
        guard let value = remaining.popFirst(), let seconds = TimeInterval(value), seconds.isFinite, seconds > 0 else {
            fail("--timeout needs a positive number of seconds")
        }
        timeout = seconds
    case "--max-bytes":
        guard let value = remaining.popFirst(), let bytes = Int(value), bytes > 0 else {
            fail("--max-bytes needs a positive whole number")
        }
        maximumBytes = bytes
    default:
        guard target == nil, !argument.hasPrefix("-"), let url = URL(string: argument) else {
            fail("unexpected argument \"\(argument)\"")
        }
        target = url
    }
}
guard let timeout, let maximumBytes, let target else {
    fail("--timeout, --max-bytes and a URL are all required")
}

let printed: String
do {
    let download = try URLSessionJWKSTransport().download(target, timeout: timeout, maximumBytes: maximumBytes)
    printed = try FetchHelperMessage.encode(download)
} catch let error as LedgerError {
    printed = try FetchHelperMessage.encode(error)
} catch {
    printed = try FetchHelperMessage.encode(JWKSFetcher.failed(target, detail: "\(error)"))
}
print(printed)
