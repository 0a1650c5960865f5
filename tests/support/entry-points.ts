// Every entry point of the app, found from the code: each page and route handler under app/, and each exported server
// action in lib/actions/. The authorization matrix (tests/unit/authorization-matrix.test.ts) holds every one to a rule
// in lib/authz.ts; the bad-bytes fuzz (tests/e2e/bad-bytes-fuzz.spec.ts) sends hostile bytes to every one. A new
// route or action is therefore covered by both without anyone listing it.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** app/patients/[patientId]/page.tsx → /patients/[patientId]; route groups "(x)" vanish from the URL. */
export function routePattern(file: string): string {
  const parts = relative("app", file).split(sep).slice(0, -1).filter((p) => !/^\(.*\)$/.test(p));
  return `/${parts.join("/")}`;
}

export type RouteEntry = { file: string; pattern: string; kind: "page" | "route" };

export const ROUTES: readonly RouteEntry[] = walk("app")
  .filter((f) => /(^|\/)(page\.tsx|route\.ts)$/.test(f))
  .map((file) => ({ file, pattern: routePattern(file), kind: file.endsWith("route.ts") ? "route" : "page" }));

/** Files under lib/actions that are server-action modules ("use server" at the top). */
export const ACTION_FILES: readonly string[] = readdirSync("lib/actions")
  .filter((f) => f.endsWith(".ts"))
  .map((f) => join("lib/actions", f))
  .filter((f) => /^\s*["']use server["']/.test(readFileSync(f, "utf8")));

export type ActionEntry = { name: string; file: string; fields: string[] };

/** Each exported server action with the form fields its own body reads (formData.get / getAll). */
export function actionEntries(): ActionEntry[] {
  return ACTION_FILES.flatMap((file) => {
    const source = readFileSync(file, "utf8");
    const starts = [...source.matchAll(/^export async function (\w+)\s*\(/gm)].map((m) => ({ name: m[1]!, at: m.index }));
    return starts.map(({ name, at }, i) => {
      const body = source.slice(at, starts[i + 1]?.at ?? source.length);
      const fields = [...new Set([...body.matchAll(/formData\.(?:get|getAll)\("([^"]+)"\)/g)].map((m) => m[1]!))];
      return { name, file, fields };
    });
  });
}
