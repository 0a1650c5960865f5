// Step 5 of intake: every reference between entries re-pointed to what it became, before anything is committed.
// `urn:uuid:` and relative references to stored records become `<ResourceType>/<record id>`; references to the shared
// directory become `<ResourceType>/<directory id>` with the entry's display name copied in (so the chart never shows a
// name that was not committed); references to skipped entries and unresolvable conditional references become a logical
// `{display, identifier}`. No stored record keeps a `urn:uuid:` reference.
import { isObject, type Json } from "./model";
import { referencesIn } from "./identity";

/** What a reference can point at once intake has decided. */
export type Target =
  | { kind: "record"; type: string; id: string }
  | { kind: "directory"; type: string; id: string; display: string | null }
  | { kind: "skipped"; type: string; display: string | null; identifier: Json };

export type Targets = {
  /** By the exact reference text: a fullUrl (`urn:uuid:…`, absolute) or `Type/id`. */
  byReference: Map<string, Target>;
  /** Directory entries by `Type|system|value` of each identifier (conditional references, `Type?identifier=s|v`). */
  byIdentifier: Map<string, Target>;
};

export const RFC3986 = "urn:ietf:rfc:3986";

/** `Type?identifier=system|value` → its parts, or null for any other reference. */
export function conditionalIdentifier(reference: string): { type: string; system: string; value: string } | null {
  const m = /^([A-Z][A-Za-z]+)\?(.+)$/.exec(reference);
  if (!m) return null;
  const [system, value] = (new URLSearchParams(m[2]).get("identifier") ?? "").split("|");
  return system !== undefined && value ? { type: m[1]!, system, value } : null;
}

/** A short human name for a resource, for the display of references to it (directory entries, skipped entries). */
export function displayOf(resource: Json): string | null {
  const name = resource.name;
  if (typeof name === "string" && name.trim()) return name.trim();
  if (Array.isArray(name) && isObject(name[0])) {
    const n = name[0];
    if (typeof n.text === "string" && n.text.trim()) return n.text.trim();
    const parts = [...(Array.isArray(n.prefix) ? n.prefix : []), ...(Array.isArray(n.given) ? n.given : []), typeof n.family === "string" ? n.family : ""].filter((p) => typeof p === "string" && p);
    if (parts.length) return parts.join(" ");
  }
  const code = (resource.code ?? resource.type) as Json | undefined;
  if (isObject(code)) {
    const coding = Array.isArray(code.coding) && isObject(code.coding[0]) ? code.coding[0] : undefined;
    const text = code.text ?? coding?.display;
    if (typeof text === "string" && text.trim()) return text.trim();
  }
  return null;
}

/** Re-points every non-patient reference in `resource` (changed in place). Contained (`#id`) references stay. */
export function resolveReferences(resource: Json, targets: Targets): void {
  for (const { holder } of referencesIn(resource, String(resource.resourceType))) {
    const value = holder.reference;
    if (typeof value !== "string" || value.startsWith("#") || /^Patient\//.test(value)) continue;
    const conditional = conditionalIdentifier(value);
    const target = conditional ? targets.byIdentifier.get(`${conditional.type}|${conditional.system}|${conditional.value}`) : targets.byReference.get(value);
    if (target?.kind === "record") {
      holder.reference = `${target.type}/${target.id}`;
    } else if (target?.kind === "directory") {
      holder.reference = `${target.type}/${target.id}`;
      if (typeof holder.display !== "string" && target.display) holder.display = target.display;
    } else if (target?.kind === "skipped") {
      delete holder.reference;
      holder.type ??= target.type;
      holder.identifier ??= target.identifier;
      if (typeof holder.display !== "string" && target.display) holder.display = target.display;
    } else if (conditional) {
      // Synthea names providers by NPI without sending them: keep who it was, as a logical reference.
      delete holder.reference;
      holder.type ??= conditional.type;
      holder.identifier ??= { system: conditional.system, value: conditional.value };
    } else if (value.startsWith("urn:")) {
      // A urn that names nothing in this upload or an earlier one: kept as what it was, never as a dangling link.
      delete holder.reference;
      holder.identifier ??= { system: RFC3986, value };
    }
  }
}

/** Every reference text in a resource that intake may have to look up outside the upload (earlier uploads, the directory). */
export function outsideReferences(resource: Json): { references: string[]; identifiers: { type: string; system: string; value: string }[] } {
  const references: string[] = [];
  const identifiers: { type: string; system: string; value: string }[] = [];
  for (const { holder } of referencesIn(resource, String(resource.resourceType))) {
    const value = holder.reference;
    if (typeof value !== "string" || value.startsWith("#")) continue;
    const conditional = conditionalIdentifier(value);
    if (conditional) identifiers.push(conditional);
    else references.push(value);
  }
  return { references, identifiers };
}
