/**
 * Property: whatever literal text `statesFormat` is given (a configured prefix, an image name), the
 * produced `States.Format(...)` evaluates to exactly that text with each path's value in its place.
 * The rules are AWS's (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html):
 * inside a string literal `'`, `{`, `}` and `\` are escaped with a backslash, and each unescaped `{}`
 * takes the next argument. Two oracles:
 * - a decoder written from that page, for every character;
 * - aws-local-stepfunctions' own evaluator, for text without backslashes, parentheses and commas (it
 *   removes every backslash from a result, which AWS does not do for an escaped one, and its argument
 *   splitter trips over `)` and `,` inside a literal, which AWS allows: it cannot judge those).
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { StateMachine } from "aws-local-stepfunctions";
import { statesFormat } from "../../builders/proverStateMachine";

async function evaluate(expression: string, input: Record<string, string>): Promise<unknown> {
    const machine = new StateMachine({
        StartAt: "Format",
        States: { Format: { Type: "Pass", Parameters: { "out.$": expression }, End: true } },
    } as never, { validationOptions: { noValidate: true } });
    const { result } = machine.run(input);
    return ((await result) as { out: unknown }).out;
}

const PLAIN = ["/", "$", ".", "a", "Z", "0", " ", "-", "é", '"'];
const ORDINARY = [...PLAIN, ",", "(", ")"];
const part = (specials: string[], ordinary = ORDINARY) => fc.string({ unit: fc.constantFrom(...specials, ...ordinary), maxLength: 12 });
const tricky = part(["'", "{", "}", "\\"]);
const partsAndValues = (literal: fc.Arbitrary<string>) =>
    fc.array(literal, { minLength: 1, maxLength: 4 }).chain((parts) =>
        fc.tuple(fc.constant(parts), fc.array(fc.string({ unit: fc.constantFrom(...ORDINARY), maxLength: 8 }), { minLength: parts.length - 1, maxLength: parts.length - 1 })),
    );

/** States.Format as the AWS page defines it: the template literal unescaped, each unescaped `{}` an argument. */
function documentedFormat(expression: string, args: Record<string, string>): string {
    const match = /^States\.Format\('((?:[^'\\]|\\.)*)'((?:, \$\.[a-z0-9]+)*)\)$/.exec(expression);
    assert.ok(match, `not a States.Format call with one literal and paths: ${expression}`);
    const values = match[2] === "" ? [] : match[2].slice(2).split(", ").map((p) => args[p.slice(2)]);
    let out = "";
    let next = 0;
    const template = match[1];
    for (let i = 0; i < template.length; i++) {
        if (template[i] === "\\") {
            out += template[++i];
        } else if (template[i] === "{" && template[i + 1] === "}") {
            assert.ok(next < values.length, "more placeholders than arguments");
            out += values[next++];
            i++;
        } else {
            assert.ok(!"'{}".includes(template[i]), `unescaped ${template[i]} in ${template}`);
            out += template[i];
        }
    }
    assert.equal(next, values.length, "fewer placeholders than arguments");
    return out;
}

function build(parts: string[], values: string[]) {
    const input = Object.fromEntries(values.map((v, i) => [`v${i}`, v]));
    const expression = statesFormat(parts, ...values.map((_, i) => `$.v${i}`));
    const expected = parts.map((p, i) => p + (i < values.length ? values[i] : "")).join("");
    return { input, expression, expected };
}

describe("statesFormat (property)", () => {
    it("evaluates, by AWS's documented rules, to the literal parts with the path values between them", () => {
        fc.assert(
            fc.property(partsAndValues(tricky), ([parts, values]) => {
                const { input, expression, expected } = build(parts, values);
                assert.equal(documentedFormat(expression, input), expected, expression);
            }),
            { numRuns: 500 },
        );
    });

    it("evaluates in aws-local-stepfunctions to the same text (quotes and braces; no backslashes)", async () => {
        await fc.assert(
            fc.asyncProperty(partsAndValues(part(["'", "{", "}"], PLAIN)), async ([parts, values]) => {
                const { input, expression, expected } = build(parts, values);
                assert.equal(await evaluate(expression, input), expected, expression);
            }),
            { numRuns: 100 },
        );
    });

    it("refuses a part count that does not match the paths", () => {
        fc.assert(
            fc.property(fc.array(tricky, { maxLength: 4 }), fc.nat(4), (parts, pathCount) => {
                fc.pre(parts.length !== pathCount + 1);
                const paths = Array.from({ length: pathCount }, (_, i) => `$.v${i}`);
                assert.throws(() => statesFormat(parts, ...paths), /literal parts need/);
            }),
        );
    });
});
