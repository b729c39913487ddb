/**
 * Deterministic physical names (SPEC §4): `stark-ballot-simulator-<role>-<environment>`.
 * They match the earlier Terraform setup so its resources can be adopted with `pulumi import`.
 */
export const PROJECT_NAME = "stark-ballot-simulator";

export function physicalName(role: string, environment: string): string {
    return `${PROJECT_NAME}-${role}-${environment}`;
}

/** Bucket names are global: they carry the account id unless a name is configured explicitly. */
export function bucketName(role: string, environment: string, accountId: string): string {
    return `${physicalName(role, environment)}-${accountId}`;
}

/** Log group names AWS services expect, so nothing is created implicitly with infinite retention. */
export const logGroupNames = {
    lambda: (functionName: string) => `/aws/lambda/${functionName}`,
    ecs: (role: string, environment: string) => `/ecs/${physicalName(role, environment)}`,
    stateMachine: (name: string) => `/aws/vendedlogs/states/${name}`,
    apiAccess: (name: string) => `/aws/apigateway/${name}`,
    cloudTrail: (name: string) => `/aws/cloudtrail/${name}`,
};
