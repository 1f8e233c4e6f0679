// SPDX-License-Identifier: Apache-2.0
internal import Hummingbird
internal import Logging

/// Logs one line per request: method, path without the query, status and latency in milliseconds. A matched route
/// logs its pattern (`/reset-password/{token}`), so a secret in a path never reaches the log.
///
/// Bodies, queries and headers are never logged, so tokens and passwords cannot reach the log. Put it first,
/// outside ``APIErrorMiddleware``, so it sees the final status.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let method = request.method.rawValue
        let path = request.uri.path
        do {
            let response = try await next(request, context)
            log(context.logger, method: method, path: context.endpointPath ?? path, status: Int(response.status.code), started: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            log(context.logger, method: method, path: context.endpointPath ?? path, status: Int(status), started: started)
            throw error
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
