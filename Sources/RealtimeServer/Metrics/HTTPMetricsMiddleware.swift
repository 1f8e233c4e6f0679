// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
internal import HTTPTypes
internal import Hummingbird

/// Counts and times requests by route pattern: `authd_http_requests_total{route,method,status}` and
/// `authd_http_request_duration_seconds{route,method}`.
///
/// The route is the matched pattern (`/reset-password/{token}`), never the path, so a token or an id in a path never
/// becomes a label; a request no route matched is `unmatched`. Put it first, outside ``APIErrorMiddleware``, so it
/// sees the final status.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private struct Route: Hashable, Sendable {
        let route: String
        let method: String
    }

    private struct Outcome: Hashable, Sendable {
        let route: Route
        let status: Int
    }

    private let requests: MetricFamily<Outcome, Counter>
    private let durations: MetricFamily<Route, CoreMetrics.Timer>

    init(factory: any MetricsFactory) {
        requests = MetricFamily { outcome in
            Counter(
                label: "authd_http_requests_total",
                dimensions: [("route", outcome.route.route), ("method", outcome.route.method), ("status", String(outcome.status))],
                factory: factory
            )
        }
        durations = MetricFamily { route in
            CoreMetrics.Timer(
                label: "authd_http_request_duration_seconds",
                dimensions: [("route", route.route), ("method", route.method)],
                factory: factory
            )
        }
    }

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context: context, status: Int(response.status.code), started: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context: context, status: Int(status), started: started)
            throw error
        }
    }

    /// The method as a label: the standard ones by name, anything a client invents as `other`.
    private static func methodLabel(_ method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .head, .post, .put, .delete, .patch, .options: method.rawValue
        default: "other"
        }
    }

    private func record(_ request: Request, context: Context, status: Int, started: ContinuousClock.Instant) {
        let route = Route(route: context.endpointPath ?? "unmatched", method: Self.methodLabel(request.method))
        durations[route].recordElapsed(since: started)
        requests[Outcome(route: route, status: status)].increment()
    }
}
