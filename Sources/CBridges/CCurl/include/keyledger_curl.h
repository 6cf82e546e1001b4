#ifndef KEYLEDGER_CURL_H
#define KEYLEDGER_CURL_H

/* libcurl's easy interface, loaded with dlopen on first use.
 *
 * Linking libcurl, directly or through FoundationNetworking, makes the
 * dynamic loader map it and the 28 libraries it depends on (TLS, Kerberos,
 * LDAP, SSH, IDN) at every start of every keyledger process, while only JWKS
 * fetches use it. With FoundationNetworking that cost `keyledger --version`
 * about 4 ms of CPU time (12.3 ms against 8.3 ms, both dynamically linked, on
 * the 2-core machine of docs/BENCHMARKS.md).
 * curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot
 * call, so each argument type gets a function of its own here. The option and
 * information numbers below are those of libcurl's public ABI (curl/curl.h),
 * which curl keeps stable. libcurl's headers are not needed to build. */

#include <stddef.h>
#include <stdint.h>

/* Loads libcurl and runs curl_global_init once per process. Returns NULL on
 * success, or a message naming the library that could not be loaded. Safe to
 * call from several threads. */
const char *keyledger_curl_load(void);

typedef size_t (*keyledger_curl_data_callback)(char *data, size_t size, size_t count, void *context);

/* Each of these requires a successful keyledger_curl_load first. The int
 * results are CURLcode values, 0 for success. */
void *keyledger_curl_easy_init(void);
void keyledger_curl_easy_cleanup(void *handle);
int keyledger_curl_setopt_long(void *handle, int option, long value);
int keyledger_curl_setopt_pointer(void *handle, int option, const void *value);
int keyledger_curl_setopt_callback(void *handle, int option, keyledger_curl_data_callback callback);
int keyledger_curl_easy_perform(void *handle);
int keyledger_curl_getinfo_long(void *handle, int info, long *value);
int keyledger_curl_getinfo_off_t(void *handle, int info, int64_t *value);
const char *keyledger_curl_easy_strerror(int code);
void *keyledger_curl_slist_append(void *list, const char *text);
void keyledger_curl_slist_free_all(void *list);

/* Option numbers (CURLOPT_*). */
#define KEYLEDGER_CURLOPT_WRITEDATA 10001
#define KEYLEDGER_CURLOPT_URL 10002
#define KEYLEDGER_CURLOPT_ERRORBUFFER 10010
#define KEYLEDGER_CURLOPT_WRITEFUNCTION 20011
#define KEYLEDGER_CURLOPT_USERAGENT 10018
#define KEYLEDGER_CURLOPT_HTTPHEADER 10023
#define KEYLEDGER_CURLOPT_HEADERDATA 10029
#define KEYLEDGER_CURLOPT_FOLLOWLOCATION 52
#define KEYLEDGER_CURLOPT_HEADERFUNCTION 20079
#define KEYLEDGER_CURLOPT_NOSIGNAL 99
#define KEYLEDGER_CURLOPT_ACCEPT_ENCODING 10102
#define KEYLEDGER_CURLOPT_TIMEOUT_MS 155
#define KEYLEDGER_CURLOPT_PROTOCOLS 181

/* Protocol bits for KEYLEDGER_CURLOPT_PROTOCOLS (CURLPROTO_*). */
#define KEYLEDGER_CURLPROTO_HTTP 1
#define KEYLEDGER_CURLPROTO_HTTPS 2

/* Information numbers (CURLINFO_*): a type tag in the high bits plus an index. */
#define KEYLEDGER_CURLINFO_RESPONSE_CODE 0x200002
#define KEYLEDGER_CURLINFO_CONTENT_LENGTH_DOWNLOAD_T 0x60000F

/* The size of the buffer that KEYLEDGER_CURLOPT_ERRORBUFFER takes (CURL_ERROR_SIZE). */
#define KEYLEDGER_CURL_ERROR_SIZE 256

/* Result codes (CURLcode). */
#define KEYLEDGER_CURLE_OK 0
#define KEYLEDGER_CURLE_COULDNT_RESOLVE_PROXY 5
#define KEYLEDGER_CURLE_COULDNT_RESOLVE_HOST 6
#define KEYLEDGER_CURLE_COULDNT_CONNECT 7
#define KEYLEDGER_CURLE_WRITE_ERROR 23
#define KEYLEDGER_CURLE_OPERATION_TIMEDOUT 28
#define KEYLEDGER_CURLE_SSL_CONNECT_ERROR 35
#define KEYLEDGER_CURLE_GOT_NOTHING 52
#define KEYLEDGER_CURLE_SEND_ERROR 55
#define KEYLEDGER_CURLE_RECV_ERROR 56
#define KEYLEDGER_CURLE_SSL_CERTPROBLEM 58
#define KEYLEDGER_CURLE_SSL_CIPHER 59
#define KEYLEDGER_CURLE_PEER_FAILED_VERIFICATION 60
#define KEYLEDGER_CURLE_SSL_CACERT_BADFILE 77
#define KEYLEDGER_CURLE_SSL_ISSUER_ERROR 83

#endif
