/**
 * A stand-in for Cloudflare Turnstile's Siteverify endpoint on 127.0.0.1, for the api's captcha check
 * in tests and local runs. It answers as Siteverify documents: JSON `{success, "error-codes"}`;
 * `invalid-input-secret` for another secret, `invalid-input-response` for a token it did not issue,
 * `timeout-or-duplicate` for a token already redeemed (tokens are single use).
 * https://developers.cloudflare.com/turnstile/get-started/server-side-validation/
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface LocalTurnstile {
    url: string;
    /** Every verification request body received. */
    requests: Record<string, unknown>[];
    /** A token the widget would hand a visitor who solved the challenge. */
    issueToken(): string;
    stop(): Promise<void>;
}

export async function startLocalTurnstile(secret: string): Promise<LocalTurnstile> {
    const issued = new Set<string>();
    const redeemed = new Set<string>();
    const requests: Record<string, unknown>[] = [];
    let counter = 0;
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk) => (body += chunk));
        req.on("end", () => {
            let parsed: Record<string, unknown> = {};
            try {
                parsed = JSON.parse(body) as Record<string, unknown>;
            } catch {
                // An unparseable body carries neither secret nor response.
            }
            requests.push(parsed);
            const token = String(parsed.response ?? "");
            const errors =
                parsed.secret !== secret ? ["invalid-input-secret"]
                : !issued.has(token) ? ["invalid-input-response"]
                : redeemed.has(token) ? ["timeout-or-duplicate"]
                : [];
            if (errors.length === 0) redeemed.add(token);
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify({ success: errors.length === 0, "error-codes": errors }));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/turnstile/v0/siteverify`,
        requests,
        issueToken: () => {
            const token = `local-turnstile-token-${++counter}`;
            issued.add(token);
            return token;
        },
        stop: () => new Promise((resolve) => server.close(() => resolve())),
    };
}
