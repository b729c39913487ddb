/**
 * A local stand-in for the application's AppSync data API, on 127.0.0.1 only: it executes the very
 * schema and VTL resolver templates the stack deploys (builders/dataApi) with
 * `@aws-amplify/amplify-appsync-simulator`'s template engine and DynamoDB data source, against a local
 * DynamoDB server (dynalite), behind a SigV4 check like AppSync's IAM authorization.
 *
 * The simulator's own HTTP server is not used: it listens on every interface and accepts any
 * `Authorization` header that merely starts with `AWS4-HMAC-SHA256`. This server verifies the
 * signature with the caller's secret key (re-signing the request as received), checks service
 * `appsync`, the region and the clock skew, and authorizes each top-level field against the caller's
 * allowed field ARNs, the way `appsync:GraphQL` is evaluated per field.
 * https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html#aws-iam-authorization
 *
 * Documented unhappy answers:
 * - no (or a non-SigV4) Authorization header: HTTP 401, errorType `UnauthorizedException`, message
 *   "Valid authorization header not provided." (as AppSync answers, e.g.
 *   https://github.com/aws-amplify/amplify-js/issues/4373);
 * - an unknown key, a wrong signature, service or region, or a stale date: HTTP 401,
 *   errorType `UnauthorizedException` / `InvalidSignatureException`
 *   (https://github.com/aws-amplify/amplify-js/issues/2422), nothing executed;
 * - a field the caller may not call: that field null with errorType `Unauthorized`.
 */
import * as http from "node:http";
import { createHash, createHmac } from "node:crypto";
import { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SignatureV4 } from "@smithy/signature-v4";
import { DATA_API_RESOLVERS, DATA_SOURCE_ACTIONS, DataSourceRole } from "../builders/dataApi/resolvers";
import { dataApiSchema } from "../builders/dataApi/schema";
import { DataTableLayout } from "../builders/dataApi/settings";
import type { LocalClientConfig } from "./servers";

// The simulator is a CommonJS package without typings for its internals.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AmplifyAppSyncSimulator } = require("@aws-amplify/amplify-appsync-simulator");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { addDataLoader, getDataLoader } = require("@aws-amplify/amplify-appsync-simulator/lib/data-loader");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DynamoDBDataLoader } = require("@aws-amplify/amplify-appsync-simulator/lib/data-loader/dynamo-db");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runQueryOrMutation } = require("@aws-amplify/amplify-appsync-simulator/lib/utils/graphql-runner/query-and-mutation");
// The one graphql copy (package.json pins the simulator's major, so its schema and this parser agree).
import * as graphql from "graphql";

const LOOPBACK = "127.0.0.1";
const DATA_SOURCE_TYPE = "STARK_DATA_API_DYNAMODB";

/**
 * The simulator's DynamoDB data source, held to what the deployed data source role allows: an
 * operation whose IAM action DATA_SOURCE_ACTIONS does not grant that data source fails as AWS would
 * refuse it (AccessDeniedException), so the role's action list is exercised, not just asserted.
 * Errors carry AppSync's `DynamoDB:<name>` type, without the simulator's console dump of each one.
 */
class RoleBoundDynamoDBDataLoader extends DynamoDBDataLoader {
    async load(payload: { operation: string }): Promise<unknown> {
        const method = ({ GetItem: "getItem", PutItem: "putItem", UpdateItem: "updateItem", Query: "query", Scan: "scan" } as Record<string, string>)[payload.operation];
        // The simulator keeps the data source's config and its operations on the loader, untyped.
        const loader = this as unknown as { ddbConfig: { name: DataSourceRole } } & Record<string, (payload: unknown) => Promise<unknown>>;
        const role = loader.ddbConfig.name;
        if (method === undefined || !DATA_SOURCE_ACTIONS[role].includes(`dynamodb:${payload.operation}`)) {
            throw Object.assign(new Error(`data source ${role} is not authorized to perform dynamodb:${payload.operation}`), {
                extensions: { errorType: "DynamoDB:AccessDeniedException" },
            });
        }
        try {
            return await loader[method](payload);
        } catch (error) {
            const e = error as Error & { extensions?: unknown };
            if (e.name) e.extensions = { errorType: `DynamoDB:${e.name}` };
            throw e;
        }
    }
}
try {
    getDataLoader(DATA_SOURCE_TYPE);
} catch {
    addDataLoader(DATA_SOURCE_TYPE, RoleBoundDynamoDBDataLoader);
}
/** SigV4 requests older or newer than this are refused (AWS's 5-minute window). */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Node's SHA-256 in the shape @smithy/signature-v4 takes (an AWS SDK "Checksum"). */
export class NodeSha256 {
    private readonly hash;
    constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
        this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", typeof secret === "string" ? secret : Buffer.from(secret as ArrayBuffer));
    }
    update(data: string | ArrayBuffer | ArrayBufferView): void {
        this.hash.update(typeof data === "string" ? data : Buffer.from(data as ArrayBuffer));
    }
    async digest(): Promise<Uint8Array> {
        return new Uint8Array(this.hash.digest());
    }
    reset(): void {
        throw new Error("NodeSha256.reset is not supported");
    }
}

