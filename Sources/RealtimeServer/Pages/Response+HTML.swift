// SPDX-License-Identifier: Apache-2.0
internal import HTTPTypes
internal import Hummingbird
internal import NIOCore

extension Response {
    /// An HTML page; `Cache-Control: no-store`, since pages show usernames and carry CSRF tokens.
    static func html(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        let buffer = ByteBuffer(string: text)
        fields[.contentType] = "text/html; charset=utf-8"
        fields[.contentLength] = String(buffer.readableBytes)
        if fields[.cacheControl] == nil { fields[.cacheControl] = "no-store" }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: buffer))
    }

    /// `303 See Other` to `location` (post/redirect/get).
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}
