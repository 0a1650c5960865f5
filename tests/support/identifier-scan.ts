// Scans de-identified output for every identifying value the demo seeds (DEMO_IDENTIFIERS) and for identifier
// shapes in general (full dates, e-mail, IPs, URLs other than terminology systems). Used by unit and integration tests.
import { DEMO_IDENTIFIERS } from "@/lib/jobs/demo-data";
import { SAFE_SYSTEMS } from "@/lib/research/vocabulary";
import { AGE_BAND_EXTENSION } from "@/lib/research/deidentify";

export type Finding = { kind: string; value: string };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Every occurrence of a seeded value. Short numeric values (a year) are matched only as whole tokens, so that a
 * random hex id that happens to contain "1931" is not mistaken for a birth year.
 */
export function scanForIdentifiers(output: string, extra: Record<string, readonly string[]> = {}): Finding[] {
  const findings: Finding[] = [];
  for (const [kind, values] of Object.entries({ ...DEMO_IDENTIFIERS, ...extra })) {
    for (const value of values) {
      const hit = value.length < 8 && /^[0-9A-Za-z]+$/.test(value) ? new RegExp(`(?<![0-9A-Za-z])${escape(value)}(?![0-9A-Za-z])`).test(output) : output.includes(value);
      if (hit) findings.push({ kind, value });
    }
  }
  const shapes: [string, RegExp][] = [
    ["full date", /\b\d{4}-\d{2}-\d{2}\b/g],
    ["compact date", /(?<![0-9a-f-])(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![0-9a-f-])/g],
    ["email", /[\w.+-]+@[\w-]+\.[\w.]+/g],
    ["ip address", /\b\d{1,3}(\.\d{1,3}){3}\b/g],
    ["phone", /\b0\d{1,2}-\d{3,4}-\d{4}\b/g],
    ["resident registration number", /\b\d{6}-[1-4]\d{6}\b/g],
  ];
  for (const [kind, pattern] of shapes) for (const m of output.matchAll(pattern)) findings.push({ kind, value: m[0] });
  const allowedUrls = new Set([...SAFE_SYSTEMS, AGE_BAND_EXTENSION]);
  for (const m of output.matchAll(/(https?|urn):[^"\s]+/g)) if (!allowedUrls.has(m[0])) findings.push({ kind: "url", value: m[0] });
  return findings;
}
