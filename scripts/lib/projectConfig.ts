/**
 * The Pulumi CLI's rules for the `config:` block of Pulumi.yaml, applied offline so the plan and the
 * tests fail where `pulumi preview` would, before the program runs.
 *
 * Ported from the CLI (github.com/pulumi/pulumi): `mergeConfig` and `validateStackConfigValue` in
 * pkg/workspace/config.go (formerly sdk/go/common/workspace/config.go), `Project.Validate`,
 * `ValidateConfigValue` and `InferFullTypeName` in sdk/go/common/workspace/project.go:
 * - a key without `:` belongs to the project's namespace; `project:key` too;
 * - a project key declared without `default` (or `value`) that the stack does not set is required:
 *   "Stack '<stack>' is missing configuration value(s) ..." (all missing keys in one error);
 * - a declared `default` (or `value`) is set on the stack when the stack file lacks the key, and the
 *   program receives it like any stack value;
 * - a declared `type` is checked against the stack's value: `string`, `integer` (a whole number, or
 *   text that parses as one), `boolean` (true/false), `object` (a map), `array` with `items`;
 *   a primitive stack value is text, a structured one its decoded JSON;
 * - `secret: true` requires the stack value to be encrypted (`secure:`);
 * - the declarations themselves: no `default` together with `value`, arrays declare `items`, a
 *   default has the declared type; keys of another namespace (`aws:region`) carry only `value`.
 * Secure values cannot be decrypted offline, so their types are not checked here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

export interface ConfigItemsType {
    type: string;
    items?: ConfigItemsType;
}

export interface ConfigDeclaration {
    type?: string;
    items?: ConfigItemsType;
    description?: string;
    default?: unknown;
    value?: unknown;
    secret?: boolean;
}

export interface ProjectFile {
    name: string;
    config: Record<string, ConfigDeclaration>;
}

/** A stack's configuration as the CLI holds it: full key to text, structured values as JSON text. */
export interface StackValues {
    config: Record<string, string>;
    /** Keys whose value is encrypted (`secure:`). */
    secretKeys: readonly string[];
    /** Keys whose value is structured (a YAML list or map), so its text is JSON. */
    objectKeys: readonly string[];
}

export class ProjectConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ProjectConfigError";
    }
}

export function readProjectFile(dir: string): ProjectFile {
    const file = path.join(dir, "Pulumi.yaml");
    const parsed = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { name?: unknown; config?: Record<string, unknown> };
    if (typeof parsed.name !== "string" || parsed.name === "") throw new ProjectConfigError(`${file}: project is missing a non-empty string 'name' attribute`);
    const config: Record<string, ConfigDeclaration> = {};
    for (const [key, declaration] of Object.entries(parsed.config ?? {})) {
        // A bare value (`key: value`) is shorthand for `value:` (the CLI's ProjectConfigType unmarshalling).
        config[key] = declaration !== null && typeof declaration === "object" && !Array.isArray(declaration) ? (declaration as ConfigDeclaration) : { value: declaration };
    }
    return { name: parsed.name, config };
}

const isNamespacedByProject = (project: string, key: string) => !key.includes(":") || key.startsWith(`${project}:`);
const fullKey = (project: string, key: string) => (key.includes(":") ? key : `${project}:${key}`);

export function fullTypeName(type: string, items?: ConfigItemsType): string {
    return items ? `array<${fullTypeName(items.type, items.items)}>` : type;
}

/** `ValidateConfigValue`: whether a value (text, or decoded JSON for structured values) has the type. */
export function valueHasType(type: string, items: ConfigItemsType | undefined, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            if (typeof value === "number") return Number.isInteger(value);
            // Go's strconv.Atoi: an optional sign and decimal digits (within int64).
            return typeof value === "string" && /^[+-]?\d+$/.test(value) && Math.abs(Number(value)) <= Number.MAX_SAFE_INTEGER;
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object":
            return value !== null && typeof value === "object" && !Array.isArray(value);
        default:
            if (!Array.isArray(value) || items === undefined) return false;
            return value.every((item) => valueHasType(items.type, items.items, item));
    }
}

