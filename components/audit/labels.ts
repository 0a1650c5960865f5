import { useCallback } from "react";
import { useTranslations } from "next-intl";
import { accessActionKey, isAccessAction } from "@/lib/audit/actions";
import { alertKindKey, isAlertKind } from "@/lib/alerts/kinds";

/**
 * Human labels for the log's actions and the alerts' kinds, in the viewer's language. A code outside the vocabulary
 * (a row written before the vocabulary existed) gets the generic label; callers keep the code in a `title` for the
 * expert reader.
 */
export function useActionLabel(): (action: string) => string {
  const ta = useTranslations("accessActions");
  const tl = useTranslations("accessLog");
  return useCallback((action: string) => (isAccessAction(action) ? ta(accessActionKey(action)) : tl("otherAction")), [ta, tl]);
}

export function useAlertKindLabel(): (kind: string) => string {
  const tk = useTranslations("compliance");
  return useCallback((kind: string) => (isAlertKind(kind) ? tk(`alertKinds.${alertKindKey(kind)}`) : tk("otherAlertKind")), [tk]);
}

/** A detail's key (a path such as `filters.type`): its label when listed, else its last part in plain words. */
export function useDetailKeyLabel(): (key: string) => string {
  const tk = useTranslations("compliance");
  return useCallback(
    (key: string) => {
      const listed = `detailKeys.${key.replace(/\./g, "_")}`;
      if (tk.has(listed)) return tk(listed);
      const last = key.split(".").pop() ?? key;
      if (tk.has(`detailKeys.${last}`)) return tk(`detailKeys.${last}`);
      const words = last.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
      return words.charAt(0).toUpperCase() + words.slice(1);
    },
    [tk],
  );
}