export interface Caller {
    accessKeyId: string;
    secretAccessKey: string;
    /** Top-level fields this caller may call, as `Query.getVotingSession`; default: every field. */
    allowedFields?: readonly string[];
}

export interface LocalGraphqlOptions {
    /** The local DynamoDB server the data sources use. */
    dynamo: LocalClientConfig;
    /** Table names by data source role (created by `createDataTables`). */
    tableNames: Record<DataSourceRole, string>;
    /** Region the API "lives" in: signatures must name it. */
    region: string;
    /** Identities whose signatures are accepted. */
    callers: readonly Caller[];
}

export interface LocalGraphqlServer {
    /** `http://127.0.0.1:<port>/graphql`, the AMPLIFY_DATA_ENDPOINT of a local run. */
    endpoint: string;
    stop(): Promise<void>;
}

/** Creates a table of the data API on the local server, with its global secondary indexes. */
export async function createDataTable(client: DynamoDBClient, tableName: string, layout: DataTableLayout): Promise<void> {
    const keySchema = (hash: { name: string }, range?: { name: string }) => [
        { AttributeName: hash.name, KeyType: "HASH" as const },
        ...(range ? [{ AttributeName: range.name, KeyType: "RANGE" as const }] : []),
    ];
    const attributes = new Map<string, "S" | "N">();
    for (const k of [layout.hashKey, layout.rangeKey, ...layout.globalIndexes.flatMap((i) => [i.hashKey, i.rangeKey])]) if (k) attributes.set(k.name, k.type);
    await client.send(
        new CreateTableCommand({
            TableName: tableName,
            BillingMode: "PAY_PER_REQUEST",
            KeySchema: keySchema(layout.hashKey, layout.rangeKey),
            AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
            GlobalSecondaryIndexes:
                layout.globalIndexes.length === 0
                    ? undefined
                    : layout.globalIndexes.map((i) => ({ IndexName: i.name, KeySchema: keySchema(i.hashKey, i.rangeKey), Projection: { ProjectionType: "ALL" } })),
        }),
    );
}

/** The simulator's configuration: the deployed schema and templates, one DynamoDB data source per role. */
function simulatorConfig(options: LocalGraphqlOptions) {
    const roles = Object.keys(options.tableNames) as DataSourceRole[];
    return {
        appSync: {
            name: "local-data-api",
            defaultAuthenticationType: { authenticationType: "AWS_IAM" },
            additionalAuthenticationProviders: [],
        },
        schema: { content: dataApiSchema() },
        dataSources: roles.map((role) => ({
            type: DATA_SOURCE_TYPE,
            name: role,
            config: {
                tableName: options.tableNames[role],
                endpoint: options.dynamo.endpoint,
                region: options.dynamo.region,
                // Spread into the simulator's DynamoDBClient (SDK v3 takes `credentials`).
                credentials: options.dynamo.credentials,
            },
        })),
        resolvers: DATA_API_RESOLVERS.map((r) => ({
            kind: "UNIT",
            typeName: r.typeName,
            fieldName: r.fieldName,
            dataSourceName: r.dataSource,
            requestMappingTemplate: r.requestTemplate,
            responseMappingTemplate: r.responseTemplate,
        })),
    };
}

interface AuthFailure {
    status: number;
    errorType: string;
    message: string;
}

const MISSING_AUTH: AuthFailure = { status: 401, errorType: "UnauthorizedException", message: "Valid authorization header not provided." };

