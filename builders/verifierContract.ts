/**
 * How the state machine talks to the verifier-service-runner Lambda: the reference handler
 * (lambdas/verifier-runner) or the application's own build (config `applicationBuilds.verifierRunner`).
 * The two speak different contracts; this module describes each once, as plain ASL fragments the
 * state machine places (builders/proverStateMachine.ts `verificationStates`), so nothing else in the
 * definition asks which build runs.
 *
 * The application's contract, from its source (public repository hwatanabe-jp/stark-ballot-simulator-public):
 * - event (`amplify/functions/verifier-service-runner/handler.ts`, `s3BundleSchema`, strict):
 *   `{mode: "s3_bundle", sessionId: <uuid>, executionId: <non-empty>, bundleKey: <non-empty>,
 *   expectedImageId: <32-byte hex, 0x optional>, options?: {uploadToS3?, workDir?}}`. It downloads
 *   exactly `bundleKey` from `S3_PROOF_BUCKET` (`src/lib/aws/s3-download.ts`), so the key is sent,
 *   formed by the same rule the prover publishes under (contracts.bundleObjectKey).
 * - answer (`src/lib/verification/verifier-service-runner-types.ts`): `{status: "success", sessionId,
 *   executionId, verifierStatus, verificationReport, s3?: {bundleKey?, reportKey?, ...}}` whenever the
 *   binary gave a verdict, whatever the verdict; `{status: "error", message, details}` for an invalid
 *   event ("Invalid verifier invocation payload") or a failed run ("verifier-service execution
 *   failed": download, extraction, the binary's exit 1, no report). It never throws, so its failures
 *   arrive as answers, not Lambda errors, and Step Functions cannot retry them.
 * - report: `uploadVerificationBundleToS3` (`src/lib/verification/verification-bundle.ts`) re-zips the
 *   public artifacts to `{S3_PROOF_PREFIX}{sessionId}/{executionId}/bundle.zip` and puts
 *   `verification.json` beside it (`src/lib/aws/s3-upload.ts`); when any of that fails it logs and
 *   answers without `s3.reportKey`. A verdict without a published report is not a verified proof.
 * - the re-zip requires six files, `metadata.json` among them, which only the application's
 *   synchronous prover writes: bundles of the asynchronous (Fargate) path never hold it (the
 *   application's public-book/src/verification/bundle-structure.md, "同期バンドルと非同期バンドルの違い"),
 *   and prover/runner reproduces that bundle on purpose. So with our prover the runner gives its
 *   verdict and the whole report but never publishes it. A `success` verdict without `s3.reportKey`
 *   therefore goes through PublishVerificationReport (`unpublishedReport` below): the state machine
 *   itself puts the answered `verificationReport` as `verification.json` beside the bundle, at the key
 *   contracts.verificationReportKey lays out, and links that key. The runner's own re-zipped bundle
 *   is never written then (the re-zip fails before any upload), so bundle.zip stays the prover's.
 *
 * Pure: no Pulumi, no AWS calls.
 */
import { PROOF_VERIFICATION_FAILED_ERROR, VERIFIER_RUNNER_FAILED_ERROR, bundleObjectKey } from "../lambdas/shared/contracts";
import type { ApplicationBuilds } from "./applicationBuilds";
import { proverImageParameterName } from "./verifierSettings";
import {
    type JsonObject,
    LAMBDA_SERVICE_RETRY,
    PROVER_PATHS,
    type Retrier,
    VERIFICATION_STATUS_SUCCESS,
    VERIFIER_CRASH_RETRY,
    executionKeyFormat,
    statesFormat,
} from "./proverStateMachine";

/** Which build runs VerifyProof: chosen once per stack (see `verifierContractChoice`). */
export type VerifierContractChoice =
    | { kind: "reference" }
    /**
     * The image id is sent in each event, read by the state machine (ReadProverImageRecord) from the
     * prover image record, the SSM parameter `imageRecordName`, at each verification.
     */
    | { kind: "application"; imageRecordName: string };

