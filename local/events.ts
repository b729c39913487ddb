/** Lambda events as the AWS services send them, reduced to the fields the handlers read plus the usual ones. */
import type { SQSEvent, SQSRecord } from "aws-lambda";

/** A queue ARN for handler tests that need no particular one. */
export const QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:stark-ballot-simulator-prover-work-develop";

export function sqsRecord(messageId: string, body: string, receiveCount = 1, queueArn = QUEUE_ARN, region = "us-east-1"): SQSRecord {
    return {
        messageId,
        receiptHandle: `receipt-${messageId}`,
        body,
        attributes: {
            ApproximateReceiveCount: String(receiveCount),
            SentTimestamp: "1772323200000",
            SenderId: "AROAEXAMPLE",
            ApproximateFirstReceiveTimestamp: "1772323200000",
        },
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: queueArn,
        awsRegion: region,
    };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
    return { Records: records };
}

export interface HttpRequest {
    method: string;
    path: string;
    body?: string;
    headers?: Record<string, string>;
    sourceIp?: string;
}

/** An API Gateway HTTP API (payload format 2.0) event. */
export function httpApiEvent(request: HttpRequest) {
    const sourceIp = request.sourceIp ?? "198.51.100.7";
    return {
        version: "2.0",
        routeKey: "ANY /api/{proxy+}",
        rawPath: request.path,
        rawQueryString: "",
        headers: { host: "api.example.test", ...(request.headers ?? {}) },
        body: request.body ?? null,
        isBase64Encoded: false,
        requestContext: {
            accountId: "123456789012",
            apiId: "abc123",
            authentication: null,
            authorizer: {},
            domainName: "api.example.test",
            domainPrefix: "api",
            http: { method: request.method, path: request.path, protocol: "HTTP/1.1", sourceIp, userAgent: "test" },
            requestId: "request-1",
            routeKey: "ANY /api/{proxy+}",
            stage: "$default",
            time: "01/Mar/2026:00:00:00 +0000",
            timeEpoch: 1772323200000,
        },
    };
}