/** `Project.Validate` for the config block: problems of the declarations themselves. */
export function declarationProblems(project: ProjectFile): string[] {
    const problems: string[] = [];
    for (const [key, d] of Object.entries(project.config)) {
        if (d.default !== undefined && d.value !== undefined) {
            problems.push(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
            continue;
        }
        if (isNamespacedByProject(project.name, key)) {
            if (d.type === "array" && d.items === undefined) {
                problems.push(`The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`);
            } else if (d.type !== undefined && d.default !== undefined && !valueHasType(d.type, d.items, d.default)) {
                problems.push(`The default value specified for configuration key '${key}' is not of the expected type '${fullTypeName(d.type, d.items)}'`);
            }
        } else if (d.type !== undefined) {
            problems.push(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
        } else if (d.default !== undefined) {
            problems.push(`Configuration key '${key}' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?`);
        } else if (d.value === undefined) {
            problems.push(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
        }
    }
    return problems;
}

/** `formatMissingKeys` + `missingStackConfigurationKeysError`. */
export function missingKeysMessage(stack: string, keys: readonly string[]): string {
    const sorted = [...keys].sort();
    const list =
        sorted.length === 1
            ? `'${sorted[0]}'`
            : sorted.map((k, i) => (i === sorted.length - 1 ? `and '${k}'` : i === sorted.length - 2 ? `'${k}' ` : `'${k}', `)).join("");
    return `Stack '${stack}' is missing configuration ${sorted.length === 1 ? "value" : "values"} ${list}`;
}

/** `createConfigValue`: a primitive becomes text, anything else JSON (a structured value). */
function configValue(value: unknown): { text: string; object: boolean } {
    if (typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isInteger(value))) return { text: String(value), object: false };
    return { text: JSON.stringify(value), object: true };
}

/**
 * `mergeConfig` with validation: the stack's values with the project's defaults applied, or a
 * ProjectConfigError with the CLI's message (declaration problems, then missing keys, then types).
 */
export function applyProjectConfig(stack: string, project: ProjectFile, values: StackValues): StackValues {
    const declarationErrors = declarationProblems(project);
    if (declarationErrors.length > 0) throw new ProjectConfigError(`Pulumi.yaml: ${declarationErrors.join("; ")}`);

    const config = { ...values.config };
    const objectKeys = new Set(values.objectKeys);
    const missing: string[] = [];
    for (const key of Object.keys(project.config).sort()) {
        const d = project.config[key];
        const full = fullKey(project.name, key);
        if (config[full] !== undefined) continue;
        const fallback = d.default ?? d.value;
        if (fallback === undefined) {
            if (full.startsWith(`${project.name}:`)) missing.push(key);
            continue;
        }
        const { text, object } = configValue(fallback);
        config[full] = text;
        if (object) objectKeys.add(full);
    }
    if (missing.length > 0) throw new ProjectConfigError(missingKeysMessage(stack, missing));

    const typeErrors: string[] = [];
    for (const key of Object.keys(project.config).sort()) {
        const d = project.config[key];
        const full = fullKey(project.name, key);
        if (!isNamespacedByProject(project.name, key) || config[full] === undefined) continue;
        const secure = values.secretKeys.includes(full);
        if (d.secret === true && !secure) {
            typeErrors.push(`Stack '${stack}' with configuration key '${key}' must be encrypted as it's secret`);
            continue;
        }
        if (d.type === undefined || secure) continue;
        const content = objectKeys.has(full) ? JSON.parse(config[full]) : config[full];
        if (!valueHasType(d.type, d.items, content)) typeErrors.push(`Stack '${stack}' with configuration key '${key}' must be of type '${fullTypeName(d.type, d.items)}'`);
    }
    if (typeErrors.length > 0) throw new ProjectConfigError(typeErrors.join("\n"));
    return { config, secretKeys: values.secretKeys, objectKeys: [...objectKeys] };
}
