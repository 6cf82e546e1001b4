#ifndef KEYLEDGER_CLIBCRYPTO_SHIM_H
#define KEYLEDGER_CLIBCRYPTO_SHIM_H

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

/* BIO_get_mem_data is a function-like macro around BIO_ctrl, which Swift
 * cannot import. Sets *data to the BIO's buffer and returns its length. */
static inline long keyledger_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

/* EVP_PKEY_PUBLIC_KEY and EVP_PKEY_KEYPAIR are nested macro expressions,
 * which Swift does not import as constants. */
static inline int keyledger_EVP_PKEY_PUBLIC_KEY(void) {
    return EVP_PKEY_PUBLIC_KEY;
}

static inline int keyledger_EVP_PKEY_KEYPAIR(void) {
    return EVP_PKEY_KEYPAIR;
}

#endif
