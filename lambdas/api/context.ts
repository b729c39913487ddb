import type { Context } from "hono";

/** What `hono/aws-lambda` puts in `c.env` that the routes read (HTTP API payload v2). */
export interface ApiEnv {
    Bindings: { requestContext?: { http?: { sourceIp?: string } } };
}

/** Client IP as API Gateway saw it; never from a client-controlled header such as X-Forwarded-For. */
export function sourceIp(c: Context<ApiEnv>): string {
    return c.env?.requestContext?.http?.sourceIp ?? "unknown";
}
