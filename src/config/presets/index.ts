import { HOSTING } from "./hosting";
import { SANCTIONS, UA_OCCUPIED_2022 } from "./sanctions";
import type { Preset } from "./types";

export type { Preset } from "./types";
export { HOSTING, HOSTING_NETWORKS } from "./hosting";
export { SANCTIONS, UA_OCCUPIED_2022 } from "./sanctions";

/** Every preset a `geo` section can name, by name. */
export const PRESETS: ReadonlyMap<string, Preset> = new Map([SANCTIONS, UA_OCCUPIED_2022, HOSTING].map((p) => [p.name, p]));
