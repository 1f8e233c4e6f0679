// SPDX-License-Identifier: Apache-2.0
// The package's JSON types (StrictJSON), so that `import RealtimeServer` is enough to emit events and read their
// arguments (`socket.emit("notice", [["message": "hello"]])`).
@_exported public import struct StrictJSON.JSONObject
@_exported public import enum StrictJSON.JSONParsingError
@_exported public import enum StrictJSON.JSONValue
