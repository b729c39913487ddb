/**
 * The data API's resolvers: VTL mapping templates on two DynamoDB data sources.
 *
 * Why VTL and not APPSYNC_JS: the exact templates that deploy must be what the tests execute.
 * `@aws-amplify/amplify-appsync-simulator` (npm) evaluates AppSync VTL mapping templates, with
 * AppSync's `$util`/`$ctx` and the DynamoDB request shapes, against a real DynamoDB endpoint
 * (dynalite here). AppSync's JavaScript runtime has no local executor in the registry (its only
 * evaluator is the AppSync `EvaluateCode` API, a call to AWS), so JS resolvers could only be tested
 * by re-implementing the runtime. The templates are small and data-only (no loops over user data
 * beyond the input map), so VTL costs nothing here.
 * https://docs.aws.amazon.com/appsync/latest/devguide/resolver-mapping-template-reference-dynamodb.html
 *
 * Every request template builds its request as a map and renders it with `$util.toJson`, so no
 * argument is ever spliced into JSON text. Pure strings: no Pulumi imports.
 */
import { DataApiTypeName } from "./schema";

/** Data sources by role; the component names them `<role>` and points them at the tables. */
export type DataSourceRole = "votingSessions" | "votes";

export interface ResolverDefinition {
    typeName: DataApiTypeName;
    fieldName: string;
    dataSource: DataSourceRole;
    requestTemplate: string;
    responseTemplate: string;
}

/** Name of the Vote table's global secondary index on `id` (the application's `listVoteById`). */
export const VOTES_BY_ID_INDEX = "votesById";
/** Name of the VotingSession table's global secondary index on `createdAt` (the model's secondary index). */
export const SESSIONS_BY_CREATED_AT_INDEX = "votingSessionsByCreatedAt";
/** Page size when a list names no limit (the generated API's default). */
export const DEFAULT_LIST_LIMIT = 100;
/** Largest page a list answers: bounds the work one request can cause. */
export const MAX_LIST_LIMIT = 1000;

/** AppSync's DynamoDB resolver version. */
const VERSION = "2018-05-29";

/** Hands a data source error to the caller with its type, e.g. `DynamoDB:ConditionalCheckFailedException`. */
const RAISE_ERROR = `#if($ctx.error)
  $util.error($ctx.error.message, $ctx.error.type)
#end`;

const ITEM_RESPONSE = `${RAISE_ERROR}
$util.toJson($ctx.result)`;

const CONNECTION_RESPONSE = `${RAISE_ERROR}
$util.toJson({"items": $ctx.result.items, "nextToken": $ctx.result.nextToken})`;

/** `$limit` from the argument with the default, refused outside 1..MAX_LIST_LIMIT. */
const LIMIT = `#set($limit = $util.defaultIfNull($ctx.args.limit, ${DEFAULT_LIST_LIMIT}))
#if($limit < 1 || $limit > ${MAX_LIST_LIMIT})
  $util.error("limit must be between 1 and ${MAX_LIST_LIMIT}", "InvalidLimit")
#end`;

const WITH_NEXT_TOKEN = `#if(!$util.isNull($ctx.args.nextToken))
  $util.qr($request.put("nextToken", $ctx.args.nextToken))
#end`;

/**
 * `$item`: the input's non-null fields, the id defaulted, createdAt defaulted and updatedAt set to
 * now, plus the given defaults. Null fields are left out: an absent attribute reads as null.
 */
function itemFromInput(defaults: Record<string, string>): string {
    const defaultLines = Object.entries(defaults)
        .map(([field, value]) => `#if($util.isNull($item.${field}))\n  $util.qr($item.put("${field}", ${value}))\n#end`)
        .join("\n");
    return `#set($now = $util.time.nowISO8601())
#set($item = {})
#foreach($entry in $ctx.args.input.entrySet())
  #if(!$util.isNull($entry.value))
    $util.qr($item.put($entry.key, $entry.value))
  #end
#end
${defaultLines}
$util.qr($item.put("updatedAt", $now))`;
}

/**
 * createVotingSession: PutItem that refuses an existing id. Defaults as the generated API sets them:
 * an id when none is given, createdAt and updatedAt now, botCount 0 and finalized false (the model's
 * `.default(...)`).
 */
const CREATE_VOTING_SESSION = `${itemFromInput({ id: "$util.autoId()", createdAt: "$now", botCount: "0", finalized: "false" })}
#set($key = {"id": $util.dynamodb.toDynamoDB($item.id)})
$util.qr($item.remove("id"))
$util.toJson({
  "version": "${VERSION}",
  "operation": "PutItem",
  "key": $key,
  "attributeValues": $util.dynamodb.toMapValues($item),
  "condition": {"expression": "attribute_not_exists(#id)", "expressionNames": {"#id": "id"}}
})`;

/**
 * createVote: PutItem keyed by sessionId + voteIndex that refuses an existing key (a vote, once cast,
 * is never overwritten). id defaults like the generated API's; createdAt and updatedAt are now.
 */
const CREATE_VOTE = `${itemFromInput({ id: "$util.autoId()", createdAt: "$now" })}
#set($key = {"sessionId": $util.dynamodb.toDynamoDB($item.sessionId), "voteIndex": $util.dynamodb.toDynamoDB($item.voteIndex)})
$util.qr($item.remove("sessionId"))
$util.qr($item.remove("voteIndex"))
$util.toJson({
  "version": "${VERSION}",
  "operation": "PutItem",
  "key": $key,
  "attributeValues": $util.dynamodb.toMapValues($item),
  "condition": {
    "expression": "attribute_not_exists(#sessionId) AND attribute_not_exists(#voteIndex)",
    "expressionNames": {"#sessionId": "sessionId", "#voteIndex": "voteIndex"}
  }
})`;

