/**
 * Audited page views per second (issue #6): every page view appends one hash-chained access event, so the log's
 * append rate bounds the portal. Concurrent workers append `patient.viewed` events as page views would, for a fixed
 * time, through the product's own appendAccessEvent (parallel chains, docs/decisions/010-access-log.md).
 */
import { ms, stats, type Stats } from "./stats";
import { benchCaller, type BenchDoctor } from "./patient-list";

export async function measureAuditThroughput(doctor: BenchDoctor, opts: { concurrency: number; seconds: number }): Promise<{ events: number; perSecond: number; latency: Stats }> {
  const { appendAccessEvent } = await import("@/lib/audit");
  const caller = await benchCaller(doctor);
  const latencies: number[] = [];
  const deadline = Date.now() + opts.seconds * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async (_, worker) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const start = process.hrtime.bigint();
        await appendAccessEvent(
          { actor: caller.actor, action: "patient.viewed", outcome: "ALLOWED", purpose: "TREATMENT", details: { bench: true, worker, i, recordIds: [] } },
          caller.context,
        );
        latencies.push(ms(start));
      }
    }),
  );
  const elapsedMs = ms(started);
  return { events: latencies.length, perSecond: (latencies.length / elapsedMs) * 1000, latency: stats(latencies) };
}
