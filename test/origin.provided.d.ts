// Values test/setup/origin.global.ts provides to the tests (read with inject()).
export {};

declare module "vitest" {
  interface ProvidedContext {
    /** Base URL of the demo origin in test mode (scripts/demo-origin.ts), no trailing slash. */
    originUrl: string;
    /** A local URL where nothing listens: connections are refused. */
    refusedUrl: string;
  }
}
