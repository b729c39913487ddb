/**
 * Recognizing credentials passed as plain environment variables (visible to anyone who can read
 * the function or task configuration). Names are judged word by word so `INPUT_S3_KEY` (an object
 * key) passes, and a name that points at where a secret is stored (`SECRET_PARAMETER_CAPTCHA`,
 * `DB_PASSWORD_ARN`) passes: that is the pattern the policies ask for.
 */
const CREDENTIAL_WORDS = new Set([
    "SECRET",
    "SECRETS",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "TOKEN",
    "CREDENTIAL",
    "CREDENTIALS",
    "APIKEY",
    "ACCESSKEY",
    "PRIVATEKEY",
]);

/** `<word> KEY` pairs that name key material rather than, say, an S3 object key. */
const KEY_QUALIFIERS = new Set(["ACCESS", "PRIVATE", "API", "SIGNING", "ENCRYPTION", "MASTER"]);

/** Words that make the variable a reference to a stored secret, not the secret itself. */
const REFERENCE_WORDS = new Set(["PARAMETER", "PARAM", "SSM", "ARN", "NAME", "PATH", "ID"]);

export function looksLikeCredentialName(name: string): boolean {
    const words = name.toUpperCase().split(/[^A-Z0-9]+/).filter((w) => w !== "");
    if (words.some((w) => REFERENCE_WORDS.has(w))) return false;
    if (words.some((w) => CREDENTIAL_WORDS.has(w))) return true;
    return words.some((w, i) => w === "KEY" && i > 0 && KEY_QUALIFIERS.has(words[i - 1]));
}
