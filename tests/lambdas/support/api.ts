/** Drives the api through `hono/aws-lambda`'s adapter with HTTP API v2 events, as API Gateway would. */
import { handle } from "hono/aws-lambda";
import type { Hono } from "hono";
import type { ApiEnv } from "../../../lambdas/api/context";
import type { HttpRequest } from "../../../local/events";
import { callHttpApi, type HttpApiHandler, type HttpResponse } from "../../../local/httpApi";

export { JSON_HEADERS, postJson, type HttpResponse } from "../../../local/httpApi";

export type HttpCaller = (request: HttpRequest) => Promise<HttpResponse>;

export function httpCaller(app: Hono<ApiEnv>): HttpCaller {
    const lambda = handle(app) as unknown as HttpApiHandler;
    return (request) => callHttpApi(lambda, request);
}
