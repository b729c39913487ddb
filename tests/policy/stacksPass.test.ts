/** Both committed stacks, synthesized offline, pass every rule of the policy pack (advisory ones too). */
import * as assert from "node:assert/strict";
import { evaluatePolicies } from "../../policy-pack/policies";
import { synth } from "../support/synth";

for (const stack of ["develop", "main"] as const) {
    describe(`policy pack on the ${stack} stack`, () => {
        it("reports no violation", async () => {
            const result = await synth(stack);
            assert.strictEqual(result.outputs.environment, stack);
            assert.deepStrictEqual(await evaluatePolicies(result.resources, { environment: stack, stack }), []);
        });
    });
}
