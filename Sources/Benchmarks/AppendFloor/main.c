// keyledger-append-floor: one durable, signed and chained append, written
// in C with only the calls it needs into the libraries that keyledger
// links. bench/run times it beside `keyledger append` and `jose jws sig`,
// so the report shows how much of an append process is the work itself
// and how much is keyledger.
//
// Usage: keyledger-append-floor DATABASE KEY_PEM PAYLOAD_FILE
//
// DATABASE must hold, in WAL mode, the table
//   floor(id INTEGER PRIMARY KEY, payload BLOB, hash BLOB, signature BLOB)
// with at least one row. One run reads the RSA private key from KEY_PEM, reads
// the newest row's hash, computes SHA-256 over that hash and the payload,
// signs the new hash with RS256 (RSASSA-PKCS1-v1_5 with SHA-256), and
// inserts one row in an immediate transaction with synchronous=FULL. Closing
// the last connection checkpoints the WAL into the database file, as
// keyledger's does. Exit status: 0 success, 1 failure (reason on standard error).

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { payload_capacity = 1 << 16, hash_bytes = 32 };

static int fail(const char *step, const char *detail) {
    fprintf(stderr, "keyledger-append-floor: %s failed%s%s\n", step, detail ? ": " : "", detail ? detail : "");
    return 1;
}

static EVP_PKEY *read_private_key(const char *path) {
    FILE *file = fopen(path, "r");
    if (!file) return NULL;
    EVP_PKEY *key = PEM_read_PrivateKey(file, NULL, NULL, NULL);
    fclose(file);
    return key;
}

static size_t read_payload(const char *path, unsigned char *buffer) {
    FILE *file = fopen(path, "rb");
    if (!file) return 0;
    size_t length = fread(buffer, 1, payload_capacity, file);
    fclose(file);
    return length;
}

// Signs `hash` with RS256 into `signature`; returns its length, 0 on failure.
static size_t sign_rs256(EVP_PKEY *key, const unsigned char *hash, unsigned char *signature, size_t capacity) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    size_t length = capacity;
    int ok = context && EVP_DigestSignInit(context, NULL, EVP_sha256(), NULL, key) == 1
        && EVP_DigestSign(context, signature, &length, hash, hash_bytes) == 1;
    EVP_MD_CTX_free(context);
    return ok ? length : 0;
}

// Appends one row in its own transaction; returns a failure message or NULL.
static const char *append_row(sqlite3 *db, EVP_PKEY *key, const unsigned char *payload, size_t payload_length) {
    if (sqlite3_exec(db, "PRAGMA synchronous=FULL; BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) return "BEGIN IMMEDIATE";

    sqlite3_stmt *statement = NULL;
    unsigned char input[hash_bytes + payload_capacity];
    if (sqlite3_prepare_v2(db, "SELECT hash FROM floor ORDER BY id DESC LIMIT 1", -1, &statement, NULL) != SQLITE_OK
        || sqlite3_step(statement) != SQLITE_ROW || sqlite3_column_bytes(statement, 0) != hash_bytes) {
        sqlite3_finalize(statement);
        return "reading the newest row's hash";
    }
    memcpy(input, sqlite3_column_blob(statement, 0), hash_bytes);
    sqlite3_finalize(statement);
    memcpy(input + hash_bytes, payload, payload_length);

    unsigned char hash[hash_bytes];
    unsigned char signature[1024];
    if (EVP_Digest(input, hash_bytes + payload_length, hash, NULL, EVP_sha256(), NULL) != 1) return "SHA-256";
    size_t signature_length = sign_rs256(key, hash, signature, sizeof signature);
    if (signature_length == 0) return "RS256 signing";

    if (sqlite3_prepare_v2(db, "INSERT INTO floor(payload, hash, signature) VALUES (?, ?, ?)", -1, &statement, NULL) != SQLITE_OK)
        return "preparing the insert";
    sqlite3_bind_blob(statement, 1, payload, (int)payload_length, SQLITE_STATIC);
    sqlite3_bind_blob(statement, 2, hash, hash_bytes, SQLITE_STATIC);
    sqlite3_bind_blob(statement, 3, signature, (int)signature_length, SQLITE_STATIC);
    int step = sqlite3_step(statement);
    sqlite3_finalize(statement);
    if (step != SQLITE_DONE) return "the insert";
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) return "COMMIT";
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: keyledger-append-floor DATABASE KEY_PEM PAYLOAD_FILE\n");
        return 2;
    }
    static unsigned char payload[payload_capacity];
    size_t payload_length = read_payload(argv[3], payload);
    if (payload_length == 0) return fail("reading the payload", argv[3]);
    EVP_PKEY *key = read_private_key(argv[2]);
    if (!key) return fail("reading the private key", argv[2]);

    sqlite3 *db = NULL;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        EVP_PKEY_free(key);
        return fail("opening the database", argv[1]);
    }
    sqlite3_busy_timeout(db, 5000);
    const char *failure = append_row(db, key, payload, payload_length);
    if (failure) fail(failure, sqlite3_errmsg(db));
    int closed = sqlite3_close(db);
    if (!failure && closed != SQLITE_OK) fail("closing the database", argv[1]);
    EVP_PKEY_free(key);
    return failure || closed != SQLITE_OK ? 1 : 0;
}
