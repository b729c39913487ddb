import * as assert from "node:assert/strict";
import {
    ACCOUNT_ID,
    AWS_REGION,
    DIGEST_REFERENCE,
    ECR_REPOSITORY_NAME,
    STATE_MACHINE_ARN,
    ECR_DIGEST_URI,
    SHA256_DIGEST,
    ZKVM_IMAGE_ID,
    bucketNameProblem,
    proofPrefixProblem,
} from "../../lambdas/shared/rules";

const HEX = "0123456789abcdef".repeat(4);

describe("lambdas/shared/rules: the one home of each shared rule", () => {
    describe("ACCOUNT_ID", () => {
        const cases: [string, boolean][] = [["123456789012", true], ["12345678901", false], ["1234567890123", false], ["12345678901a", false], [" 123456789012", false]];
        for (const [value, valid] of cases) it(JSON.stringify(value), () => assert.equal(ACCOUNT_ID.test(value), valid));
    });

    describe("AWS_REGION (the partitions the program supports)", () => {
        const cases: [string, boolean][] = [
            ["ap-northeast-1", true],
            ["eu-central-2", true],
            ["cn-north-1", true],
            ["us-gov-west-1", true],
            ["us-iso-east-1", false],
            ["tokyo", false],
            ["ap-northeast", false],
            ["AP-NORTHEAST-1", false],
        ];
        for (const [value, valid] of cases) it(JSON.stringify(value), () => assert.equal(AWS_REGION.test(value), valid));
    });

    describe("STATE_MACHINE_ARN", () => {
        const cases: [string, boolean][] = [
            ["arn:aws:states:ap-northeast-1:123456789012:stateMachine:prover", true],
            ["arn:aws-cn:states:cn-north-1:123456789012:stateMachine:prover", true],
            ["arn:aws:states:ap-northeast-1:123456789012:execution:prover:e-1", false],
            ["arn:aws:states:ap-northeast-1:123456789012:stateMachine:prover:1", false],
            ["sm", false],
        ];
        for (const [value, valid] of cases) it(value, () => assert.equal(STATE_MACHINE_ARN.test(value), valid));
    });

    describe("SHA256_DIGEST", () => {
        const cases: [string, string, boolean][] = [
            ["a digest", `sha256:${HEX}`, true],
            ["upper-case hex", `sha256:${HEX.toUpperCase()}`, false],
            ["63 hex digits", `sha256:${HEX.slice(1)}`, false],
            ["65 hex digits", `sha256:${HEX}0`, false],
            ["another algorithm", `sha512:${HEX}`, false],
            ["a bare hex string", HEX, false],
            ["a tag", "sha256:latest", false],
            ["a trailing newline", `sha256:${HEX}\n`, false],
        ];
        for (const [name, value, valid] of cases) it(name, () => assert.equal(SHA256_DIGEST.test(value), valid));
    });

    describe("DIGEST_REFERENCE", () => {
        const cases: [string, string, [string, string] | null][] = [
            ["an ECR reference", `1.dkr.ecr.r.amazonaws.com/p@sha256:${HEX}`, ["1.dkr.ecr.r.amazonaws.com/p", `sha256:${HEX}`]],
            ["a tag", "1.dkr.ecr.r.amazonaws.com/p:latest", null],
            ["a tag and a short digest", `p:latest@sha256:${HEX.slice(2)}`, null],
            ["no repository", `@sha256:${HEX}`, null],
        ];
        for (const [name, value, parts] of cases) {
            it(name, () => {
                const match = DIGEST_REFERENCE.exec(value);
                assert.deepEqual(match === null ? null : [match[1], match[2]], parts);
            });
        }
    });

    describe("ECR_REPOSITORY_NAME", () => {
        const cases: [string, string, boolean][] = [
            ["a plain name", "stark-ballot-simulator-prover-develop", true],
            ["namespaces", "stark/prover_1.x", true],
            ["2 characters", "ab", true],
            ["256 characters", "a".repeat(256), true],
            ["1 character", "a", false],
            ["257 characters", "a".repeat(257), false],
            ["upper case", "Stark", false],
            ["a trailing separator", "prover-", false],
            ["two separators in a row", "prover--x", false],
            ["an empty namespace", "stark//prover", false],
            ["a leading slash", "/prover", false],
        ];
        for (const [name, value, valid] of cases) it(name, () => assert.equal(ECR_REPOSITORY_NAME.test(value), valid));
    });

    describe("ECR_DIGEST_URI", () => {
        const cases: [string, string, string[] | null][] = [
            ["a commercial-partition image", `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/stark/prover@sha256:${HEX}`, ["123456789012", "ap-northeast-1", "stark/prover", `sha256:${HEX}`]],
            ["a China image", `123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/p@sha256:${HEX}`, ["123456789012", "cn-north-1", "p", `sha256:${HEX}`]],
            ["a tag", "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/p:latest", null],
            ["an 11-digit account", `12345678901.dkr.ecr.ap-northeast-1.amazonaws.com/p@sha256:${HEX}`, null],
            ["Docker Hub", `docker.io/library/node@sha256:${HEX}`, null],
            ["a repository name ECR refuses", `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/prover-@sha256:${HEX}`, null],
        ];
        for (const [name, value, groups] of cases) {
            it(name, () => assert.deepEqual(ECR_DIGEST_URI.exec(value)?.slice(1) ?? null, groups));
        }
    });

    describe("ZKVM_IMAGE_ID", () => {
        const cases: [string, string, boolean][] = [
            ["64 lower-case hex", HEX, true],
            ["with 0x", `0x${HEX}`, false],
            ["upper case", HEX.toUpperCase(), false],
            ["a digest", `sha256:${HEX}`, false],
            ["short", "ab", false],
        ];
        for (const [name, value, valid] of cases) it(name, () => assert.equal(ZKVM_IMAGE_ID.test(value), valid));
    });

    describe("proofPrefixProblem", () => {
        const rule = (p: string) =>
            `${JSON.stringify(p)} must be empty or end in "/", using only letters, digits, ".", "_", "-" and "/" (no empty, "." or ".." segments)`;
        const cases: [string, string, string | undefined][] = [
            ["empty", "", undefined],
            ["one segment", "sessions/", undefined],
            ["nested segments", "a.b/c_d/e-f/", undefined],
            ["a segment starting with dots", "..hidden/", undefined],
            ["no trailing slash", "sessions", rule("sessions")],
            ["a leading slash", "/sessions/", rule("/sessions/")],
            ["an empty segment", "a//", rule("a//")],
            ["a . segment", "./", rule("./")],
            ["a .. segment", "a/../", rule("a/../")],
            ["a States.Format brace", "a{b}/", rule("a{b}/")],
            ["a quote", "it's/", rule("it's/")],
            ["a backslash", "a\\b/", rule("a\\b/")],
            ["an ARN wildcard", "a*/", rule("a*/")],
            ["a space", "a b/", rule("a b/")],
        ];
        for (const [name, value, problem] of cases) it(name, () => assert.equal(proofPrefixProblem(value), problem));
    });

    describe("bucketNameProblem (S3 general purpose bucket naming rules)", () => {
        const invalid = (n: string, why: string) => `${JSON.stringify(n)} is not a valid S3 bucket name (${why})`;
        const characters = "3-63 lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit";
        const cases: [string, string, string | undefined][] = [
            ["a plain name", "stark-ballot-simulator-proofs-develop", undefined],
            ["3 characters", "abc", undefined],
            ["63 characters", "a".repeat(63), undefined],
            ["single dots", "my.bucket.name", undefined],
            ["digits only, not an address", "123.456.789", undefined],
            ["2 characters", "ab", invalid("ab", characters)],
            ["64 characters", "a".repeat(64), invalid("a".repeat(64), characters)],
            ["upper case", "Bad_Bucket", invalid("Bad_Bucket", characters)],
            ["a leading hyphen", "-bucket", invalid("-bucket", characters)],
            ["a trailing dot", "bucket.", invalid("bucket.", characters)],
            ["adjacent dots", "my..bucket", invalid("my..bucket", "two adjacent dots")],
            ["an IP address", "192.168.5.4", invalid("192.168.5.4", "formatted as an IP address")],
            ["xn--", "xn--bucket", invalid("xn--bucket", 'the prefix "xn--" is reserved')],
            ["sthree-", "sthree-bucket", invalid("sthree-bucket", 'the prefix "sthree-" is reserved')],
            ["amzn-s3-demo-", "amzn-s3-demo-bucket", invalid("amzn-s3-demo-bucket", 'the prefix "amzn-s3-demo-" is reserved')],
            ["-s3alias", "bucket-s3alias", invalid("bucket-s3alias", 'the suffix "-s3alias" is reserved')],
            ["--ol-s3", "bucket--ol-s3", invalid("bucket--ol-s3", 'the suffix "--ol-s3" is reserved')],
            [".mrap", "bucket.mrap", invalid("bucket.mrap", 'the suffix ".mrap" is reserved')],
            ["--x-s3", "bucket--x-s3", invalid("bucket--x-s3", 'the suffix "--x-s3" is reserved')],
            ["--table-s3", "bucket--table-s3", invalid("bucket--table-s3", 'the suffix "--table-s3" is reserved')],
        ];
        for (const [name, value, problem] of cases) it(name, () => assert.equal(bucketNameProblem(value), problem));
    });
});
