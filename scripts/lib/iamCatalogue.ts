/**
 * IAM verification for tools and tests. The implementation lives in the policy pack so the pack
 * stays self-contained (`pulumi policy publish` ships only its own folder); this is the entry
 * point the rest of the repository uses.
 */
export {
    IamCatalogue,
    actionSupportsResourceScoping,
    isKnownAction,
    loadIamCatalogue,
    verifyPolicyDocument,
} from "../../policy-pack/lib/iamCatalogue";
export { IAM_DOCUMENT_TYPES, policyDocumentsOf } from "../../policy-pack/lib/iamDocument";
export type { LocatedDocument } from "../../policy-pack/lib/iamDocument";
