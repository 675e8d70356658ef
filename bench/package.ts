/**
 * `npm run bench` (package part): what a Worker built on the package weighs. The package is packed, installed
 * into a fresh project (scripts/package-consumer.ts) and two Workers are bundled with `wrangler deploy --dry-run`,
 * side by side: the guard as middleware inside a Hono app (`distill-guard` and `distill-guard/limits` only), and
 * the ready-made Worker (`distill-guard/worker`: the gateway, the admin API and the dashboard). Sizes of the
 * bundled JavaScript, raw and gzipped (what Workers' size limits count).
 */
import { createConsumer } from "../scripts/package-consumer.ts";

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const consumer = createConsumer();
try {
  const middleware = consumer.bundle("middleware");
  const ready = consumer.bundle("ready");
  console.log("\nWorker bundles from the packed package (wrangler deploy --dry-run):");
  console.log(
    `  middleware only (distill-guard, distill-guard/limits): ${kib(middleware.bytes)}, gzip ${kib(middleware.gzipBytes)}`,
  );
  console.log(
    `  ready-made Worker (distill-guard/worker):             ${kib(ready.bytes)}, gzip ${kib(ready.gzipBytes)}`,
  );
  console.log(`  middleware / ready-made, gzip: ${(middleware.gzipBytes / ready.gzipBytes).toFixed(2)}×`);
} finally {
  consumer.remove();
}
