// SPDX-License-Identifier: Apache-2.0
// The slice of OpenSSL 3 libcrypto that authd-bench uses on its own: the raw HMAC, digest-verify and SHA-1 baselines.
// It stands apart from the root package's CLibcrypto, which is AuthCore's internal module and no product.
#ifndef CBENCHLIBCRYPTO_SHIM_H
#define CBENCHLIBCRYPTO_SHIM_H

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>

static inline void CBenchLibcrypto_OPENSSL_free(void *pointer) { OPENSSL_free(pointer); }

#endif
