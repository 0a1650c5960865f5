import { beforeAll, expect, it } from "vitest";
import { appendAccessEvent } from "@/lib/audit";
import { checkAccessLog } from "@/lib/audit/check-log";
import { onChainSeals } from "@/lib/audit/on-chain-seals";
import { sealedTail } from "@/lib/audit/sealed-heads";
import { anchorEverything, prepareSeal } from "@/lib/jobs/anchoring";
import { db } from "@/lib/db";
import { ledgers } from "@/lib/verification";
import { callerFor, ensureDemo } from "./helpers";

beforeAll(async () => { await ensureDemo(); }, 300_000);

const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
const CONFIG = { batchSize: 64, windowSeconds: 0, checkpointEveryBatches: 100, checkpointEveryMinutes: 1000 };

it("measures", async () => {
  const doctor = await callerFor("doctor@demo.chartproof.local");
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 20; i++) await Promise.all(Array.from({ length: 100 }, (_, j) => appendAccessEvent({ actor: doctor.actor, action: "m.viewed", outcome: "ALLOWED", purpose: "TREATMENT", details: { i, j } }, doctor.context)));
    let t = process.hrtime.bigint();
    const tail = await sealedTail(ledgers().private);
    const tailMs = ms(t);
    t = process.hrtime.bigint();
    await prepareSeal(ledgers().private, { everySeconds: 0 });
    const sealMs = ms(t);
    await anchorEverything(ledgers(), CONFIG);
    console.log(`round ${round}: sealedTail ${tailMs.toFixed(0)} ms (ok=${tail.ok}), prepareSeal ${sealMs.toFixed(0)} ms`);
  }
  const events = await db().accessEvent.count();
  for (let k = 0; k < 3; k++) {
    const t = process.hrtime.bigint();
    const check = await checkAccessLog({ ledger: ledgers().private, unsealedGraceSeconds: 600 });
    console.log(`checkAccessLog: ${events} events, ${check.sealsOnChain} seals on chain, ${ms(t).toFixed(0)} ms, breaks ${check.breaks.length}`);
    expect(check.breaks).toEqual([]);
  }
  const t = process.hrtime.bigint();
  await onChainSeals(ledgers().private);
  console.log(`onChainSeals (warm): ${ms(t).toFixed(1)} ms`);
}, 900_000);
