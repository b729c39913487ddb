/**
 * A local SSM Parameter Store endpoint on 127.0.0.1 for the bundled secrets wrapper: it speaks the
 * service's JSON protocol (`X-Amz-Target: AmazonSSM.GetParameter`) so the wrapper's real SDK client,
 * pointed here with `AWS_ENDPOINT_URL_SSM`, runs unchanged. Answers as SSM documents them: a missing
 * parameter is a 400 `ParameterNotFound`; a SecureString read without decryption returns its
 * ciphertext; any other operation is refused.
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
 */
import * as http from "node:http";
import { AddressInfo } from "node:net";

export interface LocalParameter {
    type: "String" | "SecureString";
    value: string;
}

export interface LocalSsmServer {
    endpoint: string;
    /** GetParameter requests received, in order (name and whether decryption was asked for). */
    requests: Array<{ name: string; withDecryption: boolean }>;
    stop(): Promise<void>;
}

export async function startLocalSsm(parameters: Record<string, LocalParameter>): Promise<LocalSsmServer> {
    const requests: LocalSsmServer["requests"] = [];
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const answer = (status: number, body: unknown) => {
                res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
                res.end(JSON.stringify(body));
            };
            if (req.headers["x-amz-target"] !== "AmazonSSM.GetParameter") {
                return answer(400, { __type: "InvalidAction", message: `${req.headers["x-amz-target"]} is not served here` });
            }
            const input = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { Name: string; WithDecryption?: boolean };
            requests.push({ name: input.Name, withDecryption: input.WithDecryption === true });
            const parameter = parameters[input.Name];
            if (!parameter) return answer(400, { __type: "ParameterNotFound", message: `Parameter ${input.Name} not found.` });
            const value = parameter.type === "SecureString" && input.WithDecryption !== true ? "AQICAHiphertext==" : parameter.value;
            answer(200, { Parameter: { Name: input.Name, Type: parameter.type, Value: value, Version: 1, DataType: "text" } });
        });
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return { endpoint: `http://127.0.0.1:${port}`, requests, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
