import { Fragment, type ReactNode } from "react";
import { useFormatter, useTranslations } from "next-intl";
import type { ProofLevelResult, ProofLevelsDto, ProofStepDto, RecordProofDto } from "@/lib/dto";
import { FhirResourceView } from "./fhir-resource-view";
import { VerificationBadge } from "@/components/ui/verification-badge";
import { sourceKind } from "@/lib/chart-summary/types";
import { IntegrityMark } from "./integrity-mark";
import { ReportRecordButton } from "./report-record-button";
import { SourceLabel } from "./source-label";

const resultStyles: Record<ProofLevelResult | "unknown", string> = {
  ok: "border-ok bg-ok-soft text-ok",
  mismatch: "border-danger bg-danger-soft text-danger",
  missing: "border-danger bg-danger-soft text-danger",
  unavailable: "border-line-strong bg-surface-muted text-ink-muted",
  skipped: "border-line-strong bg-surface text-ink-muted",
  unknown: "border-line-strong bg-surface text-ink-muted",
};

const resultMarks: Record<ProofLevelResult | "unknown", string> = { ok: "✓", mismatch: "✗", missing: "✗", unavailable: "?", skipped: "–", unknown: "–" };

/** A level's result in words and a mark, never by colour alone. */
function LevelResultChip({ result }: { result: ProofLevelResult | "unknown" }) {
  const t = useTranslations("proof");
  return (
    <span className={`inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-semibold ${resultStyles[result]}`}>
      <span aria-hidden="true">{resultMarks[result]}</span>
      <span className="sr-only">{t("result")}: </span>
      {t(`results.${result}`)}
    </span>
  );
}

/** Hashes and addresses are long unbroken strings: they wrap anywhere rather than overflow. */
function Hash({ value }: { value: string | null }) {
  const t = useTranslations("proof");
  if (value === null) return <span className="text-ink-muted">{t("none")}</span>;
  return <code className="break-all font-mono text-xs text-ink">{value}</code>;
}

