// SPDX-License-Identifier: Apache-2.0
// The package's JSON types (StrictJSON), so that `import AuthCore` is enough to read claims, headers and JWKs.
@_exported public import struct StrictJSON.JSONObject
@_exported public import enum StrictJSON.JSONParsingError
@_exported public import enum StrictJSON.JSONValue
