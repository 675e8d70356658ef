/**
 * A named, dated list a route's `geo` section (or one of its model rules) can
 * include by name and extend with its own entries. The user owns keeping it
 * current: `date` is the day its contents were last reviewed.
 */
export interface Preset {
  name: string;
  /** ISO date of the last review of the contents against their sources. */
  date: string;
  /** One line for messages and docs. */
  summary: string;
  /**
   * `deny`: its countries and regions join the policy's deny lists.
   * `hosting`: its ASNs are judged by the policy's `hosting` action.
   */
  kind: "deny" | "hosting";
  countries?: readonly string[];
  regions?: readonly string[];
  asns?: readonly number[];
}
