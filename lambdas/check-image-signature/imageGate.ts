/**
 * The image gate's decision, pure: from what ECR reports about one digest (its signing statuses and
 * its scan) to ALLOW, PENDING (look again after a wait) or DENY with Step Functions' `{Error, Cause}`.
 * Fail closed: anything not positively known to be fine refuses the image.
 *
 * ECR's documented values:
 * - signing: every entry of `signingStatuses` is one signing profile's status, `IN_PROGRESS | COMPLETE |
 *   FAILED`, with `failureCode`/`failureReason` only when FAILED; no entry means no signing rule matched
 *   the repository when the image was pushed.
 *   https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImageSigningStatus.html
 *   https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageSigningStatus.html
 * - scan: `imageScanStatus.status` is one of `IN_PROGRESS | COMPLETE | FAILED | UNSUPPORTED_IMAGE | ACTIVE |
 *   PENDING | SCAN_ELIGIBILITY_EXPIRED | FINDINGS_UNAVAILABLE | LIMIT_EXCEEDED | IMAGE_ARCHIVED`;
 *   `findingSeverityCounts` maps `INFORMATIONAL | LOW | MEDIUM | HIGH | CRITICAL | UNDEFINED` to counts.
 *   Basic scanning (scan on push) ends in COMPLETE; enhanced scanning reports ACTIVE while it keeps
 *   watching the image, with current counts. A digest never scanned answers `ScanNotFoundException`.
 *   https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImageScanFindings.html
 *   https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageScanStatus.html
 *   https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageScanFindings.html
 */
import {
    IMAGE_GATE,
    IMAGE_SCAN_INCOMPLETE_ERROR,
    IMAGE_SCAN_REFUSED_ERROR,
    IMAGE_SIGNATURE_FAILED_ERROR,
    type ImageGateVerdict,
    type StepFunctionsError,
} from "../shared/contracts";

/** Reported when ECR has no signing status for the image (no signing configuration matched it). */
export const MISSING_SIGNING_STATUS = "MISSING";
/** Reported when ECR has no scan for the image (`ScanNotFoundException`). */
export const MISSING_SCAN = "MISSING";

/** One entry of `signingStatuses` as ECR returns it. */
export interface SigningEntry {
    signingProfileArn?: string;
    status?: string;
    failureCode?: string;
    failureReason?: string;
}

export interface ScanReport {
    /** `imageScanStatus.status`, or MISSING_SCAN. */
    status: string;
    description?: string;
    findingSeverityCounts: Record<string, number>;
}

export interface GateFacts {
    /** `<registry>/<repository>@<digest>` as the messages name it. */
    image: string;
    signingStatuses: SigningEntry[];
    scan: ScanReport;
    allowHighScanFindings: boolean;
    /** Checks made in this execution, this one included (1 on the first). */
    checks: number;
}

export interface GateDecision {
    verdict: ImageGateVerdict;
    /** The signing status over every entry (see CheckImageSignatureResult.status). */
    status: string;
    error?: StepFunctionsError;
}

/** Scan states after which the counts are final (basic) or current (enhanced, continuous). */
const SCAN_DONE = new Set(["COMPLETE", "ACTIVE"]);
/** Scan states that end by themselves. */
const SCAN_WAITING = new Set(["IN_PROGRESS", "PENDING"]);
/** Severities named in messages, most severe first. */
const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED"];

/** The most checks one execution makes: the first and IMAGE_GATE.maxRechecks more. */
export const MAX_CHECKS = 1 + IMAGE_GATE.maxRechecks;
const BOUND = `${MAX_CHECKS} checks over ${IMAGE_GATE.maxRechecks * IMAGE_GATE.recheckIntervalSeconds} s`;

/** Every entry must be COMPLETE; FAILED or an unknown value decides against, IN_PROGRESS waits. */
export function signingSummary(entries: readonly SigningEntry[]): string {
    if (entries.length === 0) return MISSING_SIGNING_STATUS;
    if (entries.every((e) => e.status === "COMPLETE")) return "COMPLETE";
    if (entries.some((e) => e.status !== "COMPLETE" && e.status !== "IN_PROGRESS")) return "FAILED";
    return "IN_PROGRESS";
}

export function decideImageGate(f: GateFacts): GateDecision {
    const status = signingSummary(f.signingStatuses);
    const deny = (Error: string, cause: string): GateDecision => ({ verdict: "DENY", status, error: { Error, Cause: `Prover image ${f.image}: ${cause}` } });

    // Signature first: an unsigned image is refused whatever its scan says.
    if (status === MISSING_SIGNING_STATUS) {
        return deny(IMAGE_SIGNATURE_FAILED_ERROR, "ECR reports no signing status: no signing rule of the registry matched the repository when the image was pushed (deploy the bootstrap stack, then push again)");
    }
    if (status === "FAILED") {
        const failed = f.signingStatuses.filter((e) => e.status !== "COMPLETE" && e.status !== "IN_PROGRESS");
        const details = failed.map((e) => `${e.signingProfileArn ?? "(no profile)"}: ${e.status ?? "(no status)"}${e.failureCode ? ` ${e.failureCode}` : ""}${e.failureReason ? ` (${e.failureReason})` : ""}`);
        return deny(IMAGE_SIGNATURE_FAILED_ERROR, `signing status FAILED for ${failed.length} of ${f.signingStatuses.length} signing profile(s): ${details.join("; ")}`);
    }

    const scan = f.scan;
    if (SCAN_DONE.has(scan.status)) {
        const counts = scan.findingSeverityCounts;
        const critical = counts.CRITICAL ?? 0;
        const high = counts.HIGH ?? 0;
        if (critical > 0 || (high > 0 && !f.allowHighScanFindings)) {
            const rule = critical > 0 ? "CRITICAL findings always refuse the image" : "HIGH findings refuse the image unless allowHighScanFindings is true";
            return deny(IMAGE_SCAN_REFUSED_ERROR, `scan findings ${formatCounts(counts)}; ${rule}`);
        }
    } else if (!SCAN_WAITING.has(scan.status)) {
        const what = scan.status === MISSING_SCAN ? "ECR has no scan of this digest (scan on push did not run)" : `scan status ${scan.status}${scan.description ? ` (${scan.description})` : ""}`;
        return deny(IMAGE_SCAN_INCOMPLETE_ERROR, `${what}; only a scanned image may run`);
    }

    const signingWaits = status === "IN_PROGRESS";
    const scanWaits = SCAN_WAITING.has(scan.status);
    if (!signingWaits && !scanWaits) return { verdict: "ALLOW", status };
    if (f.checks < MAX_CHECKS) return { verdict: "PENDING", status };
    // Bound exceeded: name what is still in progress, the signature first.
    return signingWaits
        ? deny(IMAGE_SIGNATURE_FAILED_ERROR, `signing status still IN_PROGRESS after ${BOUND}${scanWaits ? `; scan status ${scan.status}` : ""}`)
        : deny(IMAGE_SCAN_INCOMPLETE_ERROR, `scan status still ${scan.status} after ${BOUND}`);
}

/** `CRITICAL=1, HIGH=2, MEDIUM=0 ...`: CRITICAL and HIGH always, others when present. */
export function formatCounts(counts: Record<string, number>): string {
    const named = SEVERITIES.filter((s) => s === "CRITICAL" || s === "HIGH" || counts[s] !== undefined);
    const others = Object.keys(counts).filter((s) => !SEVERITIES.includes(s)).sort();
    return [...named, ...others].map((s) => `${s}=${counts[s] ?? 0}`).join(", ");
}
