import { useTranslations } from "next-intl";
import type { IntakeProblem } from "@/lib/dto/uploads";
import { plainProblem, problemLocation } from "@/lib/fhir/intake/model";

/**
 * Every problem of a refused file or correction, each first as a sentence in the reader's language (what is wrong and
 * which element), then as the detail someone fixing the file needs: the FHIRPath, numbered as the API's
 * OperationOutcome numbers it (lib/fhir/intake/model.ts), and the validator's own words.
 */
export function ProblemList({ problems, inBundle = true }: { problems: readonly IntakeProblem[]; inBundle?: boolean }) {
  const t = useTranslations("upload");
  if (problems.length === 0) return null;
  return (
    <ul className="mt-2 list-disc space-y-2 pl-5 text-ink">
      {problems.map((p, i) => {
        const at = problemLocation(p, inBundle);
        const plain = plainProblem(p);
        return (
          <li key={i} data-problem-entry={p.entry ?? ""} data-problem-field={p.field ?? ""} data-problem-code={p.code ?? ""}>
            {inBundle && at.entryNumber !== null ? <strong>{t("problemEntry", { entry: at.entryNumber, type: p.resourceType ?? "?" })} </strong> : null}
            <span data-problem-plain>{t(plain.key, { element: plain.element ?? t("theFile") })}</span>
            <span className="mt-0.5 block text-xs text-ink-muted">
              {at.expression ? <code className="mr-1 rounded bg-surface-muted px-1 break-all">{t("problemWhere", { path: at.expression })}</code> : null}
              {t("problemDetail", { message: p.message })}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