/**
 * updateVotingSession: UpdateItem of an existing session (a missing id fails instead of creating a
 * partial one). Every non-null input field is SET, every field given as null REMOVEd (the application
 * clears `finalizationArtifactState` that way), updatedAt is now. Every attribute goes through a
 * name placeholder: `ttl` is a DynamoDB reserved word.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html
 */
const UPDATE_VOTING_SESSION = `#set($now = $util.time.nowISO8601())
#set($names = {"#updatedAt": "updatedAt"})
#set($values = {":updatedAt": $util.dynamodb.toDynamoDB($now)})
#set($setExpression = "SET #updatedAt = :updatedAt")
#set($removeExpression = "")
#foreach($entry in $ctx.args.input.entrySet())
  #if($entry.key != "id")
    $util.qr($names.put("#$entry.key", $entry.key))
    #if($util.isNull($entry.value))
      #if($removeExpression == "")
        #set($removeExpression = " REMOVE #$entry.key")
      #else
        #set($removeExpression = "$removeExpression, #$entry.key")
      #end
    #else
      $util.qr($values.put(":$entry.key", $util.dynamodb.toDynamoDB($entry.value)))
      #set($setExpression = "$setExpression, #$entry.key = :$entry.key")
    #end
  #end
#end
$util.toJson({
  "version": "${VERSION}",
  "operation": "UpdateItem",
  "key": {"id": $util.dynamodb.toDynamoDB($ctx.args.input.id)},
  "update": {"expression": "$setExpression$removeExpression", "expressionNames": $names, "expressionValues": $values},
  "condition": {"expression": "attribute_exists(#sessionKey)", "expressionNames": {"#sessionKey": "id"}}
})`;

/**
 * getVotingSession: a strongly consistent GetItem, so a read right after the application's own write
 * (dispatch and finalize read, then update) sees that write.
 */
const GET_VOTING_SESSION = `$util.toJson({
  "version": "${VERSION}",
  "operation": "GetItem",
  "key": {"id": $util.dynamodb.toDynamoDB($ctx.args.id)},
  "consistentRead": true
})`;

/** listVotingSessions: a page of a consistent Scan (the application sweeps expired sessions with it). */
const LIST_VOTING_SESSIONS = `${LIMIT}
#set($request = {"version": "${VERSION}", "operation": "Scan", "limit": $limit, "consistentRead": true})
${WITH_NEXT_TOKEN}
$util.toJson($request)`;

/**
 * listVoteBySessionIdAndVoteIndex: the session's votes in voteIndex order. The table's own key is
 * (sessionId, voteIndex), exactly the model's first secondary index, so this queries the table
 * itself: strongly consistent (a vote just cast is listed) and without a duplicate index to pay for.
 */
const LIST_VOTES_BY_SESSION = `${LIMIT}
#set($request = {
  "version": "${VERSION}",
  "operation": "Query",
  "query": {
    "expression": "#sessionId = :sessionId",
    "expressionNames": {"#sessionId": "sessionId"},
    "expressionValues": {":sessionId": $util.dynamodb.toDynamoDB($ctx.args.sessionId)}
  },
  "scanIndexForward": true,
  "consistentRead": true,
  "limit": $limit
})
${WITH_NEXT_TOKEN}
$util.toJson($request)`;

/** listVoteById: the vote with this id, through the `votesById` index (eventually consistent, as every GSI). */
const LIST_VOTES_BY_ID = `${LIMIT}
#set($request = {
  "version": "${VERSION}",
  "operation": "Query",
  "index": "${VOTES_BY_ID_INDEX}",
  "query": {
    "expression": "#id = :id",
    "expressionNames": {"#id": "id"},
    "expressionValues": {":id": $util.dynamodb.toDynamoDB($ctx.args.id)}
  },
  "limit": $limit
})
${WITH_NEXT_TOKEN}
$util.toJson($request)`;

/** One unit resolver per operation of DATA_API_OPERATIONS, and no other. */
export const DATA_API_RESOLVERS: readonly ResolverDefinition[] = [
    { typeName: "Query", fieldName: "getVotingSession", dataSource: "votingSessions", requestTemplate: GET_VOTING_SESSION, responseTemplate: ITEM_RESPONSE },
    { typeName: "Query", fieldName: "listVotingSessions", dataSource: "votingSessions", requestTemplate: LIST_VOTING_SESSIONS, responseTemplate: CONNECTION_RESPONSE },
    { typeName: "Query", fieldName: "listVoteBySessionIdAndVoteIndex", dataSource: "votes", requestTemplate: LIST_VOTES_BY_SESSION, responseTemplate: CONNECTION_RESPONSE },
    { typeName: "Query", fieldName: "listVoteById", dataSource: "votes", requestTemplate: LIST_VOTES_BY_ID, responseTemplate: CONNECTION_RESPONSE },
    { typeName: "Mutation", fieldName: "createVotingSession", dataSource: "votingSessions", requestTemplate: CREATE_VOTING_SESSION, responseTemplate: ITEM_RESPONSE },
    { typeName: "Mutation", fieldName: "updateVotingSession", dataSource: "votingSessions", requestTemplate: UPDATE_VOTING_SESSION, responseTemplate: ITEM_RESPONSE },
    { typeName: "Mutation", fieldName: "createVote", dataSource: "votes", requestTemplate: CREATE_VOTE, responseTemplate: ITEM_RESPONSE },
];

/**
 * DynamoDB actions each data source's templates issue, for the data source roles (least privilege:
 * no DeleteItem, no batch operations, no Scan of the votes).
 */
export const DATA_SOURCE_ACTIONS: Record<DataSourceRole, readonly string[]> = {
    votingSessions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Scan"],
    votes: ["dynamodb:PutItem", "dynamodb:Query"],
};
