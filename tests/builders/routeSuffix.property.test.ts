/**
 * Properties of the route child-resource suffix: Pulumi names built from it are well-formed, the
 * suffix depends on the route key alone (so reordering routes replaces nothing), and routes that
 * differ in method or in a literal path segment never share a child name.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { API_ROUTE_KEYS, routeResourceSuffix } from "../../builders/appApiSettings";

const method = fc.constantFrom("ANY", "GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "HEAD");
const literal = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"), minLength: 1, maxLength: 6 });
const segment = fc.oneof(literal, literal.map((s) => `{${s}}`), literal.map((s) => `{${s}+}`));
const routeKey = fc.tuple(method, fc.array(segment, { minLength: 1, maxLength: 4 })).map(([m, segments]) => `${m} /${segments.join("/")}`);
const literalRouteKey = fc.tuple(method, fc.array(literal, { minLength: 1, maxLength: 4 })).map(([m, segments]) => `${m} /${segments.join("/")}`);

describe("routeResourceSuffix (property)", () => {
    it("is a well-formed name fragment: lower-case letters and digits joined by single dashes", () => {
        fc.assert(fc.property(routeKey, (key) => assert.match(routeResourceSuffix(key), /^[a-z0-9]+(-[a-z0-9]+)*$/)));
    });

    it("depends on the route key alone, not on the list it is in", () => {
        fc.assert(
            fc.property(fc.uniqueArray(routeKey, { minLength: 1, maxLength: 6 }), (keys) => {
                const forward = new Map(keys.map((k) => [k, routeResourceSuffix(k)]));
                for (const k of [...keys].reverse()) assert.equal(routeResourceSuffix(k), forward.get(k));
            }),
        );
    });

    it("gives routes that differ in method or literal segments different names", () => {
        fc.assert(
            fc.property(literalRouteKey, literalRouteKey, (a, b) => {
                fc.pre(a !== b);
                assert.notEqual(routeResourceSuffix(a), routeResourceSuffix(b));
            }),
        );
    });

    it("names the API's own routes apart", () => {
        assert.equal(new Set(API_ROUTE_KEYS.map(routeResourceSuffix)).size, API_ROUTE_KEYS.length);
    });
});
