import Link from "next/link";
import type { DetailPairDto } from "@/lib/dto/compliance";
import { useDetailKeyLabel } from "./labels";

/** An alert's or event's details, labelled in the viewer's language, each id already named and linked where useful. */
export function DetailList({ details, compact = false, testId }: { details: DetailPairDto[]; compact?: boolean; testId?: string }) {
  const label = useDetailKeyLabel();
  return (
    <dl className={`grid grid-cols-[max-content_1fr] ${compact ? "gap-x-2 text-xs" : "gap-x-4 gap-y-1 text-sm"}`} data-testid={testId}>
      {details.map((d, i) => (
        <div key={`${d.key}:${i}`} className="contents">
          <dt className="text-ink-muted">{label(d.key)}</dt>
          <dd className={`${compact ? "max-w-64 truncate" : "break-words"} ${d.mono ? "font-mono text-xs" : ""}`} title={d.value}>
            {d.href ? (
              <Link href={d.href} className="text-brand underline-offset-2 hover:underline">
                {d.value}
              </Link>
            ) : (
              d.value
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
