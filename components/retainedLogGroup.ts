import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * A log group created ahead of the service that writes to it, so it never appears implicitly with
 * "never expire" retention and is deleted with the stack (or kept, where the stack protects it).
 */
export function retainedLogGroup(
    resourceName: string,
    logGroupName: pulumi.Input<string>,
    retentionInDays: number,
    opts: pulumi.CustomResourceOptions,
): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(resourceName, { name: logGroupName, retentionInDays }, opts);
}
