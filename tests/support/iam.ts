/**
 * The specs' IAM evaluation core lives with the wiring proof (`tools/wiring/iam.ts`), which the evidence report also
 * runs; specs keep importing it from here.
 */
export { ALLOW_ALL, evaluate } from "../../tools/wiring/iam";
export type { Decision, IamRequest } from "../../tools/wiring/iam";
