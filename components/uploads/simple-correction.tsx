"use client";

import { useTranslations } from "next-intl";
import { inputClass } from "@/components/ui/form-bits";

type Json = Record<string, unknown>;

/** Record types with a simple form: the fields a patient most often needs to correct. */
export const SIMPLE_CORRECTION_TYPES = ["Observation", "Condition"] as const;

const CLINICAL_STATUSES = ["active", "recurrence", "relapse", "inactive", "remission", "resolved"] as const;
const CLINICAL_STATUS_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-clinical";

const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const day = (v: unknown) => (typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : "");
/** A FHIR dateTime with a time → the value of a datetime-local input, in the browser's own zone. */
function localTime(v: unknown): string {
  if (typeof v !== "string" || v.length <= 10) return "";
  const at = new Date(v);
  if (Number.isNaN(at.getTime())) return "";
  const local = new Date(at.getTime() - at.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/**
 * The common fields of an Observation (value, unit, when measured) or a Condition (clinical status, onset,
 * resolution) as plain inputs. Each change rewrites the resource the form submits: one correction path, checked
 * on the server like an upload; everything else in the record is kept as it was.
 */
export function SimpleCorrectionFields({ resource, onChange }: { resource: Json; onChange: (next: Json) => void }) {
  const t = useTranslations("upload.simple");
  const set = (patch: Json) => onChange({ ...resource, ...patch });
  const drop = (...keys: string[]) => Object.fromEntries(Object.entries(resource).filter(([k]) => !keys.includes(k)));

  if (resource.resourceType === "Observation") {
    const quantity = obj(resource.valueQuantity);
    return (
      <div className="grid gap-4 sm:grid-cols-3" data-simple-correction="Observation">
        <div>
          <label htmlFor="sc-value" className="mb-1 block text-sm font-semibold">
            {t("value")}
          </label>
          <input
            id="sc-value"
            type="number"
            step="any"
            className={inputClass}
            value={typeof quantity.value === "number" ? String(quantity.value) : ""}
            onChange={(e) => {
              const n = e.target.value === "" ? undefined : Number(e.target.value);
              set({ valueQuantity: { ...quantity, value: n } });
            }}
          />
        </div>
        <div>
          <label htmlFor="sc-unit" className="mb-1 block text-sm font-semibold">
            {t("unit")}
          </label>
          <input
            id="sc-unit"
            className={inputClass}
            maxLength={24}
            value={typeof quantity.unit === "string" ? quantity.unit : ""}
            // A changed unit is no longer the coded UCUM unit it replaced: the code goes with it.
            onChange={(e) => set({ valueQuantity: { ...quantity, unit: e.target.value, code: e.target.value, system: "http://unitsofmeasure.org" } })}
          />
        </div>
        <div>
          <label htmlFor="sc-effective" className="mb-1 block text-sm font-semibold">
            {t("measuredAt")}
          </label>
          <input
            id="sc-effective"
            type="datetime-local"
            className={inputClass}
            value={localTime(resource.effectiveDateTime)}
            onChange={(e) => (e.target.value ? set({ effectiveDateTime: new Date(e.target.value).toISOString() }) : onChange(drop("effectiveDateTime")))}
          />
        </div>
      </div>
    );
  }

  const status = obj(resource.clinicalStatus);
  const code = ((Array.isArray(status.coding) ? status.coding : []) as Json[]).find((c) => typeof c.code === "string")?.code as string | undefined;
  return (
    <div className="grid gap-4 sm:grid-cols-3" data-simple-correction="Condition">
      <div>
        <label htmlFor="sc-status" className="mb-1 block text-sm font-semibold">
          {t("clinicalStatus")}
        </label>
        <select
          id="sc-status"
          className={inputClass}
          value={code ?? ""}
          onChange={(e) =>
            e.target.value
              ? set({ clinicalStatus: { coding: [{ system: CLINICAL_STATUS_SYSTEM, code: e.target.value }] } })
              : onChange(drop("clinicalStatus"))
          }
        >
          <option value="">{t("notStated")}</option>
          {CLINICAL_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`statuses.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="sc-onset" className="mb-1 block text-sm font-semibold">
          {t("onset")}
        </label>
        <input
          id="sc-onset"
          type="date"
          className={inputClass}
          value={day(resource.onsetDateTime)}
          onChange={(e) => (e.target.value ? set({ onsetDateTime: e.target.value }) : onChange(drop("onsetDateTime")))}
        />
      </div>
      <div>
        <label htmlFor="sc-abatement" className="mb-1 block text-sm font-semibold">
          {t("abatement")}
        </label>
        <input
          id="sc-abatement"
          type="date"
          className={inputClass}
          value={day(resource.abatementDateTime)}
          onChange={(e) => (e.target.value ? set({ abatementDateTime: e.target.value }) : onChange(drop("abatementDateTime")))}
        />
      </div>
    </div>
  );
}
