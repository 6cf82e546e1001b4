// keyledger-fetch: performs one HTTP GET for keyledger. It reads the request
// from standard input and prints the outcome as one JSON object
// (FetchHelperMessage in the KeyLedger module describes both).
//
// keyledger runs this program instead of fetching itself, so the HTTP and
// TLS libraries that Foundation's networking loads stay out of the process
// that has a private signing key, and out of every command that does not
// fetch.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import KeyLedger

let usage = """
    usage: keyledger-fetch < REQUEST

    Performs one HTTP or HTTPS GET for keyledger. Reads one JSON object from
    standard input:
      {"url":"https://…","timeout_seconds":10,"max_bytes":1048576,"parent_pid":PID}
    and prints one JSON object: {"status":…,"url":…,"body":BASE64URL} for a
    response from 200 to 299, or {"error":CODE,"message":…} when the fetch
    failed. keyledger runs this program for `jwks check --url`,
    `token verify --jwks-url` and the demo; install it in the same directory
    as keyledger. It is not meant to be run by hand.

    Exit status: 0 when a JSON object was printed, 2 for a request that
    cannot be used.
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("keyledger-fetch: \(message)\n\n\(usage)\n".utf8))
    exit(2)
}

switch CommandLine.arguments.dropFirst().first {
case "-h", "--help":
    print(usage)
    exit(0)
case "--version":
    print("keyledger-fetch \(KeyLedgerVersion.current)")
    exit(0)
case let argument?:
    fail("unexpected argument \"\(argument)\": the request comes on standard input")
case nil:
    break
}

// A request is a few hundred bytes; read a little more to detect one that is too long.
let requestLimit = 64 * 1024
let input = (try? FileHandle.standardInput.read(upToCount: requestLimit + 1)) ?? Data()
guard input.count <= requestLimit else {
    fail("the request on standard input is longer than \(requestLimit) bytes")
}
let request: FetchHelperMessage.Request
do {
    request = try FetchHelperMessage.parseRequest(Array(input))
} catch {
    fail("the request on standard input cannot be used: \(error)")
}

// End soon after the process that asked, so that Ctrl-C or a killed job
// does not leave a fetch running. When that process ends, this one gets
// another parent.
func exitIfOrphaned() {
    if getppid() != request.parentProcess {
        exit(2)
    }
}
exitIfOrphaned()
let parentWatch = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
parentWatch.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100))
parentWatch.setEventHandler(handler: exitIfOrphaned)
parentWatch.resume()

let printed: String
do {
    let download = try URLSessionJWKSTransport().download(
        request.url, timeout: request.timeout, maximumBytes: request.maximumBytes
    )
    printed = try FetchHelperMessage.encode(download)
} catch let error as LedgerError {
    printed = try FetchHelperMessage.encode(error)
} catch {
    printed = try FetchHelperMessage.encode(JWKSFetcher.failed(request.url, detail: "\(error)"))
}
print(printed)
