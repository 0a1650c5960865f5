// The worker and the web server log JSON lines (pino) for machines; in the `npm start` console a person reads them.
// Each line becomes "[name] HH:MM:SS LEVEL message key=value …"; a line that is not JSON passes through as it is.
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO ", 40: "WARN ", 50: "ERROR", 60: "FATAL" };
const SKIP = new Set(["level", "time", "msg", "pid", "hostname", "service", "v"]);

export function readableLine(name: string, line: string): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return `[${name}] ${line}`;
    entry = parsed as Record<string, unknown>;
  } catch {
    return `[${name}] ${line}`;
  }
  const time = typeof entry.time === "number" ? new Date(entry.time).toISOString().slice(11, 19) : "";
  const level = LEVELS[Number(entry.level)] ?? String(entry.level ?? "");
  const rest = Object.entries(entry)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return `[${name}] ${time} ${level} ${String(entry.msg ?? "")}${rest ? `  ${rest}` : ""}`;
}

/** Pipes a child's output to the console, one readable line at a time (errors and warnings to stderr). */
export function pipeReadable(name: string, stream: Readable | null, to: NodeJS.WriteStream): void {
  if (!stream) return;
  createInterface({ input: stream }).on("line", (line) => to.write(readableLine(name, line) + "\n"));
}
