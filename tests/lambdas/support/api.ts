/** Drives the api through `hono/aws-lambda`'s adapter with HTTP API v2 events, as API Gateway would. */
import { handle } from "hono/aws-lambda";
import type { Hono } from "hono";
import type { ApiEnv } from "../../../lambdas/api/context";
import { httpApiEvent, type HttpRequest } from "./events";

export interface HttpResponse {
    status: number;
    headers: Record<string, string>;
    json: unknown;
}

export type HttpCaller = (request: HttpRequest) => Promise<HttpResponse>;

export function httpCaller(app: Hono<ApiEnv>): HttpCaller {
    const lambda = handle(app);
    return async (request) => {
        const result = await lambda(httpApiEvent(request));
        const headers = (result.headers ?? {}) as Record<string, string>;
        return { status: result.statusCode, headers, json: result.body === "" ? undefined : JSON.parse(result.body) };
    };
}

export const JSON_HEADERS = { "content-type": "application/json" };

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}, sourceIp?: string): HttpRequest {
    return { method: "POST", path, body: JSON.stringify(body), headers: { ...JSON_HEADERS, ...headers }, sourceIp };
}
