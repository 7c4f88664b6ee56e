// The sweep worker when depin-twin runs from its TypeScript sources (tests): piscina loads this
// file, which registers tsx in the worker thread before it loads the TypeScript worker.
import { register } from "tsx/esm/api";

register();
const worker = await import("./sweep-worker.ts");
export default worker.default;
export const plan = worker.plan;
