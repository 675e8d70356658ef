import type { Subject } from "../identity/subject.ts";
import type { RequestBody } from "./body.ts";

/** What a check, the limiter and the dimension table may look at. Never the Hono context, never the route. */
export interface RequestFacts {
  request: Request;
  subject: Subject;
  /** The body, when the route needs it (read once, bounded); null otherwise. */
  body: RequestBody | null;
}
