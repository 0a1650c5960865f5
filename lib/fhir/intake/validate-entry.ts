// Step 3 of intake: everything wrong with one entry's resource, all at once — the R4 definitions (structure, min
// cardinality, formats, FHIRPath invariants), the rules medplum does not apply (rules.ts), active narrative content
// (txt-1) and attachments that contradict their stated hash or size.
import { checkAttachments } from "../attachment";
import { validateFhirResource } from "../validate";
import { isObject, type IntakeProblem, type IssueCode, type Json } from "./model";
import { bindingProblems, periodAndTimeProblems } from "./rules";

// --- Narrative: FHIR R4 invariant txt-1 forbids active content in Narrative.div. The chart renders narratives as text
// (lib/fhir/narrative.ts), so this is defence in depth; we refuse rather than strip, because the stored record is
// anchored as evidence of what was sent and must not be a silently edited copy.
const ACTIVE_ELEMENTS = /<\s*(script|style|iframe|frame|frameset|object|embed|applet|form|input|button|textarea|select|base|link|meta|svg|math|template)\b/i;
const EVENT_HANDLER = /<[^>]*\s(on[a-z]+)\s*=/i;
const SCRIPT_URL = /(?:href|src|action|formaction|xlink:href|style)\s*=\s*["']?\s*(?:javascript|vbscript|data)\s*:/i;
const STYLE_EXPRESSION = /expression\s*\(|url\s*\(\s*["']?\s*javascript:/i;

/** What active content a narrative carries (a short description for the error message), or null when it has none. */
export function activeNarrativeContent(div: string): string | null {
  const element = ACTIVE_ELEMENTS.exec(div);
  if (element) return `a <${element[1]!.toLowerCase()}> element`;
  const handler = EVENT_HANDLER.exec(div);
  if (handler) return `an event handler attribute (${handler[1]!.toLowerCase()})`;
  if (SCRIPT_URL.test(div)) return "a script URL";
  if (STYLE_EXPRESSION.test(div)) return "a script expression in a style";
  return null;
}

/** Every narrative in a resource (its own and its contained resources'), with its FHIRPath. */
function narratives(resource: Json, path: string): { path: string; div: string }[] {
  const found: { path: string; div: string }[] = [];
  const text = resource.text;
  if (isObject(text) && typeof text.div === "string") found.push({ path: `${path}.text.div`, div: text.div });
  if (Array.isArray(resource.contained)) {
    resource.contained.forEach((inner, i) => {
      if (isObject(inner)) found.push(...narratives(inner, `${path}.contained[${i}]`));
    });
  }
  return found;
}

const ISSUE_CODES = new Set<string>(["invalid", "structure", "required", "value", "invariant", "code-invalid"]);

/** Every problem of one resource, each naming its element. `index` is the entry's position in Bundle.entry. */
export function validateEntry(resource: Json, index: number): IntakeProblem[] {
  const type = String(resource.resourceType);
  const problems: IntakeProblem[] = [];
  const add = (field: string | null, message: string, code: IssueCode) => problems.push({ entry: index, resourceType: type, field, message, code });
  for (const p of validateFhirResource(resource)) add(p.field, p.message, (ISSUE_CODES.has(p.code) ? p.code : "invalid") as IssueCode);
  for (const p of [...periodAndTimeProblems(resource), ...bindingProblems(resource)]) add(p.field, p.message, p.code ?? "invalid");
  for (const n of narratives(resource, type)) {
    const active = activeNarrativeContent(n.div);
    if (active) add(n.path, `The narrative contains ${active}; active content is not allowed in FHIR narratives (txt-1).`, "security");
  }
  for (const check of checkAttachments(resource)) {
    if (check.state === "mismatch" || check.state === "invalid") {
      const field = type === "DocumentReference" ? `DocumentReference.content[${check.index}].attachment` : `${type}.presentedForm[${check.index}]`;
      add(field, check.state === "mismatch" ? "The attachment's data does not match its stated hash or size." : "The attachment's data, hash or size is malformed.", "value");
    }
  }
  // The same element can break two rules the same way (medplum and ours); one line each is enough.
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
