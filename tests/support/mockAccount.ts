/**
 * The account the committed stacks synthesize in (their aws:allowedAccountIds and aws:region), what the
 * mock cloud reports for a created resource there, and the stacks' physical names.
 */
import { mockState } from "../../offline/mockCloud";
import type { SynthResource } from "../../scripts/lib/synthesize";

export const ACCOUNT = "123456789012";
export const REGION = "ap-northeast-1";
/** `<region>:<account>`, the middle of every regional ARN of the stacks. */
export const at = `${REGION}:${ACCOUNT}`;
export const MOCK_ACCOUNT = { accountId: ACCOUNT, region: REGION, partition: "aws", callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/x/y` };

/** A project config key with its namespace. */
export const KEY = (k: string) => `stark-ballot-simulator:${k}`;

/** What the mock cloud reports for a resource after creation (ids and ARNs AWS would assign). */
export const created = (r: SynthResource) => mockState(r.type, r.name, r.inputs, MOCK_ACCOUNT);

/** A committed stack's physical name for a role: `stark-ballot-simulator-<role>-<env>`. */
export const n = (role: string, env: string) => `stark-ballot-simulator-${role}-${env}`;
