// SPDX-License-Identifier: Apache-2.0
// libxcrypt's crypt_r, the C bcrypt that FuzzBcryptVerify checks AuthCore's stored-hash parsing against.
#ifndef CLIBXCRYPT_SHIM_H
#define CLIBXCRYPT_SHIM_H
#include <crypt.h>
#endif
