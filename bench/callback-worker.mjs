// Worker entry: lets the worker load TypeScript (tsx), then starts the server.
import { register } from "tsx/esm/api";

register();
await import("./callback-server.ts");
