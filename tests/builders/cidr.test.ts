import * as assert from "node:assert/strict";
import { contains, overlaps, parseIpv4Cidr, vpcCidrProblems } from "../../builders/cidr";

describe("IPv4 CIDR blocks (builders/cidr.ts)", () => {
    const cases: [string, { start: number; prefixLength: number } | undefined][] = [
        ["10.0.0.0/16", { start: 10 * 2 ** 24, prefixLength: 16 }],
        ["10.0.1.0/24", { start: 10 * 2 ** 24 + 256, prefixLength: 24 }],
        ["255.255.255.255/32", { start: 2 ** 32 - 1, prefixLength: 32 }],
        ["0.0.0.0/0", { start: 0, prefixLength: 0 }],
        ["10.0.1.5/24", undefined], // host bits set
        ["10.0.1.0/33", undefined],
        ["256.0.0.0/8", undefined],
        ["10.0.01.0/24", undefined],
        ["10.0.0.0", undefined],
        [" 10.0.0.0/16", undefined],
    ];
    for (const [text, expected] of cases) {
        it(`${JSON.stringify(text)} → ${expected === undefined ? "not a block" : `${expected.start}/${expected.prefixLength}`}`, () => {
            assert.deepEqual(parseIpv4Cidr(text), expected);
        });
    }

    it("containment and overlap include the edges and nothing past them", () => {
        const b = (t: string) => parseIpv4Cidr(t)!;
        assert.equal(contains(b("10.0.0.0/16"), b("10.0.255.0/24")), true);
        assert.equal(contains(b("10.0.0.0/16"), b("10.1.0.0/24")), false);
        assert.equal(contains(b("10.0.0.0/24"), b("10.0.0.0/16")), false);
        assert.equal(overlaps(b("10.0.1.0/24"), b("10.0.1.128/25")), true);
        assert.equal(overlaps(b("10.0.1.0/24"), b("10.0.2.0/24")), false);
    });

    it("the committed defaults have no problem; each broken rule is named once", () => {
        assert.deepEqual(vpcCidrProblems("cidrBlock", "10.0.0.0/16", { "a[0]": "10.0.1.0/24", "a[1]": "10.0.2.0/24", "b[0]": "10.0.11.0/24", "b[1]": "10.0.12.0/24" }), []);
        assert.deepEqual(vpcCidrProblems("cidrBlock", "10.0.0.0/8", { "a[0]": "10.0.1.0/24" }), ['cidrBlock: "10.0.0.0/8" must be from /16 to /28']);
        assert.deepEqual(vpcCidrProblems("cidrBlock", "10.0.0.0/16", { "a[0]": "x", "a[1]": "10.0.0.0/28", "a[2]": "10.0.0.20/28" }), [
            'a[0]: "x" is not an IPv4 CIDR block (a.b.c.d/n with no host bits set)',
            'a[2]: "10.0.0.20/28" is not an IPv4 CIDR block (a.b.c.d/n with no host bits set)',
        ]);
        assert.deepEqual(vpcCidrProblems("cidrBlock", "10.0.0.0/28", { "a[0]": "10.0.0.0/28", "a[1]": "10.0.0.0/28" }), ['a[1]: "10.0.0.0/28" overlaps a[0] "10.0.0.0/28"']);
    });
});
