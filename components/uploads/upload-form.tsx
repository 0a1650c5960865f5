"use client";

import { useId, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { UPLOAD_REASONS, type IntakeProblem, type TypeSummary, type UploadResponseDto } from "@/lib/dto/uploads";
import { ImportSummary } from "./import-summary";
import { ProblemList } from "./problem-list";

type Outcome = { key: string; fileName: string } & (
  | { ok: true; recordCount: number; summary: TypeSummary[] }
  | { ok: false; reason: string; problems: IntakeProblem[]; summary: TypeSummary[]; registered: { name: string; birthDate: string } | null }
);

/** Sends one file as the raw request body, reporting progress (fetch has no upload progress; XHR does). */
function send(file: File, onProgress: (loaded: number, total: number) => void): Promise<UploadResponseDto> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/uploads");
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.setRequestHeader("X-Upload-Filename", encodeURIComponent(file.name));
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onload = () => {
      const body = xhr.response as UploadResponseDto | null;
      resolve(body && typeof body === "object" && "ok" in body ? body : { ok: false, reason: xhr.status === 413 ? "too_large" : "failed", problems: [] });
    };
    xhr.onerror = () => resolve({ ok: false, reason: "failed", problems: [] });
    xhr.send(file);
  });
}

const REASONS = new Set<string>(UPLOAD_REASONS);

/**
 * The file picker (a native, labelled input: keyboard and screen-reader friendly), a progress bar while a file is
 * sent, and what became of each file: its records, or every problem found with the entry and field it is in.
 */
export function UploadForm({ maxBytes }: { maxBytes: number }) {
  const t = useTranslations("upload");
  const router = useRouter();
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<{ name: string; percent: number } | null>(null);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const maxMb = Math.round((maxBytes / 1024 / 1024) * 10) / 10;

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const files = [...(input.current?.files ?? [])];
    if (files.length === 0) return;
    setBusy(true);
    const done: Outcome[] = [];
    for (const file of files) {
      const key = `${Date.now()}-${file.name}`;
      setProgress({ name: file.name, percent: 0 });
      // The server refuses it anyway; saying so now spares sending megabytes for nothing.
      const result: UploadResponseDto =
        file.size > maxBytes ? { ok: false, reason: "too_large", problems: [] } : await send(file, (loaded, total) => setProgress({ name: file.name, percent: total ? Math.round((loaded / total) * 100) : 0 }));
      done.push(
        result.ok
          ? { key, fileName: file.name, ok: true, recordCount: result.recordCount, summary: result.summary ?? [] }
          : { key, fileName: file.name, ok: false, reason: result.reason, problems: result.problems, summary: result.summary ?? [], registered: result.registered ?? null },
      );
      setOutcomes([...done]);
    }
    setProgress(null);
    setBusy(false);
    if (input.current) input.current.value = "";
    if (done.some((o) => o.ok)) router.refresh();
  }

  return (
    <section aria-labelledby={`${inputId}-heading`} className="mb-8 rounded-lg border border-line bg-surface p-4">
      <h2 id={`${inputId}-heading`} className="mb-3 text-lg font-semibold text-ink">
        {t("formTitle")}
      </h2>
      <form onSubmit={onSubmit} className="space-y-3">
        <div>
          <label htmlFor={inputId} className="mb-1 block text-sm font-semibold">
            {t("fileLabel")}
          </label>
          <input
            ref={input}
            id={inputId}
            type="file"
            name="files"
            multiple
            required
            accept=".json,application/json,application/fhir+json,application/pdf,image/jpeg,image/png"
            aria-describedby={`${inputId}-hint`}
            className="block w-full rounded border border-line-strong bg-surface px-3 py-2 text-sm file:mr-3 file:rounded file:border-0 file:bg-surface-muted file:px-3 file:py-1 file:font-semibold"
          />
          <p id={`${inputId}-hint`} className="mt-1 text-xs text-ink-muted">
            {t("fileHint", { maxMb })}
          </p>
        </div>
        <button type="submit" disabled={busy} className="rounded bg-brand px-4 py-2 text-sm font-semibold text-white hover:bg-brand-strong disabled:opacity-60">
          {busy ? t("uploading") : t("submit")}
        </button>
      </form>

      <div aria-live="polite" className="mt-3">
        {progress ? (
          <div data-upload-progress>
            <label htmlFor={`${inputId}-progress`} className="block text-sm text-ink">
              {t("progress", { name: progress.name, percent: progress.percent })}
            </label>
            <progress id={`${inputId}-progress`} max={100} value={progress.percent} className="mt-1 h-2 w-full accent-brand">
              {progress.percent}%
            </progress>
          </div>
        ) : null}
      </div>

      {outcomes.length ? (
        <ul className="mt-4 space-y-3" aria-label={t("resultsLabel")}>
          {outcomes.map((o) =>
            o.ok ? (
              <li key={o.key} data-upload-result="ok" className="rounded border border-ok bg-ok-soft px-3 py-2 text-sm text-ok">
                <p role="status">{o.recordCount === 0 ? t("acceptedNothingNew", { name: o.fileName }) : t("accepted", { name: o.fileName, count: o.recordCount })}</p>
                <ImportSummary summary={o.summary} />
              </li>
            ) : (
              <li key={o.key} data-upload-result="refused" data-reason={o.reason} className="rounded border border-danger bg-danger-soft px-3 py-2 text-sm text-danger">
                <div role="alert">
                  <p className="font-semibold">{t("refused", { name: o.fileName })}</p>
                  <p>{REASONS.has(o.reason) ? t(`reasons.${o.reason}`, { maxMb }) : t("reasons.failed", { maxMb })}</p>
                  {o.registered ? <p data-registered>{t("registered", { name: o.registered.name, birthDate: o.registered.birthDate })}</p> : null}
                </div>
                <ProblemList problems={o.problems} />
                <ImportSummary summary={o.summary} />
                <p className="mt-1 text-ink-muted">{t("nothingStored")}</p>
              </li>
            ),
          )}
        </ul>
      ) : null}
    </section>
  );
}
