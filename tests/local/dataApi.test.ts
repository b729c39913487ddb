/**
 * The application's GraphQL documents against the deployed schema and VTL resolvers, executed by the
 * local data API (local/graphqlServer.ts) on dynalite: every operation, pagination, the defaults the
 * resolvers set, the duplicate-vote refusal, and the refusals of unsigned or mis-signed requests.
 */
import * as assert from "node:assert/strict";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { LocalDynamo, startLocalDynamo } from "../../local/servers";
import { LocalGraphqlServer, createDataTable, startLocalGraphql } from "../../local/graphqlServer";
import { VOTE_TABLE, VOTING_SESSION_TABLE } from "../../builders/dataApi/settings";
import { HANDLERS, STORE, postGraphql } from "./support/appGraphql";

const REGION = "ap-northeast-1";
const APP = { accessKeyId: "AKIAAPPFUNCTION", secretAccessKey: "app-function-secret" };
const OTHER = { accessKeyId: "AKIAOTHERROLE", secretAccessKey: "other-secret" };
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe("data API: the application's documents on the deployed resolvers (local AppSync on dynalite)", function () {
    this.timeout(30000);
    let dynamo: LocalDynamo;
    let api: LocalGraphqlServer;
    const tables = { votingSessions: "voting-sessions-test", votes: "votes-test" };
    /** `credentials: null` sends the request unsigned. */
    const call = (query: string, variables: Record<string, unknown>, credentials: typeof APP | null = APP) =>
        postGraphql(api.endpoint, query, variables, { region: REGION, credentials: credentials ?? undefined });

    before(async () => {
        dynamo = await startLocalDynamo();
        await createDataTable(dynamo.client, tables.votingSessions, VOTING_SESSION_TABLE);
        await createDataTable(dynamo.client, tables.votes, VOTE_TABLE);
        api = await startLocalGraphql({
            dynamo: dynamo.clientConfig(REGION),
            tableNames: tables,
            region: REGION,
            callers: [
                APP,
                { ...OTHER, allowedFields: ["Query.getVotingSession"] },
            ],
        });
    });
    after(async () => {
        await api?.stop();
        await dynamo?.stop();
    });

    const sessionInput = (id: string) => ({
        id,
        electionId: `election-${id}`,
        contractGeneration: "ct-v2",
        electionConfigHash: "0xabc",
        electionConfigJson: JSON.stringify({ choices: ["A", "B"], maxVotes: 64 }),
        logId: `log-${id}`,
        botCount: 0,
        finalized: false,
        userVoteIndex: null,
        ttl: 1893456000,
        createdAt: "2026-12-01T10:00:00.000Z",
        lastActivity: "2026-12-01T10:00:00.000Z",
        finalizationResultJson: null,
        bulletinRootHistoryJson: JSON.stringify([]),
    });

    it("createVotingSession stores the input and returns it with the store's full selection", async () => {
        const answer = await call(STORE.createSession, { input: sessionInput("s-1") });
        assert.equal(answer.status, 200);
        assert.equal(answer.body.errors, undefined);
        // Every input field comes back as stored, plus the selection's one field the input does not set.
        assert.deepEqual(answer.body.data.createVotingSession, { ...sessionInput("s-1"), finalizationArtifactState: null });
    });

    it("createVotingSession sets the generated API's defaults: id, botCount 0, finalized false, createdAt and updatedAt now", async () => {
        const before = Date.now();
        const answer = await call(STORE.createSession, { input: { electionId: "election-defaults" } });
        assert.equal(answer.body.errors, undefined);
        const created = answer.body.data.createVotingSession;
        assert.match(created.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.equal(created.botCount, 0);
        assert.equal(created.finalized, false);
        assert.match(created.createdAt, ISO_8601);
        assert.ok(Date.parse(created.createdAt) >= before - 1000 && Date.parse(created.createdAt) <= Date.now() + 1000);
        const documents = DynamoDBDocumentClient.from(dynamo.client);
        const stored = (await documents.send(new ScanCommand({ TableName: tables.votingSessions }))).Items!.find((i) => i.id === created.id)!;
        assert.equal(stored.updatedAt, stored.createdAt);
        assert.deepEqual(Object.keys(stored).sort(), ["botCount", "createdAt", "electionId", "finalized", "id", "updatedAt"]);
    });

    it("createVotingSession refuses an id that exists (no overwrite)", async () => {
        const answer = await call(STORE.createSession, { input: { ...sessionInput("s-1"), electionId: "other" } });
        assert.equal(answer.body.data.createVotingSession, null);
        assert.equal(answer.body.errors?.[0].errorType, "DynamoDB:ConditionalCheckFailedException");
        const again = await call(STORE.getSession, { id: "s-1" });
        assert.equal(again.body.data.getVotingSession.electionId, "election-s-1");
    });

    it("getVotingSession returns the session, or null for an unknown id", async () => {
        const found = await call(HANDLERS.getSession, { id: "s-1" });
        assert.deepEqual(found.body.data.getVotingSession, {
            id: "s-1",
            contractGeneration: "ct-v2",
            finalizationArtifactState: null,
            finalized: false,
            finalizationResultJson: null,
        });
        const missing = await call(STORE.getSession, { id: "nope" });
        assert.deepEqual(missing.body, { data: { getVotingSession: null } });
    });

    it("updateVotingSession sets the given fields, removes those given as null, keeps the rest (dispatch's and finalize's updates)", async () => {
        await call(STORE.updateSession, { input: { id: "s-1", finalizationArtifactState: "corrupt_or_unreadable", botCount: 3 } });
        const result = { contractGeneration: "ct-v2", finalizationState: { status: "running", executionId: "exec-1" } };
        const answer = await call(HANDLERS.updateSession, {
            input: { id: "s-1", finalizationResultJson: JSON.stringify(result), finalizationArtifactState: null, lastActivity: "2026-12-01T10:05:00.000Z", ttl: 1893459600 },
        });
        assert.deepEqual(answer.body, { data: { updateVotingSession: { id: "s-1" } } });
        const session = (await call(STORE.getSession, { id: "s-1" })).body.data.getVotingSession;
        assert.equal(session.finalizationArtifactState, null);
        assert.equal(session.botCount, 3);
        assert.equal(session.ttl, 1893459600);
        assert.equal(session.lastActivity, "2026-12-01T10:05:00.000Z");
        assert.deepEqual(JSON.parse(session.finalizationResultJson), result);
        assert.equal(session.electionId, "election-s-1");
        assert.equal(session.createdAt, "2026-12-01T10:00:00.000Z");
    });

    it("updateVotingSession of an unknown id fails instead of creating a partial session", async () => {
        const answer = await call(HANDLERS.updateSession, { input: { id: "ghost", finalized: true } });
        assert.equal(answer.body.data.updateVotingSession, null);
        assert.equal(answer.body.errors?.[0].errorType, "DynamoDB:ConditionalCheckFailedException");
        assert.deepEqual((await call(STORE.getSession, { id: "ghost" })).body.data, { getVotingSession: null });
    });

    const vote = (sessionId: string, voteIndex: number) => ({
        id: `vote-${sessionId}-${voteIndex}`,
        sessionId,
        voteIndex,
        choice: `enc:choice-${voteIndex}`,
        random: `enc:random-${voteIndex}`,
        commitment: `0xc${voteIndex}`,
        timestamp: "2026-12-01T10:01:00.000Z",
        rootAtCast: `0xroot${voteIndex}`,
        isUserVote: voteIndex === 0,
    });

    it("createVote stores a vote and answers with its key; a second vote at the same sessionId + voteIndex is refused", async () => {
        const first = await call(STORE.createVote, { input: vote("s-1", 0) });
        assert.deepEqual(first.body, { data: { createVote: { id: "vote-s-1-0", sessionId: "s-1", voteIndex: 0 } } });
        const duplicate = await call(STORE.createVote, { input: { ...vote("s-1", 0), id: "vote-other", choice: "enc:other" } });
        assert.equal(duplicate.status, 200);
        assert.equal(duplicate.body.data.createVote, null);
        assert.equal(duplicate.body.errors?.length, 1);
        assert.equal(duplicate.body.errors?.[0].errorType, "DynamoDB:ConditionalCheckFailedException");
        const stored = await call(STORE.votesById, { id: "vote-s-1-0" });
        assert.equal(stored.body.data.listVoteById.items[0].choice, "enc:choice-0");
        assert.deepEqual((await call(STORE.votesById, { id: "vote-other" })).body.data.listVoteById, { items: [], nextToken: null });
    });

    it("listVoteBySessionIdAndVoteIndex pages through a session's votes in voteIndex order (limit 100 per page)", async () => {
        for (let i = 1; i < 205; i++) await call(STORE.createVote, { input: vote("s-1", i) });
        await call(STORE.createVote, { input: vote("s-other", 0) });
        const indexes: number[] = [];
        const pageSizes: number[] = [];
        let nextToken: string | null = null;
        do {
            const page: any = (await call(STORE.votesBySession, { sessionId: "s-1", nextToken })).body.data.listVoteBySessionIdAndVoteIndex;
            pageSizes.push(page.items.length);
            indexes.push(...page.items.map((v: { voteIndex: number }) => v.voteIndex));
            nextToken = page.nextToken;
        } while (nextToken);
        assert.deepEqual(pageSizes.slice(0, 3), [100, 100, 5]);
        assert.deepEqual(indexes, Array.from({ length: 205 }, (_, i) => i));
        const first = (await call(STORE.votesBySession, { sessionId: "s-1", nextToken: null })).body.data.listVoteBySessionIdAndVoteIndex.items[0];
        assert.deepEqual(first, vote("s-1", 0));
    });

    it("listVoteById finds one vote by id (limit 1) through the id index", async () => {
        const answer = await call(STORE.votesById, { id: "vote-s-1-7", nextToken: null });
        assert.deepEqual(answer.body.data.listVoteById.items, [vote("s-1", 7)]);
    });

    it("listVotingSessions pages through every session with the store's selection", async () => {
        for (let i = 0; i < 120; i++) await call(STORE.createSession, { input: sessionInput(`bulk-${i}`) });
        const ids: string[] = [];
        const pageSizes: number[] = [];
        let nextToken: string | null = null;
        do {
            const page: any = (await call(STORE.listSessions, { nextToken })).body.data.listVotingSessions;
            pageSizes.push(page.items.length);
            ids.push(...page.items.map((s: { id: string }) => s.id));
            nextToken = page.nextToken;
        } while (nextToken);
        assert.deepEqual(pageSizes, [100, 22], "pages of at most 100");
        assert.equal(ids.length, 122);
        assert.equal(new Set(ids).size, 122);
        const listed = (await call(STORE.listSessions, { nextToken: null })).body.data.listVotingSessions.items.find((s: { id: string }) => s.id === "bulk-3");
        assert.deepEqual(listed, { id: "bulk-3", contractGeneration: "ct-v2", finalizationArtifactState: null, ttl: 1893456000, finalized: false, lastActivity: "2026-12-01T10:00:00.000Z", finalizationResultJson: null });
    });

    it("a list limit outside 1..1000 is refused by the resolver", async () => {
        const answer = await call(`query { listVotingSessions(limit: 0) { items { id } nextToken } }`, {});
        assert.equal(answer.body.errors?.[0].errorType, "InvalidLimit");
    });

    it("an unsigned request is refused with 401 UnauthorizedException and executes nothing", async () => {
        const answer = await call(STORE.createSession, { input: sessionInput("unsigned") }, null);
        assert.equal(answer.status, 401);
        assert.deepEqual(answer.body, { errors: [{ errorType: "UnauthorizedException", message: "Valid authorization header not provided." }] });
        assert.deepEqual((await call(STORE.getSession, { id: "unsigned" })).body.data, { getVotingSession: null });
    });

    it("a request signed with the wrong secret, or for another service, is refused", async () => {
        const wrong = await call(STORE.createSession, { input: sessionInput("forged") }, { accessKeyId: APP.accessKeyId, secretAccessKey: "guessed" });
        assert.equal(wrong.status, 401);
        assert.equal(wrong.body.errors?.[0].errorType, "InvalidSignatureException");
        const unknown = await call(STORE.getSession, { id: "s-1" }, { accessKeyId: "AKIAUNKNOWN", secretAccessKey: "x" });
        assert.equal(unknown.status, 401);
        assert.equal(unknown.body.errors?.[0].errorType, "UnrecognizedClientException");
        const otherRegion = await postGraphql(api.endpoint, STORE.getSession, { id: "s-1" }, { region: "us-east-1", credentials: APP });
        assert.equal(otherRegion.status, 401);
        assert.deepEqual(otherRegion.body.errors, [{ errorType: "InvalidSignatureException", message: `Credential should be scoped to region ${REGION} and service appsync.` }]);
        assert.deepEqual((await call(STORE.getSession, { id: "forged" })).body.data, { getVotingSession: null });
    });

    it("a signed caller may call only the fields its policy names", async () => {
        const allowed = await call(HANDLERS.getSession, { id: "s-1" }, OTHER);
        assert.equal(allowed.body.data.getVotingSession.id, "s-1");
        const denied = await call(STORE.createVote, { input: vote("s-1", 999) }, OTHER);
        assert.equal(denied.body.data.createVote, null);
        assert.equal(denied.body.errors?.[0].errorType, "Unauthorized");
        assert.deepEqual((await call(STORE.votesById, { id: "vote-s-1-999" })).body.data.listVoteById.items, []);
    });
});