/** Verifies the request's SigV4 signature; returns the caller or why it is refused. */
async function authenticate(req: http.IncomingMessage, body: string, options: LocalGraphqlOptions): Promise<Caller | AuthFailure> {
    const authorization = req.headers.authorization;
    if (typeof authorization !== "string" || !authorization.startsWith("AWS4-HMAC-SHA256 ")) return MISSING_AUTH;
    const match = /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})/.exec(authorization);
    if (!match) return { status: 401, errorType: "IncompleteSignatureException", message: "Authorization header is not a complete SigV4 signature." };
    const [, accessKeyId, , region, service, signedHeaders] = match;
    const caller = options.callers.find((c) => c.accessKeyId === accessKeyId);
    if (!caller) return { status: 401, errorType: "UnrecognizedClientException", message: "The security token included in the request is invalid." };
    if (service !== "appsync" || region !== options.region) {
        return { status: 401, errorType: "InvalidSignatureException", message: `Credential should be scoped to region ${options.region} and service appsync.` };
    }
    const amzDate = req.headers["x-amz-date"];
    const signedAt = typeof amzDate === "string" ? Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z")) : NaN;
    if (!Number.isFinite(signedAt) || Math.abs(Date.now() - signedAt) > MAX_CLOCK_SKEW_MS) {
        return { status: 401, errorType: "InvalidSignatureException", message: "Signature expired or X-Amz-Date missing." };
    }
    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(";")) {
        const value = req.headers[name];
        if (value === undefined) return { status: 401, errorType: "IncompleteSignatureException", message: `'${name}' is named as a SignedHeader, but it does not exist in the HTTP request.` };
        headers[name] = Array.isArray(value) ? value.join(",") : value;
    }
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const signer = new SignatureV4({
        credentials: { accessKeyId: caller.accessKeyId, secretAccessKey: caller.secretAccessKey, sessionToken: headers["x-amz-security-token"] },
        region,
        service,
        sha256: NodeSha256,
    });
    const resigned = await signer.sign(
        { method: req.method ?? "POST", protocol: "http:", hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers, body },
        { signingDate: new Date(signedAt), unsignableHeaders: new Set(Object.keys(req.headers).filter((h) => !signedHeaders.split(";").includes(h))) },
    );
    if (resigned.headers.authorization !== authorization && resigned.headers.Authorization !== authorization) {
        return { status: 401, errorType: "InvalidSignatureException", message: "The request signature we calculated does not match the signature you provided." };
    }
    return caller;
}

/** Top-level fields of the operation the request runs, as `Type.field`. */
function topLevelFields(doc: graphql.DocumentNode, operationName: string | undefined): string[] {
    const operations = doc.definitions.filter((d): d is graphql.OperationDefinitionNode => d.kind === graphql.Kind.OPERATION_DEFINITION);
    const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
    if (!operation) return [];
    const typeName = operation.operation === "mutation" ? "Mutation" : operation.operation === "subscription" ? "Subscription" : "Query";
    return operation.selectionSet.selections.filter((s): s is graphql.FieldNode => s.kind === graphql.Kind.FIELD).map((s) => `${typeName}.${s.name.value}`);
}

function send(res: http.ServerResponse, status: number, payload: unknown): void {
    const text = JSON.stringify(payload);
    res.writeHead(status, { "content-type": "application/json;charset=UTF-8", "content-length": Buffer.byteLength(text) });
    res.end(text);
}

/** Starts the local data API on an ephemeral loopback port. Tables must already exist. */
export async function startLocalGraphql(options: LocalGraphqlOptions): Promise<LocalGraphqlServer> {
    // Constructing the simulator does not start its server; init compiles schema, templates and data sources.
    const simulator = new AmplifyAppSyncSimulator({ port: 0, wsPort: 0 });
    simulator.init(simulatorConfig(options));

    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            handle(req, Buffer.concat(chunks).toString("utf8"), res).catch((error: Error) =>
                send(res, 500, { errors: [{ errorType: "InternalFailure", message: error.message }] }),
            );
        });
    });

    async function handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
        if (req.method !== "POST" || new URL(req.url ?? "/", "http://x").pathname !== "/graphql") {
            return send(res, 404, { errors: [{ errorType: "NotFound", message: "POST /graphql only" }] });
        }
        const auth = await authenticate(req, body, options);
        if ("status" in auth) return send(res, auth.status, { errors: [{ errorType: auth.errorType, message: auth.message }] });

        let request: { query?: string; variables?: Record<string, unknown>; operationName?: string };
        let doc: graphql.DocumentNode;
        try {
            request = JSON.parse(body);
            doc = graphql.parse(request.query ?? "");
        } catch (error) {
            return send(res, 400, { errors: [{ errorType: "MalformedHttpRequestException", message: (error as Error).message }] });
        }
        const denied = topLevelFields(doc, request.operationName).filter((f) => auth.allowedFields !== undefined && !auth.allowedFields.includes(f));
        if (denied.length > 0) {
            // AppSync evaluates appsync:GraphQL per top-level field; a denied field is null with an error.
            return send(res, 200, {
                data: Object.fromEntries(denied.map((f) => [f.split(".")[1], null])),
                errors: denied.map((f) => {
                    const [typeName, field] = f.split(".");
                    return { path: [field], data: null, errorType: "Unauthorized", errorInfo: null, locations: [], message: `Not Authorized to access ${field} on type ${typeName}` };
                }),
            });
        }
        const context = {
            requestAuthorizationMode: "AWS_IAM",
            jwt: undefined,
            iamToken: { accountId: "000000000000", userArn: `arn:aws:iam::000000000000:user/${auth.accessKeyId}`, username: auth.accessKeyId },
            sourceIp: req.socket.remoteAddress,
            headers: req.headers,
            appsyncErrors: [],
        };
        const result = await runQueryOrMutation(simulator.schema, doc, request.variables ?? {}, request.operationName, context);
        send(res, 200, result);
    }

    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, LOOPBACK, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return {
        endpoint: `http://${LOOPBACK}:${port}/graphql`,
        stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}
