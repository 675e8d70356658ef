// The address of the JWKS host started by test/setup/jwks-server.ts.
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** `http://127.0.0.1:PORT`: `PUT /jwks/NAME` stores a key set, `GET /jwks/NAME` serves it, `GET /count/NAME` counts those GETs. */
    jwksServer: string;
  }
}