function Facts({ items }: { items: readonly (readonly [string, ReactNode])[] }) {
  return (
    <dl className="mt-3 grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[10rem_minmax(0,1fr)]">
      {items.map(([label, value]) => (
        <Fragment key={label}>
          <dt className="font-medium text-ink-muted">{label}</dt>
          <dd className="min-w-0 pb-1 sm:pb-0">{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

function Steps({ steps }: { steps: ProofStepDto[] | null }) {
  const t = useTranslations("proof");
  if (steps === null) return <p className="mt-3 text-sm font-semibold text-danger">{t("malformedSteps")}</p>;
  return (
    <div className="mt-3">
      <p className="text-sm font-medium text-ink-muted">
        {t("steps")} ({t("stepCount", { count: steps.length })})
      </p>
      {steps.length === 0 ? (
        <p className="mt-1 text-sm text-ink-muted">{t("singleLeaf")}</p>
      ) : (
        <ol className="mt-2 space-y-2">
          {steps.map((step, i) => (
            <li key={i} className="rounded-md border border-line bg-surface-muted p-3" data-step={i + 1} data-side={step.side}>
              <p className="text-xs font-semibold text-ink">
                {t("step", { n: i + 1 })} · {t(`side.${step.side}`)}
              </p>
              <Facts
                items={[
                  [t("sibling"), <Hash key="s" value={step.sibling} />],
                  [t("node"), <Hash key="n" value={step.node} />],
                ]}
              />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

type LevelName = keyof ProofLevelsDto;

function Level({ n, name, levels, children }: { n: number; name: LevelName; levels: ProofLevelsDto; children: ReactNode }) {
  const t = useTranslations("proof");
  const result = levels[name];
  const failed = result === "mismatch" || result === "missing";
  return (
    <li
      data-level={name}
      data-result={result}
      className={`min-w-0 rounded-lg border p-4 ${failed ? "border-danger bg-danger-soft" : "border-line bg-surface"}`}
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <h3 id={`level-${name}`} className="font-semibold text-ink">
          <span className="mr-2 text-xs font-semibold uppercase tracking-wide text-ink-muted">{t("levelNumber", { n })}</span>
          {t(`levels.${name}`)}
        </h3>
        <LevelResultChip result={result} />
      </div>
      <p className="mt-1 text-sm text-ink-muted">{t(`explain.${name}`)}</p>
      {children}
    </li>
  );
}

/**
 * A record's verification path, level by level: the record (withheld when tampered), its commitment, the Merkle
 * steps to the batch root, the batch root on the private chain, the checkpoint steps and the checkpoint root on the
 * public chain. The record's element carries the public contract `data-record-id` / `data-verification` /
 * `data-checkpoint`; each level carries `data-level` / `data-result`.
 */
export function ProofPath({ proof, exportHref }: { proof: RecordProofDto; exportHref: string }) {
  const t = useTranslations("proof");
  const tc = useTranslations("chart");
  const ts = useTranslations("sources");
  const tsum = useTranslations("summary");
  const te = useTranslations("erasure");
  const format = useFormatter();
  const { record, batch, checkpoint, levels } = proof;
  const verified = record.verification === "verified";
  const tampered = record.verification === "tampered";
  const when = (iso: string | null) => (iso === null ? t("none") : <time dateTime={iso}>{format.dateTime(new Date(iso), "clinical")}</time>);

  return (
    <div className="space-y-8">
      <section
        aria-labelledby="record-heading"
        data-record-id={record.id}
        data-verification={record.verification}
        data-checkpoint={record.checkpoint}
        className={`rounded-lg border p-4 ${tampered ? "border-danger bg-danger-soft" : "border-line bg-surface"}`}
      >
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="record-heading" className="text-lg font-semibold">
            {t("recordHeading")}
          </h2>
          <span className="flex items-center gap-2">
            <SourceLabel source={sourceKind(record.source)} />
            {verified ? (
              <span className="text-sm text-ink-muted">
                <IntegrityMark verification="verified" /> <span aria-hidden="true">{tsum("integrity.verified")}</span>
              </span>
            ) : (
              <VerificationBadge verification={record.verification} />
            )}
          </span>
        </div>
        {record.overdue ? (
          <p role="status" className="mt-2 rounded border border-warn bg-warn-soft px-2 py-1 text-sm font-semibold text-warn">
            {tc("overdue")}
          </p>
        ) : null}
        {proof.erasure ? (
          <p role="status" className="mt-2 rounded border border-ink-muted bg-surface-muted px-2 py-1 text-sm" data-testid="record-erased">
            {te("erasedNotice", { time: format.dateTime(new Date(proof.erasure.erasedAt), "clinical"), basis: te(`bases.${proof.erasure.legalBasis}`) })}{" "}
            <span className="break-all font-mono text-xs">{te("erasedTombstone", { hash: proof.erasure.statementHash })}</span>
          </p>
        ) : tampered || record.resource === null ? (
          <>
            <p role="alert" className="mt-2 text-sm font-semibold text-danger">
              {tc("withheld")}
            </p>
            <ReportRecordButton patientId={proof.patient.id} recordId={record.id} />
          </>
        ) : (
          <div className="mt-2">
            <FhirResourceView resource={record.resource} attachments={record.attachments} />
          </div>
        )}
        <Facts
          items={[
            [tc("recordedAt"), when(record.recordedAt)],
            [tc("source"), ts.has(record.source) ? ts(record.source) : record.source],
            [
              t("checkpointState"),
              // A tampered record's batch may well be checkpointed: that vouches for the anchored content, not this one.
              <span key="cp" data-checkpoint-fact>
                {tampered ? tsum("checkpointTampered") : record.checkpoint === "public" && checkpoint ? t("checkpointValue", { n: checkpoint.number }) : t("notCheckpointed")}
              </span>,
            ],
          ]}
        />
      </section>

      {/* Anchor and proof detail: quiet behind a disclosure when the record verifies, open when it does not. */}
      <details data-proof open={!verified} className="group rounded-lg border border-line bg-surface p-3">
        <summary className="cursor-pointer text-sm font-semibold text-brand">
          {tsum("proofDisclosure")}
          <span className="block text-xs font-normal text-ink-muted">{tsum("proofDisclosureHint")}</span>
        </summary>
        <div className="mt-4 space-y-8">
      <section aria-labelledby="path-heading">
        <h2 id="path-heading" className="text-lg font-semibold">
          {t("pathHeading")}
        </h2>
        <p className="mt-1 text-sm text-ink-muted">{t("pathIntro")}</p>
        <ol className="mt-4 space-y-4">
          <Level n={1} name="commitment" levels={levels}>
            <Facts items={[[t("commitment"), <Hash key="c" value={proof.commitment} />]]} />
          </Level>
          <Level n={2} name="creation" levels={levels}>
            {null}
          </Level>
          <Level n={3} name="batchPath" levels={levels}>
            {batch ? (
              <>
                <Facts
                  items={[
                    [t("leafIndex"), proof.leafIndex ?? t("none")],
                    [t("batchRoot"), <Hash key="r" value={batch.root} />],
                  ]}
                />
                <Steps steps={proof.steps} />
              </>
            ) : (
              <p className="mt-3 text-sm text-ink-muted">{t("notAnchored")}</p>
            )}
          </Level>
          <Level n={4} name="batchAnchor" levels={levels}>
            {batch ? (
              <Facts
                items={[
                  [t("batchNumber"), batch.number],
                  [t("batchRoot"), <Hash key="r" value={batch.root} />],
                  [t("chainId"), batch.chainId],
                  [t("contract"), <Hash key="c" value={batch.contractAddress} />],
                  [t("txHash"), <Hash key="tx" value={batch.txHash} />],
                  [t("block"), batch.blockNumber ?? t("none")],
                  [t("anchoredAt"), when(batch.anchoredAt)],
                ]}
              />
            ) : (
              <p className="mt-3 text-sm text-ink-muted">{t("notAnchored")}</p>
            )}
          </Level>
          <Level n={5} name="checkpointPath" levels={levels}>
            {checkpoint ? (
              <>
                <Facts
                  items={[
                    [t("leafIndex"), checkpoint.leafIndex ?? t("none")],
                    [t("checkpointRoot"), <Hash key="r" value={checkpoint.root} />],
                  ]}
                />
                <Steps steps={checkpoint.steps} />
              </>
            ) : (
              <p className="mt-3 text-sm text-ink-muted">{t("notCheckpointed")}</p>
            )}
          </Level>
          <Level n={6} name="checkpointAnchor" levels={levels}>
            {checkpoint ? (
              <Facts
                items={[
                  [t("checkpointNumber"), checkpoint.number],
                  [t("checkpointRoot"), <Hash key="r" value={checkpoint.root} />],
                  [t("chainId"), checkpoint.chainId],
                  [t("contract"), <Hash key="c" value={checkpoint.contractAddress} />],
                  [t("txHash"), <Hash key="tx" value={checkpoint.txHash} />],
                  [t("block"), checkpoint.blockNumber ?? t("none")],
                  [t("anchoredAt"), when(checkpoint.anchoredAt)],
                ]}
              />
            ) : (
              <p className="mt-3 text-sm text-ink-muted">{t("notCheckpointed")}</p>
            )}
          </Level>
        </ol>
      </section>

      <section aria-labelledby="export-heading" className="rounded-lg border border-line bg-surface p-4">
        <h2 id="export-heading" className="text-lg font-semibold">
          {t("exportHeading")}
        </h2>
        {proof.exportable ? (
          <>
            <p className="mt-1 text-sm text-ink-muted">{proof.erasure ? te("exportNote") : t("exportNote")}</p>
            <pre className="mt-2 whitespace-pre-wrap break-all rounded bg-surface-muted p-2 font-mono text-xs text-ink">
              {`npm run verify-proof -- chartproof-proof-${record.id}.json --anchors https://<portal>/.well-known/chartproof/anchors.json --rpc <private-chain-rpc> --public-rpc <public-chain-rpc>`}
            </pre>
            <a
              href={exportHref}
              download
              className="mt-3 inline-block rounded-md bg-brand px-3 py-2 text-sm font-semibold text-white hover:bg-brand-strong"
            >
              {t("download")}
            </a>
          </>
        ) : (
          <p className="mt-1 text-sm text-ink-muted">{t("notExportable")}</p>
        )}
      </section>
        </div>
      </details>
    </div>
  );
}
