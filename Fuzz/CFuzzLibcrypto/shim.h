// SPDX-License-Identifier: Apache-2.0
// The slice of OpenSSL 3 libcrypto that FuzzJWTVerify uses on its own (EVP_Q_mac, to sign seed tokens), apart from
// the root package's CLibcrypto, which is AuthCore's internal module and no product.
#ifndef CFUZZLIBCRYPTO_SHIM_H
#define CFUZZLIBCRYPTO_SHIM_H
#include <openssl/evp.h>
#endif
