import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ProverImageSource } from "../builders/proverImageSource";
import { AwsContext, arn } from "../builders/policies/document";
import { PROJECT_ROOT } from "./lambdaCode";
import { DIGEST_REFERENCE } from "../lambdas/shared/rules";
import ignore, { type Ignore } from "@balena/dockerignore";

/** A prover image reference that is always pinned by digest. */
export interface PinnedImage {
    /** `<registry>/<repo>@sha256:<hex>`: what the task definition runs and the gate checks. */
    uri: pulumi.Output<string>;
    /** Account of the registry that holds the image: what the gate names when it asks ECR. */
    registryId: pulumi.Output<string>;
    repositoryName: pulumi.Output<string>;
    repositoryArn: pulumi.Output<string>;
    digest: pulumi.Output<string>;
}

/** Splits `<registry>/<repo>@sha256:<hex>` into its parts; rejects anything not pinned by digest. */
export function splitDigestReference(reference: string): { repository: string; digest: string } {
    const match = DIGEST_REFERENCE.exec(reference);
    if (!match) throw new Error(`image reference ${reference} is not pinned by a sha256 digest`);
    return { repository: match[1], digest: match[2] };
}

/**
 * Whether `.dockerignore` keeps `relativePath` (`/`-separated, relative to the context) out of the
 * build context, by Docker's own rules (Go's filepath.Match per pattern, `**`, the last matching
 * pattern wins, `!` re-includes, an excluded directory excludes everything under it) as
 * @balena/dockerignore implements them. https://docs.docker.com/build/concepts/context/#dockerignore-files
 */
export function isDockerIgnored(dockerignore: string, relativePath: string): boolean {
    return dockerignoreMatcher(dockerignore).ignores(relativePath);
}

function dockerignoreMatcher(dockerignore: string): Ignore {
    return ignore().add(dockerignore.split(/\r?\n/));
}

/**
 * The tag of one build: `build-` and 16 hex digits of a SHA-256 over every file of the build context
 * that `.dockerignore` lets in (path and content), the Dockerfile, the platform and the build
 * arguments. The repository's tags are immutable (ECR answers ImageTagAlreadyExistsException to a
 * push of an existing tag), so every build that can differ needs its own tag: whenever the docker
 * provider would rebuild (its own context digest changed), this tag has changed too, and an
 * unchanged context keeps its tag, so a deploy without changes pushes nothing. The task still runs
 * the pushed digest, never the tag.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
 */
export function buildContextTag(contextDir: string, dockerfile: string, platform: string, buildArgs: Record<string, string>): string {
    const ignoreFile = path.join(contextDir, ".dockerignore");
    const dockerignore = fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, "utf8") : "";
    const matcher = dockerignoreMatcher(dockerignore);
    // An excluded directory is skipped whole (node_modules, .git) unless a `!` pattern could bring
    // back something inside it, as Docker itself walks such a directory only then.
    const hasExceptions = dockerignore.split(/\r?\n/).some((line) => line.trim().startsWith("!"));
    const hash = createHash("sha256");
    const walk = (relativeDir: string): void => {
        const entries = fs.readdirSync(path.join(contextDir, relativeDir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const entry of entries) {
            const relative = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
            const ignored = matcher.ignores(relative);
            if (entry.isDirectory()) {
                if (!ignored || hasExceptions) walk(relative);
            } else if (!ignored && (entry.isFile() || entry.isSymbolicLink())) {
                const full = path.join(contextDir, relative);
                let content: Buffer | string;
                try {
                    content = entry.isSymbolicLink() ? `link\0${fs.readlinkSync(full)}` : fs.readFileSync(full);
                } catch (error) {
                    // A file removed while the walk ran is not part of the context any more.
                    if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
                    throw error;
                }
                hash.update(`file\0${relative}\0`);
                hash.update(content);
                hash.update("\0");
            }
        }
    };
    walk("");
    hash.update(`dockerfile\0${fs.readFileSync(dockerfile)}\0platform\0${platform}\0`);
    for (const name of Object.keys(buildArgs).sort()) hash.update(`arg\0${name}=${buildArgs[name]}\0`);
    return `build-${hash.digest("hex").slice(0, 16)}`;
}

/**
 * The prover image: a configured prebuilt digest, or built from the Docker context and pushed to the
 * stack's repository. The build never runs during preview (`buildOnPreview: false`): a preview
 * shows the image as changing when the context does, and the push happens on `up`.
 */
export function proverImage(
    name: string,
    source: ProverImageSource,
    repository: aws.ecr.Repository,
    awsContext: pulumi.Output<AwsContext>,
    parent: pulumi.Resource,
): PinnedImage {
    if (source.kind === "prebuilt") {
        const ctx = awsContext.apply((c) => ({ ...c, accountId: source.registryAccountId, region: source.registryRegion }));
        return {
            uri: pulumi.output(source.uri),
            registryId: pulumi.output(source.registryAccountId),
            repositoryName: pulumi.output(source.repositoryName),
            repositoryArn: ctx.apply((c) => arn.ecrRepository(c, source.repositoryName)),
            digest: pulumi.output(source.digest),
        };
    }

    const credentials = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent });
    const context = path.resolve(PROJECT_ROOT, source.context);
    const dockerfile = path.resolve(PROJECT_ROOT, source.dockerfile);
    const tag = buildContextTag(context, dockerfile, source.platform, { ...source.buildArgs });
    const image = new docker.Image(
        `${name}-image`,
        {
            // A tag per build: the repository's tags are immutable (see buildContextTag).
            imageName: pulumi.interpolate`${repository.repositoryUrl}:${tag}`,
            build: {
                context,
                dockerfile,
                platform: source.platform,
                args: { ...source.buildArgs },
            },
            registry: {
                server: repository.repositoryUrl,
                username: credentials.userName,
                password: pulumi.secret(credentials.password),
            },
            buildOnPreview: false,
        },
        { parent },
    );
    const digestRef = image.repoDigest.apply(splitDigestReference);
    return {
        uri: pulumi.interpolate`${repository.repositoryUrl}@${digestRef.digest}`,
        registryId: repository.registryId,
        repositoryName: repository.name,
        repositoryArn: repository.arn,
        digest: digestRef.digest,
    };
}
