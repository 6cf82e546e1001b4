import Foundation

/// Returns an error for a write that SQLite rejected as read-only because the
/// ledger's `-wal` or `-shm` file belongs to a user this process cannot write
/// for, or nil when neither file is the cause.
///
/// A user who may read the ledger but not write it, and who may write its
/// directory, leaves both files behind owned by that user. SQLite then opens
/// them read-only for every later connection, so the owner's appends fail
/// until the files are removed. `access(2)` grants root write access to any
/// file, so for root this returns nil.
func unwritableWALFilesError(ledgerPath path: String) -> LedgerError? {
    let files = [path + "-wal", path + "-shm"]
    let blocking = files.filter { access($0, F_OK) == 0 && access($0, W_OK) != 0 }
    guard !blocking.isEmpty else { return nil }
    let owners = Set(blocking.map(ownerDescription(of:))).sorted().joined(separator: " and ")
    let blockingNames = blocking.map { quoted($0) }.joined(separator: " and ")
    let allNames = files.map { quoted($0) }.joined(separator: " and ")
    return LedgerError(.storage,
        "cannot write the ledger \(quoted(path)): \(blockingNames) \(blocking.count == 1 ? "is" : "are") owned by \(owners), and this user may not write \(blocking.count == 1 ? "it" : "them"). "
        + "SQLite leaves these files behind when a user who may not write the ledger reads it in a writable directory. "
        + "Remove \(allNames) when no process has the ledger open, then retry. "
        + "To keep it from happening again, give other users a copy of the ledger to read, or make its directory writable only by the ledger's owner.")
}

/// Returns "NAME (uid N)" for the owner of `file`, or "uid N" when the user has no name.
private func ownerDescription(of file: String) -> String {
    var information = stat()
    guard stat(file, &information) == 0 else { return "an unknown user" }
    let uid = information.st_uid
    if let entry = getpwuid(uid), let name = entry.pointee.pw_name {
        return "\(String(cString: name)) (uid \(uid))"
    }
    return "uid \(uid)"
}
