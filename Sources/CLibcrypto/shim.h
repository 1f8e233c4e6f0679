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

#endif
