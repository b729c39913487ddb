/**
 * The account bootstrap project (bootstrap/Pulumi.yaml): one stack per account, the home of the
 * account- and registry-wide singletons. The same pack runs on its `pulumi up`; rules about what an
 * app stack may create or name exempt it. Read from the resources' URNs by CrossGuard, from the
 * `project` option offline.
 */
export const BOOTSTRAP_PROJECT = "stark-ballot-simulator-bootstrap";
