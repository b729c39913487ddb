import { SFNClient } from "@aws-sdk/client-sfn";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "../shared/log";
import type { SessionStore } from "../shared/sessionStore";
import type { ApiConfig } from "./config";
import type { ProofBudget } from "./proofBudget";
import type { FixedWindowRateLimiter, RateLimitRule } from "./rateLimit";
import type { SecretStore } from "./secrets";
import type { BundleLinkSigner } from "./bundleLinks";
import type { ExpectedImageIdSource } from "./proverImage";

/** Everything the routes touch, so tests can point each piece at a local server or a mock. */
export interface ApiDeps {
    config: ApiConfig;
    sessions: SessionStore;
    sqs: SQSClient;
    /** Describes a running session's execution (see reconcile.ts). */
    sfn: SFNClient;
    secrets: SecretStore;
    rateLimiter: FixedWindowRateLimiter;
    /** The global hourly and daily budget of proofs admitted. */
    proofBudget: ProofBudget;
    /** Presigns bundle downloads for succeeded sessions. */
    bundleLinks: BundleLinkSigner;
    /** The zkVM image id a new proof must carry, from the prover image record (null: the stack verifies nothing). */
    expectedImageId: ExpectedImageIdSource;
    logger: Logger;
    /** Default `FINALIZE_RATE_LIMIT`. */
    finalizeRateLimit?: RateLimitRule;
    /** Default `SESSION_RATE_LIMIT`. */
    sessionRateLimit?: RateLimitRule;
    /** Calls the captcha provider. Default: the global `fetch`. */
    fetch?: typeof fetch;
    /** Default `() => new Date()`. */
    now?: () => Date;
    /** Default `crypto.randomUUID`. */
    newExecutionId?: () => string;
    /** Default `crypto.randomUUID` (a UUID satisfies the session id rule). */
    newSessionId?: () => string;
}
