import Foundation
import OpenSSLBridge

/// Reading and writing private key files the way ssh treats them: a key file
/// that grants group or others any permission is rejected, and new key files are created
/// with mode 0600 and never overwrite an existing file.
public enum KeyFile {
    /// The environment variable that supplies the passphrase of an encrypted PKCS#8 key file.
    public static let passphraseVariable = "KEYLEDGER_KEY_PASSPHRASE"

    /// Loads a private key from a PEM file (PKCS#8, encrypted PKCS#8, or a traditional RSA or EC key).
    ///
    /// - Parameter passphrase: the passphrase for an encrypted key; when nil,
    ///   `KEYLEDGER_KEY_PASSPHRASE` from the environment is used if set.
    /// - Throws: `LedgerError` with `.insecureKeyFile` when the file's mode
    ///   (the target's, for a symbolic link) grants any permission to group or
    ///   others, `.passphraseRequired` or
    ///   `.wrongPassphrase` for encrypted keys, `.unreadableKey` otherwise,
    ///   also for a file with more than one PEM private key block.
    public static func loadPrivateKey(path: String, passphrase: String? = nil,
                                      environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PrivateKey {
        // The mode that matters is the key's own, so a symbolic link (as in a Kubernetes
        // secret volume) is followed: the link itself always has mode 777 on Linux.
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        // lstat, not FileManager.attributesOfItem, which also looks up the
        // owner's user and group names through NSS on every call.
        var information = stat()
        guard lstat(target, &information) == 0 else {
            throw LedgerError(.unreadableKey, "cannot read the key file \(quoted(path)): it does not exist or is not accessible")
        }
        switch information.st_mode & S_IFMT {
        case S_IFREG:
            break
        case S_IFLNK:
            throw LedgerError(.unreadableKey, "cannot read the key file \(quoted(path)): it is a symbolic link to a file that does not exist")
        default:
            throw LedgerError(.unreadableKey, "the key file \(quoted(path)) is not a regular file: give the path of a PEM private key file")
        }
        let mode = Int(information.st_mode & 0o7777)
        if mode & 0o077 != 0 {
            throw LedgerError(.insecureKeyFile, insecureModeMessage(path: path, mode: mode))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LedgerError(.unreadableKey,
                "cannot read the key file \(quoted(path)): \(readFailureReason(path)): run as the user who owns the key, or give this user a copy with mode 0600")
        }
        guard let pem = String(data: data, encoding: .utf8) else {
            throw LedgerError(.unreadableKey, "the key file \(quoted(path)) is not a PEM text file")
        }
        // OpenSSL reads the first private key and ignores the rest, so with two
        // the key used would depend on their order in the file.
        let privateKeyBlocks = pem.split(whereSeparator: \.isNewline).filter { line in
            line.hasPrefix("-----BEGIN ") && line.trimmingCharacters(in: .whitespaces).hasSuffix("PRIVATE KEY-----")
        }
        if privateKeyBlocks.count > 1 {
            throw LedgerError(.unreadableKey,
                "the key file \(quoted(path)) contains \(privateKeyBlocks.count) PEM private key blocks: keyledger reads exactly one key from a key file, so put each key in its own file and give the path of the one you mean")
        }
        let secret = passphrase ?? environment[passphraseVariable]
        do {
            return try PrivateKey(pem: pem, passphrase: secret)
        } catch let error as CryptoError {
            throw translate(error, path: path, passphraseIsEmpty: secret?.isEmpty == true)
        }
    }

    /// Writes `key` as PKCS#8 PEM to a new file with mode 0600.
    ///
    /// - Throws: `LedgerError` with `.invalidInput` when the file already exists;
    ///   an existing key is never overwritten.
    public static func writePrivateKey(_ key: PrivateKey, to path: String, passphrase: String? = nil) throws {
        let pem: String
        do {
            pem = try key.pkcs8PEM(passphrase: passphrase)
        } catch {
            throw LedgerError(.unreadableKey, "cannot encode the private key as PKCS#8: \(error)")
        }
        try SecureFile.createExclusively(path: path, contents: Array(pem.utf8), mode: 0o600)
    }

    static func translate(_ error: CryptoError, path: String, passphraseIsEmpty: Bool) -> LedgerError {
        switch error.code {
        case .passphraseRequired:
            return LedgerError(.passphraseRequired,
                "the key file \(quoted(path)) is encrypted: set \(passphraseVariable) to its passphrase")
        case .wrongPassphrase where passphraseIsEmpty:
            return LedgerError(.wrongPassphrase,
                "cannot decrypt the key file \(quoted(path)): \(passphraseVariable) is set but empty, so set it to the key file's passphrase")
        case .wrongPassphrase:
            return LedgerError(.wrongPassphrase,
                "cannot decrypt the key file \(quoted(path)): the passphrase in \(passphraseVariable) is wrong")
        default:
            return LedgerError(.unreadableKey,
                "the key file \(quoted(path)) does not contain a usable private key (\(error.reason)): give a PKCS#8 PEM file")
        }
    }

    /// Builds the error message for a key file whose mode grants group or
    /// others a permission, naming what they may do with it.
    /// - Parameter quotePath: whether the message shows the path in quotes;
    ///   the `chmod` command always shows it as given.
    public static func insecureModeMessage(path: String, mode: Int, quotePath: Bool = true) -> String {
        let access: String
        switch (mode & 0o044 != 0, mode & 0o022 != 0) {
        case (true, true): access = "read and change it"
        case (true, false): access = "read it"
        case (false, true): access = "change it"
        case (false, false): access = "execute it"
        }
        return "the key file \(quotePath ? quoted(path) : path) has mode \(String(mode, radix: 8)), which lets group or others \(access): run `chmod 600 \(path)`"
    }

    /// Returns why opening `path` for reading fails, such as "permission denied", from `errno`,
    /// for messages about a file that could not be read.
    public static func readFailureReason(_ path: String) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor < 0 else {
            close(descriptor)
            return "reading it failed"
        }
        return String(cString: strerror(errno)).lowercased()
    }
}
