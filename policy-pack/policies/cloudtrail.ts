/** Trails sign their log files, so tampering with the audit record can be detected. */
import { resourceRule } from "../lib/rule";
import { Props, ResourceRule } from "../lib/types";

export const TRAIL_TYPE = "aws:cloudtrail/trail:Trail";

export function checkLogFileValidation(_type: string, props: Props): string[] {
    return props.enableLogFileValidation === true ? [] : ["trail must enable log file validation (enableLogFileValidation: true)"];
}

export const cloudtrailRules: readonly ResourceRule[] = [
    resourceRule("cloudtrail-log-file-validation", "Every CloudTrail trail validates its log files.", [TRAIL_TYPE], checkLogFileValidation),
];
