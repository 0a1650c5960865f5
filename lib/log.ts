import pino from "pino";
import { logLevel } from "./env";

// Structured JSON. Never pass patient data or secrets: callers log ids and outcomes only.
export const log = pino({
  level: logLevel(),
  base: { service: "chartproof" },
  redact: { paths: ["password", "*.password", "authorization", "*.authorization", "cookie", "*.cookie"], remove: true },
});
