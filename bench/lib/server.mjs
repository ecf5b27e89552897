// One benchmark server process on 127.0.0.1 (see app.mjs for the variants). Prints its URL when ready.
import { buildApp } from "./app.mjs";

const app = await buildApp(process.env.BENCH_VARIANT ?? "bare");
const server = app.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
