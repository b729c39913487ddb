import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { integerArgProblem, listLengthProblem, logRetentionProblem, problemsOf, throwIfInvalidArgs } from "../builders/componentArgs";
import { logGroupNames } from "../builders/names";
import { AwsContext, PolicyDocument, policyDocument, serviceTrustPolicy, writeOwnLogsStatement } from "../builders/policies/document";
import { LAMBDA_RUNTIME, handlerArchive } from "./lambdaCode";
import { retainedLogGroup } from "./retainedLogGroup";

export interface NodeFunctionArgs {
    /** Physical function name, e.g. `stark-ballot-simulator-prover-dispatch-develop`. Required. */
    functionName: string;
    /** Handler entry (TypeScript) relative to the project root, bundled with esbuild. Required unless `code` is set. */
    entry?: string;
    /** A prebuilt code archive (entry `index.handler`) used instead of bundling `entry`. Default: none. */
    code?: pulumi.Input<pulumi.asset.Archive>;
    /** What the function is for (shown in the console). Default: none. */
    description?: string;
    /** Timeout in seconds. Required (every function states its budget). */
    timeoutSeconds: number;
    /** Memory in MB. Required. */
    memorySize: number;
    /** Environment variables (never secrets). Default: none. */
    environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Retention of the function's pre-created log group. Required. */
    logRetentionDays: number;
    /** `protect` the log group (the record of past invocations) from deletion. Default: false. */
    protectLogGroup?: boolean;
    /** Reserved concurrency. Default: unreserved. */
    reservedConcurrency?: number;
    /**
     * What the function may do beyond writing its own logs, as a policy document built from
     * resolved ARNs. Default: nothing else.
     */
    policy?: pulumi.Input<PolicyDocument>;
    /** Partition, region and account, for the trust policy's confused-deputy condition. Required. */
    awsContext: pulumi.Input<AwsContext>;
    /** Layer version ARNs (at most 5). Default: none. */
    layers?: pulumi.Input<string>[];
    /** Instruction set; a native binary from a layer needs the layer's. Default: arm64. */
    architecture?: "arm64" | "x86_64";
}

/**
 * Lambda's limits on the values CreateFunction takes: a name of 1-64 letters, digits, `-` or `_`
 * (its role's name must fit IAM's 64 too, see functionRoleName), 1-900 s, 128-10240 MB, at most
 * five layers. https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
 */
export const LAMBDA_LIMITS = { timeoutSeconds: [1, 900], memorySizeMb: [128, 10240], layers: 5 } as const;

/** Every problem with the arguments at once, each naming the argument and the rule. */
export function validateNodeFunctionArgs(args: NodeFunctionArgs): string[] {
    const { timeoutSeconds: t, memorySizeMb: m } = LAMBDA_LIMITS;
    return problemsOf(
        /^[A-Za-z0-9_-]{1,64}$/.test(args.functionName) ? undefined : `functionName: "${args.functionName}" is not a Lambda function name (1-64 letters, digits, "-" or "_")`,
        (args.entry === undefined) === (args.code === undefined) ? "entry, code: set exactly one (the handler to bundle, or a prebuilt archive)" : undefined,
        integerArgProblem("timeoutSeconds", args.timeoutSeconds, t[0], t[1]),
        integerArgProblem("memorySize", args.memorySize, m[0], m[1]),
        logRetentionProblem("logRetentionDays", args.logRetentionDays),
        args.reservedConcurrency === undefined || (Number.isInteger(args.reservedConcurrency) && args.reservedConcurrency >= 0)
            ? undefined
            : `reservedConcurrency: ${args.reservedConcurrency} must be an integer of at least 0`,
        listLengthProblem("layers", (args.layers ?? []).length, 0, LAMBDA_LIMITS.layers),
    );
}

/**
 * A Node.js Lambda function with its own role, its own pre-created log group and a least-privilege
 * inline policy. The function is created only after its log group and policy exist, so its first
 * invocation can log and act.
 */
export class NodeFunction extends pulumi.ComponentResource {
    readonly function: aws.lambda.Function;
    readonly role: aws.iam.Role;
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly functionName: pulumi.Output<string>;
    readonly functionArn: pulumi.Output<string>;
    readonly roleArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: NodeFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before super: a bad argument must fail before this component or any child is registered.
        throwIfInvalidArgs("NodeFunction", name, validateNodeFunctionArgs(args));
        super("stark:lambda:NodeFunction", name, {}, opts);
        const child = { parent: this };

        this.logGroup = retainedLogGroup(`${name}-logs`, logGroupNames.lambda(args.functionName), args.logRetentionDays, {
            parent: this,
            protect: args.protectLogGroup ?? false,
        });

        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: functionRoleName(args.functionName),
                description: `Execution role of ${args.functionName}`,
                assumeRolePolicy: pulumi.output(args.awsContext).apply((ctx) =>
                    JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com", ctx)),
                ),
            },
            child,
        );

        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: this.role.id,
                name: "least-privilege",
                policy: pulumi.output({ logGroupArn: this.logGroup.arn, extra: args.policy }).apply(({ logGroupArn, extra }) =>
                    JSON.stringify(policyDocument(writeOwnLogsStatement(logGroupArn), ...(extra?.Statement ?? []))),
                ),
            },
            child,
        );

        this.function = new aws.lambda.Function(
            `${name}-function`,
            {
                name: args.functionName,
                description: args.description,
                runtime: LAMBDA_RUNTIME,
                architectures: [args.architecture ?? "arm64"],
                handler: "index.handler",
                code: args.code ?? handlerArchive(args.entry as string),
                role: this.role.arn,
                timeout: args.timeoutSeconds,
                memorySize: args.memorySize,
                reservedConcurrentExecutions: args.reservedConcurrency,
                layers: args.layers,
                environment: args.environment ? { variables: args.environment } : undefined,
                // Text, not JSON: the handlers already write one JSON object per line, which JSON format would
                // wrap into a string and hide from metric filters such as { $.level = "ERROR" }.
                loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
            },
            // Without these the function could start before it may write logs or reach its resources.
            { parent: this, dependsOn: [this.logGroup, rolePolicy] },
        );

        this.functionName = this.function.name;
        this.functionArn = this.function.arn;
        this.roleArn = this.role.arn;
        this.logGroupName = this.logGroup.name;
        this.registerOutputs({
            functionName: this.functionName,
            functionArn: this.functionArn,
            roleArn: this.roleArn,
            logGroupName: this.logGroupName,
        });
    }
}

/** Physical name of a function's execution role (IAM role names are at most 64 characters). */
export function functionRoleName(functionName: string): string {
    return `${functionName}-role`.slice(0, 64);
}