/**
 * The stack's choice: no verifier step, the reference handler, or the application's build. Both read
 * the expected image id from the prover image record (components/proverImageRecord.ts), named by the
 * pure naming rule from the scope, so the choice needs not wait for the record resource.
 */
export function verifierContractChoice(settings: {
    nameScope: string;
    verifier?: { imageId: string };
    applicationBuilds?: ApplicationBuilds;
}): VerifierContractChoice | undefined {
    if (settings.verifier === undefined) return undefined;
    return settings.applicationBuilds?.verifierRunner === undefined
        ? { kind: "reference" }
        : { kind: "application", imageRecordName: proverImageParameterName(settings.nameScope) };
}

/**
 * A Choice rule's condition, the subset these rules use: StringEquals, IsPresent (false, not an
 * error, when the path is missing), And, Or. https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 */
export type ChoiceCondition =
    | { Variable: string; StringEquals: string }
    | { Variable: string; IsPresent: boolean }
    | { Variable: string; IsString: boolean }
    | { And: ChoiceCondition[] }
    | { Or: ChoiceCondition[] };

export interface VerifierContract {
    kind: VerifierContractChoice["kind"];
    /** VerifyProof's comment. */
    comment: string;
    /** VerifyProof's `Parameters.Payload`: the runner's event. */
    payload: JsonObject;
    /** VerifyProof's retriers (shared policies: the state machine copies them). */
    retry: readonly Readonly<Retrier>[];
    /** The answer of a verified proof with a published report: on to FinalizeSucceeded. */
    accepted: ChoiceCondition;
    /** A verdict that rejects the proof (`failed`, `dev_mode`). */
    rejected: ChoiceCondition;
    /** FinalizeSucceeded's `verification` (contracts.VerifyProofResult) from the answer. */
    finalizeVerification: JsonObject;
    /** `{Error, Cause.$}` recorded for a rejected verdict. */
    rejection: JsonObject;
    /** `{Error, Cause.$}` recorded for any other answer: the runner failed without a verdict. */
    runnerFailure: JsonObject;
    /**
     * Only for a runner that takes the image id in its event: the prover image record the state machine
     * reads first (ReadProverImageRecord), and the path of the zkVM image id it read.
     */
    imageRecord?: { parameterName: string; imageId: string };
    /**
     * Only for a runner that may give a `success` verdict without publishing its report: that answer
     * (`when`, tried right after `accepted`, so it needs not repeat that the key is missing), the report it carries (`report`, a path) and where the state machine links the key it
     * publishes the report under (`linkedAt`, the path `finalizeVerification` reads the key from).
     */
    unpublishedReport?: { when: ChoiceCondition; report: string; linkedAt: string };
}

const statusIs = (path: string, value: string): ChoiceCondition => ({ Variable: path, StringEquals: value });
const oneOf = (path: string, values: readonly string[]): ChoiceCondition => ({ Or: values.map((v) => statusIs(path, v)) });
const REJECTING_VERDICTS = ["failed", "dev_mode"] as const;
const IDS: JsonObject = { "sessionId.$": "$.payload.sessionId", "executionId.$": "$.payload.executionId" };

/**
 * The answer's whole JSON as the Cause: its shape is unknown here, and a missing path would fail the
 * state. https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html (States.JsonToString)
 */
const runnerFailure = (): JsonObject => ({ Error: VERIFIER_RUNNER_FAILED_ERROR, "Cause.$": `States.JsonToString(${PROVER_PATHS.verificationPayload})` });

/**
 * Paths in the application's answer (`VerifierServiceRunnerSuccess`). A function, not a constant:
 * this module and builders/proverStateMachine.ts import each other, so nothing of it is read at load time.
 */
export function applicationVerifierPaths() {
    const answer = PROVER_PATHS.verificationPayload;
    return {
        status: `${answer}.status`,
        verdict: `${answer}.verifierStatus`,
        s3: `${answer}.s3`,
        reportKey: `${answer}.s3.reportKey`,
        report: `${answer}.verificationReport`,
    } as const;
}

