# SPDX-License-Identifier: Apache-2.0
"""Differential oracle for AuthCore's AESGCM: pyca/cryptography opens boxes sealed by Swift and seals boxes for
Swift to open, in the same layout (nonce of 12 bytes, ciphertext, tag of 16 bytes).

Reads {"operations": [...]} on stdin, each one of
  {"op": "open", "key": hex, "box": hex, "aad": hex} -> {"ok": true, "plaintext": hex} or {"ok": false}
  {"op": "seal", "key": hex, "plaintext": hex, "aad": hex} -> {"ok": true, "box": hex}
and writes {"results": [...]} in the same order on stdout.
"""
import json
import os
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def run(operation):
    cipher = AESGCM(bytes.fromhex(operation["key"]))
    aad = bytes.fromhex(operation["aad"]) or None
    if operation["op"] == "open":
        box = bytes.fromhex(operation["box"])
        try:
            plaintext = cipher.decrypt(box[:12], box[12:], aad)
        except InvalidTag:
            return {"ok": False}
        return {"ok": True, "plaintext": plaintext.hex()}
    nonce = os.urandom(12)
    return {"ok": True, "box": (nonce + cipher.encrypt(nonce, bytes.fromhex(operation["plaintext"]), aad)).hex()}


request = json.load(sys.stdin)
json.dump({"results": [run(operation) for operation in request["operations"]]}, sys.stdout)
