/**
 * The GraphQL documents the application sends, re-expressed as fixtures: the session store's
 * (`src/lib/store/amplify/graphql.ts` of the application, with its full field selections) and the
 * reduced ones of its prover-dispatch and finalize-callback handlers. Same operation names,
 * variables, literal limits and selections; the tests run them against the deployed resolvers.
 */
import { SignatureV4 } from "@smithy/signature-v4";
import { NodeSha256 } from "../../../local/graphqlServer";

export const SESSION_FIELDS = [
    "id",
    "electionId",
    "contractGeneration",
    "finalizationArtifactState",
    "electionConfigHash",
    "electionConfigJson",
    "logId",
    "botCount",
    "finalized",
    "userVoteIndex",
    "ttl",
    "createdAt",
    "lastActivity",
    "finalizationResultJson",
    "bulletinRootHistoryJson",
] as const;

export const VOTE_FIELDS = ["id", "sessionId", "voteIndex", "choice", "random", "commitment", "timestamp", "rootAtCast", "isUserVote"] as const;

const sessionSelection = SESSION_FIELDS.join("\n      ");
const voteSelection = VOTE_FIELDS.join("\n        ");

export const STORE = {
    createSession: `mutation CreateVotingSession($input: CreateVotingSessionInput!) {
    createVotingSession(input: $input) {
      ${sessionSelection}
    }
  }`,
    updateSession: `mutation UpdateVotingSession($input: UpdateVotingSessionInput!) {
    updateVotingSession(input: $input) {
      ${sessionSelection}
    }
  }`,
    getSession: `query GetVotingSession($id: ID!) {
    getVotingSession(id: $id) {
      ${sessionSelection}
    }
  }`,
    listSessions: `query ListVotingSessions($nextToken: String) {
    listVotingSessions(limit: 100, nextToken: $nextToken) {
      items {
        id
        contractGeneration
        finalizationArtifactState
        ttl
        finalized
        lastActivity
        finalizationResultJson
      }
      nextToken
    }
  }`,
    votesBySession: `query VotesBySession($sessionId: ID!, $nextToken: String) {
    listVoteBySessionIdAndVoteIndex(sessionId: $sessionId, limit: 100, nextToken: $nextToken) {
      items {
        ${voteSelection}
      }
      nextToken
    }
  }`,
    votesById: `query VotesById($id: ID!, $nextToken: String) {
    listVoteById(id: $id, limit: 1, nextToken: $nextToken) {
      items {
        ${voteSelection}
      }
      nextToken
    }
  }`,
    createVote: `mutation CreateVote($input: CreateVoteInput!) {
    createVote(input: $input) {
      id
      sessionId
      voteIndex
    }
  }`,
} as const;

/** The prover-dispatch and finalize-callback handlers' own (reduced) documents. */
export const HANDLERS = {
    getSession: `query GetVotingSession($id: ID!) {
    getVotingSession(id: $id) {
      id
      contractGeneration
      finalizationArtifactState
      finalized
      finalizationResultJson
    }
  }`,
    updateSession: `mutation UpdateVotingSession($input: UpdateVotingSessionInput!) {
    updateVotingSession(input: $input) {
      id
    }
  }`,
} as const;

export interface GraphqlAnswer {
    status: number;
    body: { data?: any; errors?: Array<{ errorType?: string; message: string; path?: unknown[] }> };
}

/**
 * Posts a document the way the application does (`signedAppSyncFetch`): JSON body, `host` and
 * `content-type` signed with SigV4 for service `appsync`; `credentials: undefined` sends it unsigned.
 */
export async function postGraphql(
    endpoint: string,
    query: string,
    variables: Record<string, unknown>,
    signing: { region: string; credentials?: { accessKeyId: string; secretAccessKey: string } },
): Promise<GraphqlAnswer> {
    const url = new URL(endpoint);
    const body = JSON.stringify({ query, variables });
    let headers: Record<string, string> = { host: url.host, "content-type": "application/json" };
    if (signing.credentials) {
        const signer = new SignatureV4({ credentials: signing.credentials, region: signing.region, service: "appsync", sha256: NodeSha256 });
        const signed = await signer.sign({ method: "POST", protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers, body });
        headers = signed.headers as Record<string, string>;
    }
    const { host: _host, ...sent } = headers;
    const response = await fetch(url, { method: "POST", headers: sent, body });
    return { status: response.status, body: (await response.json()) as GraphqlAnswer["body"] };
}
