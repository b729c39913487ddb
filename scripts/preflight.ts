/**
 * `npm run preflight -- <stack>`: read-only checks of the target account before `pulumi up`
 * (scripts/lib/preflight.ts says which and why). Never creates or changes anything.
 */
import { preflightCli } from "./lib/preflightCli";

preflightCli(process.argv.slice(2)).then(
    ({ code, out, err }) => {
        if (out) console.log(out);
        if (err) console.error(err);
        process.exit(code);
    },
    (e) => {
        console.error(e);
        process.exit(1);
    },
);
