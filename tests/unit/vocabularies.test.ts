import { describe, expect, it } from "vitest";
import { catalogues } from "@/lib/i18n/catalogues";
import { ACCESS_ACTIONS, accessActionKey } from "@/lib/audit/actions";
import { ALERT_KINDS, alertKindKey } from "@/lib/alerts/kinds";
import { RECORD_SOURCES } from "@/lib/records/sources";
import { CONSENT_RECORD_CLASSES } from "@/lib/dto/consents";

// The writers take these unions as parameter types (an unlisted string fails typecheck); this makes sure that every
// value a writer can use has a human label on screen, in both languages.
const languages = ["en", "ko"] as const;

function label(lang: (typeof languages)[number], namespace: string, key: string): unknown {
  const ns = (catalogues[lang] as Record<string, Record<string, unknown>>)[namespace];
  return key.split(".").reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), ns);
}

describe.each(languages)("every code has a label (%s)", (lang) => {
  it.each(ACCESS_ACTIONS)("access action %s", (action) => {
    expect(label(lang, "accessActions", accessActionKey(action))).toEqual(expect.stringMatching(/\S/));
  });
  it.each(ALERT_KINDS)("alert kind %s", (kind) => {
    expect(label(lang, "compliance", `alertKinds.${alertKindKey(kind)}`)).toEqual(expect.stringMatching(/\S/));
  });
  it.each(RECORD_SOURCES)("record source %s", (source) => {
    expect(label(lang, "sources", source)).toEqual(expect.stringMatching(/\S/));
  });
  it.each(CONSENT_RECORD_CLASSES)("record class %s", (recordClass) => {
    expect(label(lang, "resourceTypes", recordClass)).toEqual(expect.stringMatching(/\S/));
  });
});

it("no label is a leftover of another vocabulary entry (one key per code)", () => {
  const keys = new Set(ACCESS_ACTIONS.map(accessActionKey));
  for (const lang of languages) expect(Object.keys(catalogues[lang].accessActions).filter((k) => !keys.has(k))).toEqual([]);
});
