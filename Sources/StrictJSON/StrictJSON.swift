// SPDX-License-Identifier: Apache-2.0

// StrictJSON: the package's one JSON value type (``JSONValue``, objects in insertion order as ``JSONObject``), its one
// strict RFC 8259 parser (depth limit, duplicate-key policy, typed ``JSONParsingError``s) and its one serializer.
// It imports nothing but the standard library, so that both pure layers can depend on it: AuthCore (JWT headers,
// claims, JWKs) and WireProtocol (Engine.IO and Socket.IO payloads; binary attachments stay there, as Socket.IO
// placeholders beside an attachments array).
//
// Users do not import it: AuthCore and WireProtocol re-export its public types (`Exports.swift`, the way Hummingbird
// re-exports `HTTPTypes` and `NIOCore` types), so `import AuthCore` or `import WireProtocol` brings ``JSONValue``, and a
// module importing both sees the same type once.
//
// The parser (`JSONParser`) is `package` and `@inlinable`, so that AuthCore's streaming claim reader and
// WireProtocol's packet decoder get it specialised and inlined as if it were their own.
