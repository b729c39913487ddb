import * as assert from "node:assert/strict";
import { DOMAIN_NAME, EMAIL } from "../../builders/addressRules";

describe("address rules (builders/addressRules.ts, their one home)", () => {
    const emails: [string, boolean][] = [
        ["ops@example.com", true],
        ["first.last+alarms@sub.example.co.jp", true],
        ["nope", false],
        ["a@b", false],
        ["a b@example.com", false],
        ["<a@example.com>", false],
        ["a@@example.com", false],
    ];
    for (const [email, ok] of emails) it(`EMAIL ${ok ? "accepts" : "refuses"} ${JSON.stringify(email)}`, () => assert.equal(EMAIL.test(email), ok));

    const domains: [string, boolean][] = [
        ["example.com", true],
        ["vote.example.co.jp", true],
        ["Example.com", false],
        ["example", false],
        ["-bad.example.com", false],
        [`${"a".repeat(64)}.com`, false],
        [`${"a".repeat(63)}.com`, true],
        ["example.com.", false],
    ];
    for (const [domain, ok] of domains) it(`DOMAIN_NAME ${ok ? "accepts" : "refuses"} ${JSON.stringify(domain)}`, () => assert.equal(DOMAIN_NAME.test(domain), ok));
});
