import { HTTPException } from "hono/http-exception";
import type { Verdict } from "../verdict/types.ts";

/**
 * A denial thrown instead of answered (`denials: "throw"`), for an app that shapes its errors in `app.onError`.
 * It carries the response the guard would have sent (`getResponse()`): Hono's default error handler sends exactly
 * that, so an app without an onError answers as if the guard had answered itself.
 */
export class GuardDenial extends HTTPException {
  override readonly name = "GuardDenial";
  constructor(
    response: Response,
    /** The decision: action, reasons, limits, retry-after. */
    readonly verdict: Verdict,
    /** The request id the response carries (`x-guard-request-id`, the error body). */
    readonly requestId: string,
  ) {
    super(response.status as ConstructorParameters<typeof HTTPException>[0], {
      res: response,
      message: verdict.code ?? "denied",
    });
  }
}
