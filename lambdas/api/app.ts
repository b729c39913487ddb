/** The reference api: a Hono app behind API Gateway HTTP API (payload v2). */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { errorFields } from "../shared/log";
import type { ApiEnv } from "./context";
import type { ApiDeps } from "./deps";
import { ApiError, errorBody } from "./errors";
import { registerFinalizeRoute } from "./finalizeRoute";
import { registerSessionsRoute } from "./sessionsRoute";
import { registerStatusRoute } from "./statusRoute";

export function createApp(deps: ApiDeps): Hono<ApiEnv> {
    const app = new Hono<ApiEnv>();

    app.get("/api/health", (c) => c.json({ status: "ok", environment: deps.config.envName }));
    registerSessionsRoute(app, deps);
    registerFinalizeRoute(app, deps);
    registerStatusRoute(app, deps);

    app.notFound((c) => c.json(errorBody("not_found", "no such route"), 404));
    app.onError((error, c) => {
        if (error instanceof ApiError) {
            if (error.cause !== undefined) {
                deps.logger.error("api dependency unavailable", { method: c.req.method, path: c.req.path, code: error.code, ...errorFields(error.cause) });
            }
            return c.json({ ...errorBody(error.code, error.message), ...error.extra }, error.status, error.headers);
        }
        if (error instanceof HTTPException && error.status < 500) {
            return c.json(errorBody("bad_request", error.message), error.status);
        }
        deps.logger.error("unhandled api error", { method: c.req.method, path: c.req.path, ...errorFields(error, true) });
        return c.json(errorBody("internal_error", "internal server error"), 500);
    });
    return app;
}
