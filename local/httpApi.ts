/** Calls an API Gateway HTTP API (payload v2) Lambda handler the way API Gateway would, and reads its answer. */
import { httpApiEvent, type HttpRequest } from "./events";

export interface HttpResponse {
    status: number;
    headers: Record<string, string>;
    json: unknown;
}

/** The v2 result shape the hono adapter returns. */
interface HttpApiResult {
    statusCode: number;
    headers?: Record<string, unknown>;
    body: string;
}

export type HttpApiHandler = (event: ReturnType<typeof httpApiEvent>) => Promise<HttpApiResult>;

export async function callHttpApi(handler: HttpApiHandler, request: HttpRequest): Promise<HttpResponse> {
    const result = await handler(httpApiEvent(request));
    const headers = (result.headers ?? {}) as Record<string, string>;
    return { status: result.statusCode, headers, json: result.body === "" ? undefined : JSON.parse(result.body) };
}

export const JSON_HEADERS = { "content-type": "application/json" };

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}, sourceIp?: string): HttpRequest {
    return { method: "POST", path, body: JSON.stringify(body), headers: { ...JSON_HEADERS, ...headers }, sourceIp };
}
