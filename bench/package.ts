/**
 * `npm run bench` (package part): what a Worker built on the package weighs. The package is packed, installed
 * into a fresh project (scripts/package-consumer.ts) and three Workers are bundled with `wrangler deploy --dry-run`
 * (unminified: the consumer's wrangler.toml says nothing), side by side: the guard as middleware inside a Hono app
 * (`distill-guard` and `distill-guard/limits` only), the ready-made Worker (`distill-guard/worker`: the gateway)
 * and the same with the admin API and dashboard (`distill-guard/worker-with-admin`). Sizes of the bundled
 * JavaScript, raw and gzipped (what Workers' size limits count).
 */
import { createConsumer } from "../scripts/package-consumer.ts";

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const consumer = createConsumer();
try {
  const middleware = consumer.bundle("middleware");
  const ready = consumer.bundle("ready");
  const admin = consumer.bundle("admin");
  console.log("\nWorker bundles from the packed package (wrangler deploy --dry-run):");
  console.log(
    `  middleware only (distill-guard, distill-guard/limits): ${kib(middleware.bytes)}, gzip ${kib(middleware.gzipBytes)}`,
  );
  console.log(
    `  ready-made Worker (distill-guard/worker):             ${kib(ready.bytes)}, gzip ${kib(ready.gzipBytes)}`,
  );
  console.log(
    `  with the admin API (distill-guard/worker-with-admin): ${kib(admin.bytes)}, gzip ${kib(admin.gzipBytes)}`,
  );
  console.log(`  middleware / ready-made, gzip: ${(middleware.gzipBytes / ready.gzipBytes).toFixed(2)}×`);
} finally {
  consumer.remove();
}
