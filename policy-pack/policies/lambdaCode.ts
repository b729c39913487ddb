/**
 * Lambda code ships as a file archive (a directory or a .zip on disk), an S3 object or a container
 * image: never as text held in the resource's inputs.
 *
 * Why: a StringAsset (inline text, alone or inside an AssetArchive) is stored verbatim in every
 * checkpoint of the stack's state and shown as a full text diff by `pulumi preview --diff`: for an
 * esbuild bundle that is megabytes per function per deploy. A FileArchive is recorded by path and
 * hash only (Pulumi compares archives by hash). Lambda itself takes the code as a .zip deployment
 * package (https://docs.aws.amazon.com/lambda/latest/dg/configuration-function-zip.html), which the
 * provider builds from the archive either way, so nothing is lost by keeping the text out of the state.
 *
 * The check is synchronous (CrossGuard resource validation) and an AssetArchive's members are only
 * reachable through a Promise, so any AssetArchive is reported: a FileArchive of the bundle directory
 * is the supported shape (components/lambdaCode.ts writes one).
 */
import { resourceRule } from "../lib/rule";
import { Props, ResourceRule } from "../lib/types";
import { isRecord } from "../lib/values";

const FUNCTION_TYPE = "aws:lambda/function:Function";

/** What kind of asset or archive a deserialized property is, by the fields Pulumi's classes carry. */
function assetKind(value: unknown): "string-asset" | "asset-archive" | "file-archive" | "remote-archive" | "other" {
    if (!isRecord(value)) return "other";
    if ("text" in value) return "string-asset";
    if ("assets" in value) return "asset-archive";
    if ("uri" in value) return "remote-archive";
    if ("path" in value) return "file-archive";
    return "other";
}

export function checkLambdaCodeNotText(_type: string, props: Props): string[] {
    if (props.packageType === "Image" || props.code === undefined || props.code === null) return [];
    switch (assetKind(props.code)) {
        case "string-asset":
            return ["code is a StringAsset: its text is stored in the stack's state; write the bundle to a file and pass a FileArchive of it"];
        case "asset-archive":
            return [
                "code is an AssetArchive, whose members may be StringAssets stored as text in the stack's state; write the bundle to a build folder and pass a FileArchive of that folder (or a .zip)",
            ];
        default:
            return [];
    }
}

export const lambdaCodeRules: readonly ResourceRule[] = [
    resourceRule(
        "lambda-code-not-text",
        "Lambda code is a file archive (a directory or .zip), an S3 object or an image, never text in the stack's state (StringAsset or AssetArchive).",
        [FUNCTION_TYPE],
        checkLambdaCodeNotText,
    ),
];
