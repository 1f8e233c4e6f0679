// SPDX-License-Identifier: Apache-2.0
internal import HTTPTypes
internal import Hummingbird
internal import Logging

/// Gives each request an id and logs one line per request: method, path without the query, status and latency in
/// milliseconds. A matched route logs its pattern (`/reset-password/{token}`), so a secret in a path never reaches
/// the log.
///
/// The id (``RequestIdentifier``) is the `X-Request-Id` of a trusted proxy, else a new one; it replaces Hummingbird's
/// `hb.request.id` as `request.id` in `context.logger`, is bound as the current ``LogScope`` (so the domain's lines
/// carry it too, and `user.id` once the request is authenticated), and is sent back as `X-Request-Id`.
///
/// Bodies, queries and headers are never logged, so tokens and passwords cannot reach the log. Put it first,
/// outside ``APIErrorMiddleware``, so it sees the final status.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let trustedProxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var context = context
        let method = request.method.rawValue
        let path = request.uri.path
        let peer = (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress
        let hummingbirdID = context.logger[metadataKey: "hb.request.id"]?.description
        let requestID = RequestIdentifier.resolve(
            incoming: request.headers[RequestIdentifier.headerName],
            peer: peer,
            trustedProxies: trustedProxies,
            generated: { hummingbirdID ?? Hummingbird.RequestID().description }
        )
        // `context.id` reads `hb.request.id`: authd never calls it (it would trap), the id is `request.id`.
        context.logger[metadataKey: "hb.request.id"] = nil
        context.logger[metadataKey: "request.id"] = .string(requestID)
        let scope = LogScope(["request.id": .string(requestID)])
        return try await scope.run {
            var response: Response
            do {
                response = try await next(request, context)
            } catch let error as any HTTPResponseError {
                response = try error.response(from: request, context: context)
            } catch {
                log(context.logger, method: method, path: context.endpointPath ?? path, status: 500, started: started)
                throw error
            }
            response.headers[RequestIdentifier.headerName] = requestID
            log(context.logger, method: method, path: context.endpointPath ?? path, status: Int(response.status.code), started: started)
            return response
        }
    }

    private func log(_ logger: Logger, method: String, path: String, status: Int, started: ContinuousClock.Instant) {
        let elapsed = started.duration(to: .now)
        let milliseconds = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info(
            "Request",
            metadata: [
                "http.method": "\(method)",
                "http.path": "\(path)",
                "http.status": "\(status)",
                "http.duration_ms": "\((milliseconds * 10).rounded() / 10)",
            ]
        )
    }
}
