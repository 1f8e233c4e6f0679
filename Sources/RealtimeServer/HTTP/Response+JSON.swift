// SPDX-License-Identifier: Apache-2.0
public import AuthCore
public import HTTPTypes
public import Hummingbird
internal import NIOCore

extension Response {
    /// A JSON response; `Cache-Control: no-store` unless `headers` says otherwise, since API answers carry
    /// tokens and personal data (RFC 6749 section 5.1).
    public static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let bytes = value.serializedBytes()
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.contentLength] = String(bytes.count)
        if fields[.cacheControl] == nil { fields[.cacheControl] = "no-store" }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// An empty response, such as 204.
    static func empty(_ status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.cacheControl: "no-store"])
    }
}