/** Whether the definition reads the prover image record itself (ReadProverImageRecord), so its role needs ssm:GetParameter on it. */
export function stateMachineReadsImageRecord(choice: VerifierContractChoice | undefined): string | undefined {
    return choice?.kind === "application" ? choice.imageRecordName : undefined;
}

/** Whether the definition puts verification reports itself (PublishVerificationReport), so its role needs s3:PutObject. */
export function stateMachinePublishesReports(choice: VerifierContractChoice | undefined): boolean {
    return choice !== undefined && buildVerifierContract(choice, "").unpublishedReport !== undefined;
}

export function buildVerifierContract(choice: VerifierContractChoice, proofPrefix: string): VerifierContract {
    const P = PROVER_PATHS;
    if (choice.kind === "reference") {
        // lambdas/verifier-runner: the two ids in, every key derived server-side; a verdict out, a crash thrown.
        return {
            kind: "reference",
            comment: "Verify the published bundle's receipt against the recorded zkVM image id; write verification.json beside it.",
            payload: { ...IDS },
            retry: [LAMBDA_SERVICE_RETRY, VERIFIER_CRASH_RETRY],
            accepted: statusIs(P.verificationStatus, VERIFICATION_STATUS_SUCCESS),
            rejected: oneOf(P.verificationStatus, REJECTING_VERDICTS),
            finalizeVerification: { "verification.$": P.verificationPayload },
            rejection: {
                Error: PROOF_VERIFICATION_FAILED_ERROR,
                "Cause.$": statesFormat(
                    ["Proof verification reported ", " (expected zkVM image id ", "); report at ", ""],
                    P.verificationStatus,
                    `${P.verificationPayload}.expectedImageId`,
                    `${P.verificationPayload}.reportKey`,
                ),
            },
            runnerFailure: runnerFailure(),
        };
    }
    const A = applicationVerifierPaths();
    const imageId = `${P.imageRecord}.record.zkvmImageId`;
    const bundleKey = executionKeyFormat(bundleObjectKey, proofPrefix);
    return {
        kind: "application",
        comment: "The application's verifier-service-runner: verify the published bundle against the stack's zkVM image id; it publishes verification.json beside it when it can re-zip the bundle.",
        payload: { mode: "s3_bundle", ...IDS, "bundleKey.$": bundleKey, "expectedImageId.$": imageId },
        // Only the Lambda service's own errors: the runner answers its failures instead of throwing them.
        retry: [LAMBDA_SERVICE_RETRY],
        accepted: { And: [statusIs(A.status, "success"), statusIs(A.verdict, VERIFICATION_STATUS_SUCCESS), { Variable: A.reportKey, IsPresent: true }] },
        rejected: { And: [statusIs(A.status, "success"), oneOf(A.verdict, REJECTING_VERDICTS)] },
        // The finalize callback's shape (contracts.VerifyProofResult), from what was sent and answered.
        finalizeVerification: {
            verification: { "status.$": A.verdict, "bundleKey.$": bundleKey, "reportKey.$": A.reportKey, "expectedImageId.$": imageId },
        },
        rejection: {
            Error: PROOF_VERIFICATION_FAILED_ERROR,
            // The report may not have been published (see the module comment), so only the verdict is named.
            "Cause.$": statesFormat(["Proof verification reported ", " (expected zkVM image id ", ")"], A.verdict, imageId),
        },
        runnerFailure: runnerFailure(),
        imageRecord: { parameterName: choice.imageRecordName, imageId },
        unpublishedReport: {
            // Placed right after `accepted`: Choice rules are tried in order, so an answer reaching this
            // rule has no s3.reportKey. (No `IsPresent: false` here: aws-local-stepfunctions never
            // matches it, so the local runs could not show the route.)
            // https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
            when: { And: [statusIs(A.status, "success"), statusIs(A.verdict, VERIFICATION_STATUS_SUCCESS), { Variable: A.report, IsPresent: true }] },
            report: A.report,
            linkedAt: A.s3,
        },
    };
}
