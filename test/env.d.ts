declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../src/worker");
  }
}

declare module "*?raw" {
  const text: string;
  export default text;
}
