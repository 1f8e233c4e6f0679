// SPDX-License-Identifier: Apache-2.0
// The slice of OpenSSL 3 libcrypto that AuthCore uses. Macros and variadic calls are wrapped in
// `static inline CLibcrypto_*` functions so that Swift can call them.
#ifndef CLIBCRYPTO_SHIM_H
#define CLIBCRYPTO_SHIM_H

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

static inline void CLibcrypto_OPENSSL_free(void *pointer) { OPENSSL_free(pointer); }

static inline int CLibcrypto_EVP_PKEY_CTX_set_rsa_padding(EVP_PKEY_CTX *ctx, int padding) {
    return EVP_PKEY_CTX_set_rsa_padding(ctx, padding);
}

static inline int CLibcrypto_EVP_PKEY_CTX_set_rsa_pss_saltlen(EVP_PKEY_CTX *ctx, int length) {
    return EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, length);
}

static inline int CLibcrypto_EVP_PKEY_CTX_set_rsa_keygen_bits(EVP_PKEY_CTX *ctx, int bits) {
    return EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits);
}

static inline int CLibcrypto_EVP_PKEY_CTX_set_ec_paramgen_curve_nid(EVP_PKEY_CTX *ctx, int nid) {
    return EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, nid);
}

static inline int CLibcrypto_RSA_PKCS1_PADDING(void) { return RSA_PKCS1_PADDING; }
static inline int CLibcrypto_RSA_PKCS1_PSS_PADDING(void) { return RSA_PKCS1_PSS_PADDING; }
static inline int CLibcrypto_RSA_PSS_SALTLEN_DIGEST(void) { return RSA_PSS_SALTLEN_DIGEST; }
static inline int CLibcrypto_RSA_PSS_SALTLEN_AUTO(void) { return RSA_PSS_SALTLEN_AUTO; }

/* EVP_PKEY_fromdata selections (composite macros do not import into Swift). */
static inline int CLibcrypto_EVP_PKEY_PUBLIC_KEY(void) { return EVP_PKEY_PUBLIC_KEY; }
static inline int CLibcrypto_EVP_PKEY_KEYPAIR(void) { return EVP_PKEY_KEYPAIR; }

/* AES-GCM control codes (aliases of other macros, which do not import into Swift). */
static inline int CLibcrypto_EVP_CTRL_GCM_SET_IVLEN(void) { return EVP_CTRL_GCM_SET_IVLEN; }
static inline int CLibcrypto_EVP_CTRL_GCM_GET_TAG(void) { return EVP_CTRL_GCM_GET_TAG; }
static inline int CLibcrypto_EVP_CTRL_GCM_SET_TAG(void) { return EVP_CTRL_GCM_SET_TAG; }

static inline long CLibcrypto_BIO_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }

/* A passphrase callback that always refuses, so that an encrypted PEM fails instead of prompting on a terminal. */
static inline int CLibcrypto_refuse_passphrase(char *buffer, int size, int rwflag, void *userdata) {
    (void)buffer; (void)size; (void)rwflag; (void)userdata;
    return -1;
}
static inline pem_password_cb *CLibcrypto_refusing_passphrase_callback(void) { return CLibcrypto_refuse_passphrase; }

/* OSSL_PARAM names are kept by pointer inside OSSL_PARAM_BLD and OSSL_PARAM arrays, so they must be static strings. */
static inline const char *CLibcrypto_PARAM_RSA_N(void) { return OSSL_PKEY_PARAM_RSA_N; }
static inline const char *CLibcrypto_PARAM_RSA_E(void) { return OSSL_PKEY_PARAM_RSA_E; }
static inline const char *CLibcrypto_PARAM_RSA_D(void) { return OSSL_PKEY_PARAM_RSA_D; }
static inline const char *CLibcrypto_PARAM_RSA_FACTOR1(void) { return OSSL_PKEY_PARAM_RSA_FACTOR1; }
static inline const char *CLibcrypto_PARAM_RSA_FACTOR2(void) { return OSSL_PKEY_PARAM_RSA_FACTOR2; }
static inline const char *CLibcrypto_PARAM_RSA_EXPONENT1(void) { return OSSL_PKEY_PARAM_RSA_EXPONENT1; }
static inline const char *CLibcrypto_PARAM_RSA_EXPONENT2(void) { return OSSL_PKEY_PARAM_RSA_EXPONENT2; }
static inline const char *CLibcrypto_PARAM_RSA_COEFFICIENT1(void) { return OSSL_PKEY_PARAM_RSA_COEFFICIENT1; }
static inline const char *CLibcrypto_PARAM_GROUP_NAME(void) { return OSSL_PKEY_PARAM_GROUP_NAME; }
static inline const char *CLibcrypto_PARAM_PUB_KEY(void) { return OSSL_PKEY_PARAM_PUB_KEY; }
static inline const char *CLibcrypto_PARAM_PRIV_KEY(void) { return OSSL_PKEY_PARAM_PRIV_KEY; }
static inline const char *CLibcrypto_PARAM_EC_PUB_X(void) { return OSSL_PKEY_PARAM_EC_PUB_X; }
static inline const char *CLibcrypto_PARAM_EC_PUB_Y(void) { return OSSL_PKEY_PARAM_EC_PUB_Y; }

/* A pre-keyed HMAC context for `digest` ("SHA256", ...), or NULL. */
static inline EVP_MAC_CTX *CLibcrypto_HMAC_CTX_new_keyed(const char *digest, const unsigned char *key, size_t length) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac); /* the context keeps its own reference */
    if (ctx == NULL) return NULL;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_init(ctx, key, length, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

#endif
