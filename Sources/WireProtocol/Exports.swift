// SPDX-License-Identifier: Apache-2.0
// The package's JSON types (StrictJSON), so that `import WireProtocol` is enough to build and read packet payloads.
@_exported public import struct StrictJSON.JSONObject
@_exported public import enum StrictJSON.JSONParsingError
@_exported public import enum StrictJSON.JSONValue
