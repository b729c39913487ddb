/**
 * Real protocol servers on 127.0.0.1 for handler and runner tests: s3rver speaks S3, dynalite speaks
 * DynamoDB. Tests point the real AWS SDK clients at them, so request shapes, key handling and
 * conditional writes are exercised as they would be against AWS. Nothing listens beyond loopback.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AddressInfo } from "node:net";
import { S3Client } from "@aws-sdk/client-s3";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { TableSchema } from "../lambdas/shared/tables";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite");

const LOOPBACK = "127.0.0.1";
const TEST_REGION = "us-east-1";
const TEST_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** Configuration for another SDK client of a local server, in the region the caller plays. */
export interface LocalClientConfig {
    endpoint: string;
    region: string;
    credentials: typeof TEST_CREDENTIALS;
    forcePathStyle?: boolean;
}

/** A protocol server on loopback and a ready client for it. */
export interface LocalServer<Client> {
    /** `http://127.0.0.1:<port>`: pass as `endpoint` or as `AWS_ENDPOINT_URL_<SERVICE>`. */
    endpoint: string;
    client: Client;
    /** Environment a child process needs so the default SDK chain reaches this server. */
    env: Record<string, string>;
    clientConfig(region: string): LocalClientConfig;
    stop(): Promise<void>;
}

export type LocalS3 = LocalServer<S3Client>;
export type LocalDynamo = LocalServer<DynamoDBClient>;

/** Starts s3rver on an ephemeral loopback port with the given buckets created. */
export async function startLocalS3(buckets: string[]): Promise<LocalS3> {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "s3rver-"));
    const server = new S3rver({
        address: LOOPBACK,
        port: 0,
        silent: true,
        directory,
        configureBuckets: buckets.map((name) => ({ name })),
    });
    honourIfNoneMatch(server);
    const { port } = (await server.run()) as AddressInfo;
    const endpoint = `http://${LOOPBACK}:${port}`;
    const client = new S3Client({
        endpoint,
        forcePathStyle: true,
        region: TEST_REGION,
        credentials: TEST_CREDENTIALS,
    });
    return {
        endpoint,
        client,
        env: {
            AWS_ENDPOINT_URL_S3: endpoint,
            AWS_S3_FORCE_PATH_STYLE: "true",
            AWS_REGION: TEST_REGION,
            AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        },
        clientConfig: (region) => ({ endpoint, region, credentials: TEST_CREDENTIALS, forcePathStyle: true }),
        async stop() {
            client.destroy();
            await server.close();
            fs.rmSync(directory, { recursive: true, force: true });
        },
    };
}

/** The parts of s3rver's Koa context the middleware below reads and sets. */
interface S3rverContext {
    get(header: string): string;
    method: string;
    path: string;
    query: Record<string, string | string[] | undefined>;
    status: number;
    type: string;
    body: unknown;
    store: { existsObject(bucket: string, key: string): Promise<boolean> };
}

interface KoaLike {
    middleware: ((ctx: S3rverContext, next: () => Promise<void>) => Promise<void>)[];
}

/**
 * s3rver ignores `If-None-Match` on PutObject and overwrites; S3 refuses the write with 412
 * PreconditionFailed when the key exists, and accepts only `*` as the value:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 * Inserted just before s3rver's router (its last middleware). Not atomic between two concurrent
 * writers (S3 answers the loser 409 ConditionalRequestConflict); a single writer sees S3's answers.
 */
function honourIfNoneMatch(server: unknown): void {
    const app = server as KoaLike;
    app.middleware.splice(app.middleware.length - 1, 0, async (ctx, next) => {
        const condition = ctx.get("if-none-match");
        if (ctx.method !== "PUT" || condition === "" || ctx.get("x-amz-copy-source") !== "" || ctx.query.partNumber !== undefined) {
            return next();
        }
        const [, bucket, ...keyParts] = String(ctx.path).split("/");
        const key = decodeURIComponent(keyParts.join("/"));
        if (condition !== "*") {
            ctx.status = 501;
            ctx.type = "application/xml";
            ctx.body = s3ErrorXml("NotImplemented", "A header you provided implies functionality that is not implemented", "If-None-Match");
            return;
        }
        if (await ctx.store.existsObject(bucket, key)) {
            ctx.status = 412;
            ctx.type = "application/xml";
            ctx.body = s3ErrorXml("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", "If-None-Match");
            return;
        }
        return next();
    });
}

function s3ErrorXml(code: string, message: string, condition: string): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><Condition>${condition}</Condition><RequestId>local</RequestId></Error>`;
}

/** Starts an in-memory dynalite on an ephemeral loopback port; tables are created instantly. */
export async function startLocalDynamo(): Promise<LocalDynamo> {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, LOOPBACK, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const endpoint = `http://${LOOPBACK}:${port}`;
    const client = new DynamoDBClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
    return {
        endpoint,
        client,
        env: {
            AWS_ENDPOINT_URL_DYNAMODB: endpoint,
            AWS_REGION: TEST_REGION,
            AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        },
        clientConfig: (region) => ({ endpoint, region, credentials: TEST_CREDENTIALS }),
        async stop() {
            client.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}

/** Creates an on-demand table with `schema`'s keys (the same schemas the Pulumi component uses). */
export async function createTable(client: DynamoDBClient, tableName: string, schema: TableSchema): Promise<void> {
    const keys = [schema.hashKey, ...(schema.rangeKey === undefined ? [] : [schema.rangeKey])];
    await client.send(
        new CreateTableCommand({
            TableName: tableName,
            KeySchema: keys.map((key, i) => ({ AttributeName: key.name, KeyType: i === 0 ? "HASH" : "RANGE" })),
            AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
            BillingMode: "PAY_PER_REQUEST",
        }),
    );
}
