/**
 * Test access to synthesized stacks: one synthesis per distinct (stack, options), shared by every
 * test file in the run, plus finders that fail loudly with the names that do exist.
 */
import * as assert from "node:assert/strict";
import { SynthOptions, SynthResource, SynthResult, synthesizeStack } from "../../scripts/lib/synthesize";

const cache = new Map<string, Promise<SynthResult>>();
let queue: Promise<unknown> = Promise.resolve();

/** Synthesizes (once) and returns the stack; calls are serialized because the runtime is global. */
export function synth(stack: string, options: SynthOptions = {}): Promise<SynthResult> {
    const key = JSON.stringify([stack, options]);
    let result = cache.get(key);
    if (!result) {
        result = queue.then(() => synthesizeStack(stack, options));
        queue = result.catch(() => undefined);
        cache.set(key, result);
    }
    return result;
}

/** The error a synthesis that must fail threw, with how many resources it had registered by then. */
export async function synthFailure(promise: Promise<unknown>): Promise<Error & { registeredResources?: number }> {
    try {
        await promise;
    } catch (e) {
        return e as Error & { registeredResources?: number };
    }
    assert.fail("synthesis succeeded");
}

/**
 * `e` is the program's configuration refusal for `stack`, listing exactly `problems` in order (the format
 * tests/stacks/config.test.ts spells out), thrown before any resource was registered.
 */
export function assertConfigRefused(e: Error & { registeredResources?: number }, stack: string, problems: string[]): void {
    assert.equal(e.name, "StackConfigError");
    const count = `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
    assert.equal(e.message, [`Invalid configuration for stack "${stack}" (${count}):`, ...problems.map((p) => `  - ${p}`)].join("\n"));
    assert.equal(e.registeredResources, 0);
}

export function findAll(result: SynthResult, type: string): SynthResource[] {
    return result.resources.filter((r) => r.type === type);
}

export function find(result: SynthResult, type: string, name: string): SynthResource {
    const found = result.resources.find((r) => r.type === type && r.name === name);
    assert.ok(found, `no ${type} named ${name}; have: ${findAll(result, type).map((r) => r.name).join(", ") || "none"}`);
    return found;
}

/** Parses a JSON-string input (policy documents, container definitions, state-machine definitions). */
export function json<T = any>(resource: SynthResource, input: string): T {
    const value = resource.inputs[input];
    assert.equal(typeof value, "string", `${resource.urn}.${input} is not a JSON string`);
    return JSON.parse(value) as T;
}

/** Statements of a RolePolicy keyed by Sid. */
export function statementsBySid(resource: SynthResource, input = "policy"): Record<string, any> {
    const doc = json<{ Statement: Array<{ Sid: string }> }>(resource, input);
    return Object.fromEntries(doc.Statement.map((s) => [s.Sid, s]));
}
