# SPDX-License-Identifier: Apache-2.0
"""Differential oracle for AuthCore's JWT: PyJWT (with pyca/cryptography) verifies tokens signed by Swift and signs
tokens for Swift to verify.

Reads one JSON document on stdin: {"operations": [...]}, each operation one of
  {"op": "verify", "alg": A, "token": T, "key": K, "audience": str, "issuer": str}
      -> {"ok": true, "claims": "<payload as JSON text>"} or {"ok": false, "error": "<exception class: message>"}
  {"op": "sign", "alg": A, "key": K, "claims": "<JSON text>", "kid": str or null}
      -> {"ok": true, "token": T}
where the key K is {"secret": hex} (HMAC), {"pem": text} (PKCS#8 private or SPKI public) or {"jwk": "<JWK JSON text>"}.
Writes {"results": [...]} in the same order on stdout.

PyJWT is asked for exactly one algorithm per call (never a list that mixes HMAC and asymmetric algorithms), and
"exp" is required, so that it behaves like the Swift verifier's configuration in the tests.
"""
import json
import sys
import warnings

import jwt

warnings.simplefilter("ignore")  # PyJWT warns about key lengths; the Swift side enforces its own minimums.


def load_key(key, alg):
    if key.get("secret") is not None:
        return bytes.fromhex(key["secret"])
    if key.get("pem") is not None:
        return key["pem"]
    if key.get("jwk") is not None:
        return jwt.PyJWK(json.loads(key["jwk"]), algorithm=alg).key
    raise ValueError("no key")


def run(operation):
    alg = operation["alg"]
    key = load_key(operation["key"], alg)
    if operation["op"] == "verify":
        try:
            claims = jwt.decode(
                operation["token"],
                key,
                algorithms=[alg],
                audience=operation.get("audience"),
                issuer=operation.get("issuer"),
                options={"require": ["exp"]},
                leeway=0,
            )
        except jwt.PyJWTError as error:
            return {"ok": False, "error": f"{type(error).__name__}: {error}"}
        return {"ok": True, "claims": json.dumps(claims, ensure_ascii=False)}
    if operation["op"] == "sign":
        headers = {"kid": operation["kid"]} if operation.get("kid") else None
        token = jwt.encode(json.loads(operation["claims"]), key, algorithm=alg, headers=headers)
        return {"ok": True, "token": token}
    raise ValueError(f"unknown op {operation['op']}")


def main():
    request = json.load(sys.stdin)
    json.dump({"results": [run(operation) for operation in request["operations"]]}, sys.stdout)


if __name__ == "__main__":
    main()
