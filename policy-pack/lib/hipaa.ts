/**
 * HIPAA Security Rule metadata shared by every policy of the pack (45 CFR Part 164).
 * The section mapping follows AWS Config's "Operational Best Practices for HIPAA Security" conformance pack (no
 * repository file: the team's reference copy lives outside the repository).
 */
import { PolicyComplianceFramework } from "@pulumi/policy";

/** Security Rule sections the pack cites. */
export type HipaaSection =
    | "164.312(a)(1)"
    | "164.312(a)(2)(i)"
    | "164.312(a)(2)(ii)"
    | "164.312(a)(2)(iv)"
    | "164.312(b)"
    | "164.312(c)(1)"
    | "164.312(c)(2)"
    | "164.312(d)"
    | "164.312(e)(1)"
    | "164.312(e)(2)(i)"
    | "164.312(e)(2)(ii)"
    | "164.308(a)(1)(ii)(A)"
    | "164.308(a)(1)(ii)(D)"
    | "164.308(a)(3)(i)"
    | "164.308(a)(4)"
    | "164.308(a)(6)"
    | "164.308(a)(7)"
    | "164.310(d)(2)(i)"
    | "164.310(d)(2)(ii)"
    | "164.310(d)(2)(iv)"
    | "164.316(b)(2)";

/** The `framework` block of a policy: HIPAA Security Rule, with the sections it implements. */
export function hipaa(...sections: HipaaSection[]): PolicyComplianceFramework {
    return {
        name: "HIPAA",
        version: "45 CFR Part 164 Subpart C (Security Rule)",
        reference: sections.join(", "),
        specification: "https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-C",
    };
}
