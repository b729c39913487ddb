/**
 * What SQS refuses in a work message, checked before an attempt exists so such input is the client's
 * 400 or 413, never a queued-then-abandoned attempt and a 503 that no retry can cure.
 *
 * SendMessage accepts only #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF and
 * answers anything else with InvalidMessageContents; a body over the queue's MaximumMessageSize is
 * refused too: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 *
 * Both are checked on the message as it will be sent (`JSON.stringify` of the parsed request), not on
 * the request body: JSON.stringify escapes control characters and lone surrogates but writes U+FFFE
 * and U+FFFF as they are, and re-serialized numbers can grow (`1e20` becomes 21 digits).
 */
import { ApiError } from "./errors";

/** One character outside SQS's set (with the `u` flag a pair of surrogates is one code point). */
const OUTSIDE_SQS_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Throws the client's error when SQS would refuse `body`; `maxBytes` is the queue's MaximumMessageSize. */
export function checkWorkMessage(body: string, maxBytes: number): void {
    const outside = OUTSIDE_SQS_CHARACTERS.exec(body);
    if (outside !== null) {
        const codePoint = outside[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
        throw new ApiError(400, "invalid_characters", `input contains U+${codePoint}, which the work queue cannot carry`);
    }
    const bytes = Buffer.byteLength(body, "utf8");
    if (bytes > maxBytes) {
        throw new ApiError(413, "payload_too_large", `the proof request serializes to ${bytes} bytes; the work queue takes at most ${maxBytes}`);
    }
}
