"use client";

import { useActionState, useMemo } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { verifyExportAction } from "@/lib/actions/research";
import type { FormState } from "@/lib/dto/admin";
import type { ExportDetailDto, ExportFileDto, ExportVerificationDto } from "@/lib/dto/research";
import { DataTable, columnHelper } from "@/components/ui/data-table";
import { Notice, SubmitButton } from "@/components/ui/form-bits";

const helper = columnHelper<ExportFileDto>();
const initial: FormState<ExportVerificationDto> = { status: "idle" };

function Pairs({ rows }: { rows: [string, React.ReactNode][] }) {
  return (
    <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
      {rows.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="font-semibold">{k}</dt>
          <dd className="min-w-0 break-all">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function VerifyPanel({ exportId }: { exportId: string }) {
  const t = useTranslations("research");
  const format = useFormatter();
  const [state, action] = useActionState(verifyExportAction, initial);
  const result = state.status === "success" ? state.result : null;
  const tone = result?.verdict === "verified" ? "ok" : result?.verdict === "tampered" ? "danger" : "warn";
  return (
    <section aria-labelledby="verify-title" className="space-y-3 rounded-lg border border-line bg-surface p-4">
      <h2 id="verify-title" className="text-lg font-semibold">
        {t("export.verify")}
      </h2>
      <p className="text-sm text-ink-muted">{t("export.verifyHint")}</p>
      <form action={action}>
        <input type="hidden" name="exportId" value={exportId} />
        <SubmitButton pendingLabel={t("export.verifying")}>{t("export.verify")}</SubmitButton>
      </form>
      {result ? (
        <div data-verdict={result.verdict} className="space-y-2">
          <Notice tone={tone}>{t(`verdict.${result.verdict}`)}</Notice>
          <Pairs
            rows={[
              [t("export.recomputed"), <code key="h">{result.manifestHash.recomputed}</code>],
              [t("export.chainRoot"), <code key="r">{result.chain.root ?? "—"}</code>],
              [t("export.chain"), t(`chainState.${result.chain.state}`)],
              [
                t("export.fileChecks"),
                <ul key="f" className="space-y-0.5">
                  {result.files.map((f) => (
                    <li key={f.name}>
                      <span aria-hidden="true">{f.ok ? "✓" : "✗"}</span> {f.name} <span className="sr-only">{f.ok ? t("export.yes") : t("export.no")}</span>
                    </li>
                  ))}
                </ul>,
              ],
            ]}
          />
          <p className="text-xs text-ink-muted">{t("export.checkedAt", { time: format.dateTime(new Date(result.checkedAt), "audit") })}</p>
        </div>
      ) : null}
    </section>
  );
}

/** An export: its manifest, where its hash is anchored, its files, and a verification on demand. */
export function ExportDetail({ detail }: { detail: ExportDetailDto }) {
  const t = useTranslations("research");
  const format = useFormatter();
  const m = detail.manifest;
  const base = `/research/exports/${detail.id}`;
  const columns = useMemo(
    () =>
      helper.columns([
        helper.accessor("name", {
          header: () => t("export.file"),
          cell: (info) => (
            <a href={`${base}/files/${info.getValue()}`} download className="font-semibold text-brand underline" aria-label={t("export.downloadFile", { name: info.getValue() })}>
              {info.getValue()}
            </a>
          ),
        }),
        helper.accessor("lines", { header: () => t("export.lines"), cell: (info) => <span className="tabular-nums">{info.getValue()}</span> }),
        helper.accessor("bytes", { header: () => t("export.bytes"), cell: (info) => <span className="tabular-nums">{format.number(info.getValue())}</span> }),
        helper.accessor("sha256", { header: () => t("export.sha256"), cell: (info) => <code className="break-all text-xs">{info.getValue()}</code> }),
      ]),
    [t, format, base],
  );
  const omitted = Object.entries(m.counts.omittedByType);
  const a = detail.anchor;
  return (
    <div className="space-y-6">
      <section aria-labelledby="manifest-title" className="space-y-3 rounded-lg border border-line bg-surface p-4">
        <h2 id="manifest-title" className="text-lg font-semibold">
          {t("export.manifest")}
        </h2>
        <Pairs
          rows={[
            [t("export.cohort"), m.cohort.name],
            [t("export.mode"), <strong key="mode" data-export-mode={m.mode}>{t(`modes.${m.mode}`)}</strong>],
            [t("export.safeHarbor"), m.safeHarbor ? t("export.yes") : t("export.no")],
            [t("export.method"), m.deidentification.method],
            [t("export.dates"), m.deidentification.dates],
            [t("export.ids"), m.deidentification.ids],
            [t("export.created"), <time key="c" dateTime={m.createdAt}>{format.dateTime(new Date(m.createdAt), "audit")}</time>],
            [t("export.exportedBy"), <code key="s">{m.exportedBy.staffId}</code>],
            [t("export.patients"), m.counts.patients],
            [t("export.resources"), m.counts.resources],
            ...(omitted.length ? [[t("export.omitted"), omitted.map(([k, v]) => `${k}: ${v}`).join(", ")] as [string, string]] : []),
            [t("export.consents"), <span key="cs">{m.consentSnapshot.count} · <code className="text-xs">{m.consentSnapshot.sha256}</code></span>],
            [t("export.manifestHash"), <code key="mh" data-manifest-hash={detail.manifestHash}>{detail.manifestHash}</code>],
          ]}
        />
        <a href={`${base}/manifest.json`} download className="inline-block rounded border border-line-strong px-3 py-1.5 text-sm font-semibold text-ink hover:bg-surface-muted">
          {t("export.downloadManifest")}
        </a>
      </section>

      {m.pipa ? (
        <section aria-labelledby="pipa-title" className="space-y-3 rounded-lg border border-warn bg-surface p-4" data-pipa-record>
          <h2 id="pipa-title" className="text-lg font-semibold">
            {t("export.pipaTitle")}
          </h2>
          <Pairs
            rows={[
              [t("export.pipaLegalBasis"), m.pipa.legalBasis],
              [t("export.pipaPurpose"), m.pipa.purpose],
              [t("export.pipaIrb"), m.pipa.irbApprovalNumber],
              [t("export.pipaCustodian"), m.pipa.keyCustodian],
              [t("export.pipaDestroyOn"), <time key="d" dateTime={m.pipa.destroyOn}>{m.pipa.destroyOn}</time>],
              [t("export.pipaSafeguards"), m.pipa.safeguards],
            ]}
          />
        </section>
      ) : null}

      <section aria-labelledby="anchor-title" className="space-y-3 rounded-lg border border-line bg-surface p-4">
        <h2 id="anchor-title" className="text-lg font-semibold">
          {t("export.anchorTitle")}
        </h2>
        <Pairs
          rows={[
            [t("export.state"), <span key="st" data-anchor-state={a.state}>{t(`anchorState.${a.state}`)}</span>],
            [t("export.batch"), a.batchNumber ?? "—"],
            [t("export.chain"), a.chainId ?? "—"],
            [t("export.contract"), a.contractAddress ? <code key="ca">{a.contractAddress}</code> : "—"],
            [t("export.tx"), a.txHash ? <code key="tx">{a.txHash}</code> : "—"],
            [t("export.block"), a.blockNumber ?? "—"],
            [t("export.anchoredAt"), a.anchoredAt ? <time key="at" dateTime={a.anchoredAt}>{format.dateTime(new Date(a.anchoredAt), "audit")}</time> : "—"],
          ]}
        />
      </section>

      <section aria-labelledby="files-title" className="space-y-3">
        <h2 id="files-title" className="text-lg font-semibold">
          {t("export.files")}
        </h2>
        <DataTable caption={t("export.files")} columns={columns} data={detail.files} emptyText="—" getRowId={(r) => r.name} />
        <p className="text-sm text-ink-muted">{t("export.cli")}</p>
        {/* Focusable, so keyboard users can scroll a command wider than the screen. */}
        <pre tabIndex={0} aria-label={t("export.cli")} className="overflow-x-auto rounded bg-surface-muted p-3 text-xs">
          <code>{`npm run verify-manifest -- manifest.json ${detail.files.map((f) => f.name).join(" ")} --anchors https://<portal>/.well-known/chartproof/anchors.json --rpc <private-chain-rpc-url>`}</code>
        </pre>
      </section>

      <VerifyPanel exportId={detail.id} />
    </div>
  );
}
