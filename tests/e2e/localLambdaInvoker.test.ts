/** The local Lambda service's timeout and failure answers (local/lambdaInvoker.ts). */
import * as assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { withLambdaTimeout } from "../../local/lambdaInvoker";

const PREFIX = "The cause could not be determined because Lambda did not return an error type. Returned payload: ";
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

describe("local Lambda invoker", () => {
    it("answers with the handler's result within the timeout", async () => {
        assert.deepEqual(await withLambdaTimeout(1, undefined, async () => ({ ok: true })), { ok: true });
        assert.deepEqual(await withLambdaTimeout(1, "ok", async () => 7), 7);
    });

    it("a handler's own error passes through unchanged (a function error, not a service one)", async () => {
        const thrown = Object.assign(new Error("bad input"), { name: "InvalidInput" });
        await assert.rejects(() => withLambdaTimeout(1, undefined, async () => Promise.reject(thrown)), (e) => e === thrown);
    });

    const cases: [string, "timeout" | undefined, RegExp][] = [
        ["a handler still running at the timeout", undefined, new RegExp(`^\\{"errorMessage":"\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z ${UUID} Task timed out after 0\\.05 seconds"\\}$`)],
        ["an injected timeout", "timeout", new RegExp(`^\\{"errorMessage":"\\S+ ${UUID} Task timed out after 0\\.05 seconds"\\}$`)],
    ];
    for (const [label, fault, payload] of cases) {
        it(`${label} is Lambda.Unknown with Lambda's timeout payload`, async () => {
            let ran = false;
            const started = Date.now();
            await assert.rejects(
                () => withLambdaTimeout(0.05, fault, async () => ((ran = true), delay(1000))),
                (e: Error) => {
                    assert.equal(e.name, "Lambda.Unknown");
                    assert.ok(e.message.startsWith(PREFIX), e.message);
                    assert.match(e.message.slice(PREFIX.length), payload);
                    return true;
                },
            );
            assert.ok(Date.now() - started < 900, "answered at the timeout, not when the handler ended");
            assert.equal(ran, fault === undefined, "an injected timeout never runs the handler");
        });
    }

    it("a runtime exit is Lambda.Unknown with Runtime.ExitError in the payload, at once", async () => {
        let ran = false;
        await assert.rejects(
            () => withLambdaTimeout(5, "crash", async () => (ran = true)),
            (e: Error) =>
                e.name === "Lambda.Unknown" &&
                new RegExp(`^${PREFIX.replace(/[.]/g, "\\.")}\\{"errorType":"Runtime\\.ExitError","errorMessage":"RequestId: ${UUID} Error: Runtime exited with error: exit status 1"\\}$`).test(e.message),
        );
        assert.equal(ran, false);
    });
});
