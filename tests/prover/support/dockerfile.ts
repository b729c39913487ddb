/**
 * Just enough of the Dockerfile and .dockerignore grammars to check the prover image's structure
 * without a Docker engine: comments, line continuations, flags, stages, exec-form JSON.
 */

export interface Instruction {
    keyword: string;
    /** Flags before the arguments (`--from=build` → `{ from: "build" }`). */
    flags: Record<string, string>;
    /** The arguments after the flags, as written. */
    args: string;
}

export interface Stage {
    name: string | undefined;
    image: string;
    from: Instruction;
    instructions: Instruction[];
}

export interface Dockerfile {
    /** Instructions before the first FROM (only ARG is legal there). */
    preamble: Instruction[];
    stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
    const logical: string[] = [];
    let pending = "";
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        // Comment lines are dropped, also inside a continued instruction, as Docker does.
        if (line.startsWith("#")) continue;
        if (line.endsWith("\\")) {
            pending += `${line.slice(0, -1).trim()} `;
            continue;
        }
        const full = (pending + line).trim();
        pending = "";
        if (full !== "") logical.push(full);
    }
    const result: Dockerfile = { preamble: [], stages: [] };
    for (const line of logical) {
        const instruction = parseInstruction(line);
        if (instruction.keyword === "FROM") {
            const [image, as, name] = instruction.args.split(/\s+/);
            const stageName = as?.toUpperCase() === "AS" ? name : undefined;
            result.stages.push({ name: stageName, image, from: instruction, instructions: [] });
        } else if (result.stages.length === 0) {
            result.preamble.push(instruction);
        } else {
            result.stages[result.stages.length - 1].instructions.push(instruction);
        }
    }
    return result;
}

function parseInstruction(line: string): Instruction {
    const [keyword, ...rest] = line.split(/\s+/);
    const flags: Record<string, string> = {};
    let index = 0;
    while (index < rest.length && rest[index].startsWith("--")) {
        const [name, value = ""] = rest[index].slice(2).split(/=(.*)/s);
        flags[name] = value;
        index++;
    }
    return { keyword: keyword.toUpperCase(), flags, args: rest.slice(index).join(" ") };
}

/** The stage's instructions with the given keyword. */
export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
    return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** `COPY src... dest` → sources and destination (shell form). */
export function copyPaths(instruction: Instruction): { sources: string[]; destination: string } {
    const parts = instruction.args.split(/\s+/);
    return { sources: parts.slice(0, -1), destination: parts[parts.length - 1] };
}

/** `.dockerignore` semantics have one home: the matcher the program uses for the image's build tag. */
export { isDockerIgnored as isIgnored } from "../../../components/proverImage";
