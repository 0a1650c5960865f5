/**
 * The chart's server-side work without HTTP or rendering, for `npm run bench` (scripts/bench.ts): getPatientChart
 * in-process, and its parts alone (the access decision, loading and verifying the records, the access-event append),
 * so that the page's latency can be split into data work and the rest (rendering, RSC payload, HTTP).
 */
import { ms, stats, type Stats } from "./stats";
import { benchCaller, type BenchDoctor } from "./patient-list";

export type ChartDalResult = {
  records: number;
  /** The chart's records by verification state, as the first call returned them. */
  verification: Record<string, number>;
  dtoJsonBytes: number;
  getPatientChart: Stats;
  parts: { decideAccess: Stats; loadAndVerifyRecords: Stats; buildSummary: Stats; completeness: Stats; appendViewedEvent: Stats };
  /** What the chart's clinical summary showed (issue #19): rows and the records it listed in the access event. */
  summary: { resultRows: number; trendPoints: number; recordIds: number };
};

export async function measureChartDal(doctor: BenchDoctor, patientId: string, rounds: number): Promise<ChartDalResult> {
  const { getPatientChart } = await import("@/lib/dal/patients");
  const { decideChartAccess } = await import("@/lib/dal/chart-access");
  const { loadVerifiedRecords, loadVerifiedRecordsWithContent, countByVerification } = await import("@/lib/dal/verified-records");
  const { buildClinicalSummary } = await import("@/lib/chart-summary/build");
  const { appendAccessEvent } = await import("@/lib/audit");
  const { findMissingRecords } = await import("@/lib/dal/chart-completeness");
  const caller = await benchCaller(doctor);
  if (caller.actor.kind !== "STAFF") throw new Error("a bench doctor is not staff");
  const staff = caller.actor;

  const chart = await getPatientChart(caller, patientId);
  const recordIds = chart.records.map((r) => r.id);
  // The summary alone (pure CPU over records already loaded and verified), as getPatientChart builds it.
  const loaded = (await loadVerifiedRecordsWithContent(patientId)).map(({ record, resource }) => ({ ...record, resource }));
  const summaryOptions = { ageYears: 60, shares: () => "all" as const, completeness: "unchecked" as const };
  const probes = {
    getPatientChart: () => getPatientChart(caller, patientId),
    decideAccess: () => decideChartAccess(staff, patientId),
    loadAndVerifyRecords: () => loadVerifiedRecords(patientId),
    buildSummary: async () => buildClinicalSummary(loaded, summaryOptions),
    // The completeness check (issue #17 part 5): the patient's creation events against the rows, one statement.
    completeness: () => findMissingRecords(patientId),
    appendViewedEvent: () =>
      appendAccessEvent(
        { actor: staff, action: "patient.viewed", outcome: "ALLOWED", purpose: "TREATMENT", patientId, details: { recordIds, verification: countByVerification(chart.records) } },
        caller.context,
      ),
  };
  const samples = Object.fromEntries(Object.keys(probes).map((k) => [k, [] as number[]])) as Record<keyof typeof probes, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(probes) as [keyof typeof probes, () => Promise<unknown>][]) {
      const start = process.hrtime.bigint();
      await run();
      samples[name].push(ms(start));
    }
  }
  return {
    records: chart.records.length,
    verification: countByVerification(chart.records),
    dtoJsonBytes: Buffer.byteLength(JSON.stringify(chart)),
    getPatientChart: stats(samples.getPatientChart),
    parts: {
      decideAccess: stats(samples.decideAccess),
      loadAndVerifyRecords: stats(samples.loadAndVerifyRecords),
      buildSummary: stats(samples.buildSummary),
      completeness: stats(samples.completeness),
      appendViewedEvent: stats(samples.appendViewedEvent),
    },
    summary: {
      resultRows: chart.summary.results.items.length + chart.summary.results.more,
      trendPoints: chart.summary.results.items.reduce((n, row) => n + row.trend.length, 0),
      recordIds: chart.summary.recordIds.length,
    },
  };
}
