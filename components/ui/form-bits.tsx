"use client";

import { useId, useState, type InputHTMLAttributes, type ReactNode } from "react";
import { useTranslations } from "next-intl";
import { useFormStatus } from "react-dom";

const inputClass = "w-full rounded border border-line-strong bg-surface px-3 py-2 aria-[invalid=true]:border-danger";

type FieldProps = {
  label: string;
  name: string;
  error?: string | null;
  hint?: string;
  children?: (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string; className: string; name: string }) => ReactNode;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "children" | "name">;

/** A labelled control with its hint and error wired up for screen readers. Renders an <input> unless given children. */
export function Field({ label, name, error, hint, children, ...input }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  const controlProps = { id, name, "aria-invalid": Boolean(error), "aria-describedby": describedBy, className: inputClass };
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-semibold">
        {label}
      </label>
      {children ? children(controlProps) : <input {...input} {...controlProps} />}
      {hint ? (
        <p id={hintId} className="mt-1 text-xs text-ink-muted">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="mt-1 text-sm text-danger">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function SubmitButton({ children, pendingLabel, tone = "primary", disabled }: { children: ReactNode; pendingLabel?: string; tone?: "primary" | "danger" | "plain"; disabled?: boolean }) {
  const { pending } = useFormStatus();
  const tones = {
    primary: "bg-brand text-white hover:bg-brand-strong",
    danger: "bg-danger text-white hover:opacity-90",
    plain: "border border-line-strong bg-surface text-ink hover:bg-surface-muted",
  };
  return (
    <button type="submit" disabled={pending || disabled} className={`rounded px-4 py-2 text-sm font-semibold disabled:opacity-60 ${tones[tone]}`}>
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}

/**
 * The one way to submit something destructive (suspend, revoke, deactivate, disable): a secondary, outlined button
 * that asks first — "question? [yes] [cancel]" — inside the same form, so nothing happens on one stray click.
 */
export function ConfirmSubmit({
  children,
  question,
  confirmLabel,
  ariaLabel,
  disabled,
  pendingLabel,
}: {
  children: ReactNode;
  question: string;
  confirmLabel: string;
  ariaLabel?: string;
  disabled?: boolean;
  pendingLabel?: string;
}) {
  const t = useTranslations("common");
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button
        type="button"
        disabled={disabled}
        aria-label={ariaLabel}
        onClick={() => setAsking(true)}
        className="rounded border border-danger bg-surface px-4 py-2 text-sm font-semibold text-danger hover:bg-danger-soft disabled:opacity-60"
      >
        {children}
      </button>
    );
  return (
    <span role="group" aria-label={question} className="inline-flex flex-wrap items-center gap-2" data-confirming>
      <span className="text-sm font-semibold text-danger">{question}</span>
      <SubmitButton tone="danger" pendingLabel={pendingLabel}>
        {confirmLabel}
      </SubmitButton>
      <button type="button" onClick={() => setAsking(false)} className="rounded border border-line-strong px-4 py-2 text-sm font-semibold hover:bg-surface-muted">
        {t("cancel")}
      </button>
    </span>
  );
}

export function Notice({ tone, children }: { tone: "ok" | "danger" | "warn"; children: ReactNode }) {
  const tones = { ok: "border-ok bg-ok-soft text-ok", danger: "border-danger bg-danger-soft text-danger", warn: "border-warn bg-warn-soft text-warn" };
  return (
    <p role={tone === "danger" ? "alert" : "status"} className={`rounded border px-3 py-2 text-sm ${tones[tone]}`}>
      {children}
    </p>
  );
}

export { inputClass };
