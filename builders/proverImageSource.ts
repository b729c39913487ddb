/**
 * Where the prover image comes from: the type the stack config produces and the ProverPipeline
 * component consumes. Pure (no Pulumi), so both layers import it from here rather than the
 * component layer reaching up into stacks/.
 */

/** The prover task runs on ARM64 Fargate: every image must be built for this platform. */
export const PROVER_PLATFORM = "linux/arm64";

export type ProverImageSource =
    | {
          kind: "prebuilt";
          /** `<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<hex>` */
          uri: string;
          registryAccountId: string;
          registryRegion: string;
          repositoryName: string;
          digest: string;
      }
    | {
          kind: "build";
          /** Docker build context, relative to the project directory. */
          context: string;
          /** Dockerfile path, relative to the project directory. */
          dockerfile: string;
          buildArgs: Readonly<Record<string, string>>;
          platform: typeof PROVER_PLATFORM;
      };
