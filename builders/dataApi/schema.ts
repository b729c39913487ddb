/**
 * The application's data API schema (AppSync GraphQL SDL), re-expressed from its Amplify model
 * definition (`amplify/data/resource.ts` of the application): the two models with their fields, and
 * exactly the operations the application's code sends (`src/lib/store/amplify/graphql.ts` and the
 * dispatch and finalize-callback handlers), with the argument and input shapes it uses.
 *
 * Pure text: the component deploys it and the local GraphQL server executes it, so both read this one
 * string. Relationship fields (`votes`, `session`) and the operations the application never sends
 * (delete, subscriptions, filters) are left out: nothing may call what nothing uses.
 *
 * AppSync scalars: AWSJSON carries the application's JSON documents (it sends them as JSON strings),
 * AWSDateTime its ISO-8601 timestamps.
 * https://docs.aws.amazon.com/appsync/latest/devguide/scalars.html
 */

/** Fields of VotingSession as the application's model declares them (createdAt is its own field). */
export const VOTING_SESSION_FIELDS = {
    id: "ID!",
    electionId: "String!",
    contractGeneration: "String",
    finalizationArtifactState: "String",
    electionConfigHash: "String",
    electionConfigJson: "AWSJSON",
    logId: "String",
    botCount: "Int",
    finalized: "Boolean",
    userVoteIndex: "Int",
    ttl: "Int",
    createdAt: "AWSDateTime",
    lastActivity: "AWSDateTime",
    finalizationResultJson: "AWSJSON",
    bulletinRootHistoryJson: "AWSJSON",
} as const;

/** Fields of Vote (identified by sessionId + voteIndex). */
export const VOTE_FIELDS = {
    id: "ID!",
    sessionId: "ID!",
    voteIndex: "Int!",
    choice: "String!",
    random: "String!",
    commitment: "String!",
    timestamp: "AWSDateTime",
    rootAtCast: "String",
    isUserVote: "Boolean",
} as const;

/** The operations the application sends, and nothing else (the IAM grant lists exactly these). */
export const DATA_API_OPERATIONS = {
    Query: ["getVotingSession", "listVotingSessions", "listVoteBySessionIdAndVoteIndex", "listVoteById"],
    Mutation: ["createVotingSession", "updateVotingSession", "createVote"],
} as const;

export type DataApiTypeName = keyof typeof DATA_API_OPERATIONS;

const fieldLines = (fields: Record<string, string>, indent = "  ") =>
    Object.entries(fields)
        .map(([name, type]) => `${indent}${name}: ${type}`)
        .join("\n");

/** Every field optional except the ones listed (input types). */
const optional = (fields: Record<string, string>, required: readonly string[] = []) =>
    Object.fromEntries(Object.entries(fields).map(([name, type]) => [name, required.includes(name) ? type : type.replace(/!$/, "")]));

/**
 * The schema. Like the generated API: both models carry an `updatedAt` the resolvers set on every
 * write (Vote also a `createdAt`); a create may choose the id or leave it to the resolver; an update
 * names the id and sets (or, with null, removes) any other field.
 */
export function dataApiSchema(): string {
    return `schema {
  query: Query
  mutation: Mutation
}

type VotingSession {
${fieldLines(VOTING_SESSION_FIELDS)}
  updatedAt: AWSDateTime!
}

type Vote {
${fieldLines(VOTE_FIELDS)}
  createdAt: AWSDateTime!
  updatedAt: AWSDateTime!
}

type ModelVotingSessionConnection {
  items: [VotingSession]!
  nextToken: String
}

type ModelVoteConnection {
  items: [Vote]!
  nextToken: String
}

input CreateVotingSessionInput {
${fieldLines(optional(VOTING_SESSION_FIELDS, ["electionId"]))}
}

input UpdateVotingSessionInput {
${fieldLines(optional(VOTING_SESSION_FIELDS, ["id"]))}
}

input CreateVoteInput {
${fieldLines(optional(VOTE_FIELDS, ["sessionId", "voteIndex", "choice", "random", "commitment"]))}
}

type Query {
  getVotingSession(id: ID!): VotingSession
  listVotingSessions(limit: Int, nextToken: String): ModelVotingSessionConnection
  listVoteBySessionIdAndVoteIndex(sessionId: ID!, limit: Int, nextToken: String): ModelVoteConnection
  listVoteById(id: ID!, limit: Int, nextToken: String): ModelVoteConnection
}

type Mutation {
  createVotingSession(input: CreateVotingSessionInput!): VotingSession
  updateVotingSession(input: UpdateVotingSessionInput!): VotingSession
  createVote(input: CreateVoteInput!): Vote
}
`;
}
