/** Records the input of every command a real (not mocked) SDK client sends, to assert the exact request. */
export interface RecordedCommand {
    command: string;
    input: Record<string, unknown>;
}

interface MiddlewareClient {
    middlewareStack: {
        add(
            middleware: (
                next: (args: { input: object }) => Promise<unknown>,
                context: { commandName?: string },
            ) => (args: { input: object }) => Promise<unknown>,
            options: { step: "initialize"; name: string },
        ): void;
    };
}

export function recordCommands(client: object): RecordedCommand[] {
    const recorded: RecordedCommand[] = [];
    (client as MiddlewareClient).middlewareStack.add(
        (next, context) => async (args) => {
            recorded.push({ command: context.commandName ?? "unknown", input: { ...(args.input as Record<string, unknown>) } });
            return next(args);
        },
        { step: "initialize", name: "testCommandRecorder" },
    );
    return recorded;
}
