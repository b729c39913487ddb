/**
 * The wrapper's own environment variables (lambdas/app-wrapper/index.ts), named here so the builder
 * that sets them (builders/applicationBuilds.ts) and the wrapper that reads them share one spelling.
 */

/** Lambda's `<module path>.<export>` of the application's handler inside the build. */
export const APP_HANDLER = "APP_HANDLER";
/** JSON map from variable name to the SSM SecureString parameter holding its secret. */
export const APP_SECRET_PARAMETER_MAP = "APP_SECRET_PARAMETER_MAP";
/** Name of the stack's prover image record; the wrapper sets `EXPECTED_IMAGE_ID` from it. */
export const APP_PROVER_IMAGE_PARAMETER = "APP_PROVER_IMAGE_PARAMETER";
/** What the application reads the zkVM image id from (its src/lib/verification/expected-image-id.ts). */
export const EXPECTED_IMAGE_ID = "EXPECTED_IMAGE_ID";
