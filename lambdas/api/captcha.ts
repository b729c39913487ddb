/**
 * The captcha check of `POST /api/sessions`, against Cloudflare Turnstile's Siteverify API (the
 * application's widget): POST `{secret, response, remoteip}` as JSON, answer `{success, "error-codes"}`.
 * Tokens are at most 2048 characters, valid 300 s and single use.
 * https://developers.cloudflare.com/turnstile/get-started/server-side-validation/
 *
 * "Configured" means: the captcha secret (a required stack secret, SSM SecureString) holds anything
 * but the sentinel `CAPTCHA_DISABLED_SECRET`. A stack without a widget (a personal or develop stack)
 * sets the secret to that sentinel and sessions are then created without a check.
 */
import { ApiError } from "./errors";

/** Captcha secret value that turns the check off (documented in the README). */
export const CAPTCHA_DISABLED_SECRET = "captcha-disabled";
/** Siteverify's documented maximum token length. */
export const MAX_CAPTCHA_TOKEN_LENGTH = 2048;
/** A slow provider must not hold the api for its whole 60 s timeout. */
export const CAPTCHA_VERIFY_TIMEOUT_MS = 5000;

export interface CaptchaVerification {
    url: string;
    secret: string;
    token: unknown;
    remoteIp: string;
    fetch?: typeof fetch;
    timeoutMs?: number;
}

export function captchaConfigured(secret: string): boolean {
    return secret !== CAPTCHA_DISABLED_SECRET;
}

/** Resolves when the provider confirms the token; throws the client's 400/403 or a 503 when the provider cannot answer. */
export async function verifyCaptcha(check: CaptchaVerification): Promise<void> {
    const { token } = check;
    if (typeof token !== "string" || token === "") {
        throw new ApiError(400, "captcha_required", "captchaToken is required");
    }
    if (token.length > MAX_CAPTCHA_TOKEN_LENGTH) {
        throw new ApiError(400, "captcha_invalid", `captchaToken must be at most ${MAX_CAPTCHA_TOKEN_LENGTH} characters`);
    }
    let answer: unknown;
    try {
        const response = await (check.fetch ?? fetch)(check.url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ secret: check.secret, response: token, remoteip: check.remoteIp }),
            signal: AbortSignal.timeout(check.timeoutMs ?? CAPTCHA_VERIFY_TIMEOUT_MS),
        });
        if (!response.ok) {
            throw new Error(`siteverify answered HTTP ${response.status}`);
        }
        answer = await response.json();
    } catch (error) {
        throw new ApiError(503, "captcha_unavailable", "the captcha could not be checked; retry later", {}, {}, error);
    }
    if (typeof answer !== "object" || answer === null || (answer as { success?: unknown }).success !== true) {
        throw new ApiError(403, "captcha_failed", "the captcha was not solved or has expired");
    }
}
