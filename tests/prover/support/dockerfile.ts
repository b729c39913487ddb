/**
 * The prover image's Dockerfile as a real parser reads it (dockerfile-ast, the parser of the Docker
 * language server): comments, line continuations, flags, stages and argument splitting are its, not
 * ours. This module only reshapes its tree into stages of plain records the tests compare.
 */
import { DockerfileParser, From, type Instruction as AstInstruction } from "dockerfile-ast";

export interface Instruction {
    keyword: string;
    /** Flags before the arguments (`--from=build` → `{ from: "build" }`). */
    flags: Record<string, string>;
    /** The arguments after the flags, continuation lines joined. */
    args: string;
    /** The arguments as Docker splits them. */
    arguments: string[];
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

function flagsOf(instruction: AstInstruction): Record<string, string> {
    // Only instructions that take flags (FROM, COPY, ADD, RUN, HEALTHCHECK) have getFlags.
    const withFlags = instruction as AstInstruction & { getFlags?: () => { getName(): string; getValue(): string | null }[] };
    return Object.fromEntries((withFlags.getFlags?.() ?? []).map((flag) => [flag.getName(), flag.getValue() ?? ""]));
}

function toInstruction(instruction: AstInstruction): Instruction {
    return {
        keyword: instruction.getKeyword().toUpperCase(),
        flags: flagsOf(instruction),
        args: instruction.getArgumentsContent() ?? "",
        arguments: instruction.getArguments().map((argument) => argument.getValue()),
    };
}

export function parseDockerfile(text: string): Dockerfile {
    const result: Dockerfile = { preamble: [], stages: [] };
    for (const instruction of DockerfileParser.parse(text).getInstructions()) {
        const parsed = toInstruction(instruction);
        if (instruction instanceof From) {
            result.stages.push({ name: instruction.getBuildStage() ?? undefined, image: instruction.getImage() ?? "", from: parsed, instructions: [] });
        } else if (result.stages.length === 0) {
            result.preamble.push(parsed);
        } else {
            result.stages[result.stages.length - 1].instructions.push(parsed);
        }
    }
    return result;
}

/** The stage's instructions with the given keyword. */
export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
    return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** `COPY src... dest` → sources and destination (shell form). */
export function copyPaths(instruction: Instruction): { sources: string[]; destination: string } {
    return { sources: instruction.arguments.slice(0, -1), destination: instruction.arguments[instruction.arguments.length - 1] };
}

/** `.dockerignore` semantics have one home: the matcher the program uses for the image's build tag. */
export { isDockerIgnored as isIgnored } from "../../../components/proverImage";
