/**
 * A stand-in for the zkVM host: a real executable (shebang, mode 755) the runner spawns exactly as it
 * would spawn the real one. `FAKE_HOST_MODE` (from the environment the runner passes on) picks the
 * behaviour; the files it writes are derived from the input, so tests can tell the host saw it.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export type FakeHostMode =
    | "success"
    | "minimal"
    | "fail"
    | "sleep"
    | "ignore-sigterm"
    | "omit-receipt"
    | "reserved-names";

const SOURCE = String.raw`#!/usr/bin/env node
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");
const { spawn } = require("node:child_process");

const [inputFile, outputDir] = process.argv.slice(2);
const mode = process.env.FAKE_HOST_MODE || "success";
const write = (name, value) => {
    fs.mkdirSync(path.dirname(path.join(outputDir, name)), { recursive: true });
    fs.writeFileSync(path.join(outputDir, name), typeof value === "string" ? value : JSON.stringify(value));
};
const inputText = fs.readFileSync(inputFile, "utf8");
const input = JSON.parse(inputText);
const sha256 = crypto.createHash("sha256").update(inputText).digest("hex");

console.log("fake host: proving " + input.electionId);
console.error("fake host: progress 100%");

if (mode === "fail") {
    console.error("fake host: constraint failed");
    process.exit(3);
}
if (mode === "sleep" || mode === "ignore-sigterm") {
    if (mode === "ignore-sigterm") process.on("SIGTERM", () => console.log("fake host: ignoring SIGTERM"));
    // A grandchild that shares the host's pipes, as a real host's worker processes would.
    const worker = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "inherit" });
    console.log("fake host: sleeping pid=" + process.pid + " worker=" + worker.pid);
    setInterval(() => {}, 1000);
    return;
}
if (mode !== "omit-receipt") write("receipt.json", { seal: "fake-seal", electionId: input.electionId });
write("journal.json", { inputSha256: sha256 });
if (mode !== "minimal") {
    write("public-input.json", { electionId: input.electionId, ballots: input.ballots.length });
    write("election-manifest.json", { electionId: input.electionId, title: input.title });
    write("close-statement.json", { closed: true });
    write("host-report.json", {
        argv: [inputFile, outputDir],
        cwd: process.cwd(),
        tmpdir: process.env.TMPDIR,
        awsVariables: Object.keys(process.env).filter((name) => name.startsWith("AWS_")).sort(),
    });
    write("logs/host.log", "proved " + input.electionId + "\n");
}
if (mode === "reserved-names") {
    write("input.json", "not the input");
    write("bundle.zip", "not a zip");
}
`;

/** Writes the fake host into `directory` and returns its path. */
export function writeFakeHost(directory: string, mode: number = 0o755): string {
    const file = path.join(directory, "fake-host");
    fs.writeFileSync(file, SOURCE, { mode });
    fs.chmodSync(file, mode);
    return file;
}

/** What a run in `success` mode leaves under the execution's prefix, sorted: the input, every host output, bundle.zip. */
export const SUCCESS_OBJECT_NAMES = [
    "bundle.zip",
    "close-statement.json",
    "election-manifest.json",
    "host-report.json",
    "input.json",
    "journal.json",
    "logs/host.log",
    "public-input.json",
    "receipt.json",
] as const;

/** The input every test proves; the fake host's outputs below follow from it. */
export const SAMPLE_INPUT = { electionId: "election-42", title: "Board vote", ballots: [1, 0, 1] };

export function expectedHostFiles(inputText: string): Record<string, string> {
    const sha256 = createHash("sha256").update(inputText).digest("hex");
    return {
        "receipt.json": JSON.stringify({ seal: "fake-seal", electionId: "election-42" }),
        "journal.json": JSON.stringify({ inputSha256: sha256 }),
        "public-input.json": JSON.stringify({ electionId: "election-42", ballots: 3 }),
        "election-manifest.json": JSON.stringify({ electionId: "election-42", title: "Board vote" }),
        "close-statement.json": JSON.stringify({ closed: true }),
    };
}

/** Pids the fake host prints in sleep modes: itself and its worker. */
export function parseSleepingPids(line: string): number[] | undefined {
    const match = /^fake host: sleeping pid=(\d+) worker=(\d+)$/.exec(line);
    return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** False once the process is gone or a zombie waiting for a reaper (it runs nothing any more). */
export function isRunning(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
        return state !== "Z" && state !== "X";
    } catch {
        return false;
    }
}
