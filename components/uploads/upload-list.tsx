import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import type { OwnUploadDto } from "@/lib/dto/uploads";
import { RecordList } from "@/components/records/record-list";
import { ImportSummary } from "./import-summary";

/** The patient's uploads, newest first, each with its records and their verification state. */
export function UploadList({ uploads }: { uploads: OwnUploadDto[] }) {
  const t = useTranslations("upload");
  const ts = useTranslations("sources");
  const format = useFormatter();
  // Bytes as people read them: "840 KB", "9.8 MB" (kilobyte and megabyte units, in the viewer's locale).
  const fileSize = (bytes: number) =>
    bytes >= 1024 * 1024
      ? format.number(bytes / (1024 * 1024), { style: "unit", unit: "megabyte", maximumFractionDigits: 1 })
      : format.number(Math.max(1, Math.round(bytes / 1024)), { style: "unit", unit: "kilobyte" });
  return (
    <section aria-labelledby="uploads-heading">
      <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="uploads-heading" className="text-lg font-semibold text-ink">
          {t("listTitle")}
        </h2>
        <Link href="/me/upload" prefetch={false} className="text-sm font-semibold text-brand hover:underline">
          {t("refresh")}
        </Link>
      </div>
      {uploads.length === 0 ? (
        <p className="text-ink-muted">{t("none")}</p>
      ) : (
        <ol className="space-y-6">
          {uploads.map((upload) => {
            const pending = upload.records.filter((r) => r.verification === "pending").length;
            const verified = upload.records.filter((r) => r.verification === "verified").length;
            return (
              <li key={upload.id} data-upload-id={upload.id} className="rounded-lg border border-line p-4">
                <h3 className="font-semibold text-ink">{upload.fileName ?? (ts.has(upload.source) ? ts(upload.source) : upload.source)}</h3>
                <p className="mb-3 text-sm text-ink-muted">
                  <time dateTime={upload.createdAt}>{format.dateTime(new Date(upload.createdAt), "clinical")}</time>
                  {" · "}
                  {t("summary", { count: upload.recordCount, verified, pending, size: fileSize(upload.byteSize) })}
                </p>
                <details className="mb-3">
                  <summary className="cursor-pointer text-sm text-ink-muted">{t("summaryTitle")}</summary>
                  <ImportSummary summary={upload.summary} />
                </details>
                <RecordList records={upload.records} />
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
