import { beforeAll, expect, it } from "vitest";
import { privateKeyToAddress } from "viem/accounts";
import { inject } from "vitest";
import { checkReadiness } from "@/lib/dal/readiness";
import { db } from "@/lib/db";
import { createRecords } from "@/lib/jobs/create-records";
import { createLedgerClients } from "@/lib/ledger";
import { ledgers } from "@/lib/verification";
import { freePort } from "@/scripts/embedded/free-port";
import { asOwner, ensureDemo } from "./helpers";

beforeAll(async () => {
  // The web tier knows the writers' addresses (public information), never their keys. Set before the first env().
  process.env.LEDGER_WRITER_ADDRESS = privateKeyToAddress(inject("stack").private.writerKey as `0x${string}`);
  process.env.PENDING_WARN_MINUTES = "1";
  await ensureDemo();
});

it("reports the database, both chains, the writer's balance, the pending backlog and checkpoint lag — no PHI", async () => {
  const patient = await db().patient.create({ data: { mrn: `RD-${Date.now()}`, name: "Readiness Test", birthDate: new Date("1980-01-01T00:00:00Z"), sex: "UNKNOWN" }, select: { id: true } });
  const [id] = await createRecords([{ patientId: patient.id, resourceType: "Observation", resource: { resourceType: "Observation", status: "final" }, recordedAt: new Date(), source: "CLINICIAN" }], "SYSTEM", { ip: null, requestId: null });
  // Five minutes pass: createdAt is committed, so only the owner (past the triggers) can backdate it.
  await asOwner(`UPDATE "MedicalRecord" SET "createdAt" = $1 WHERE id = $2`, [new Date(Date.now() - 5 * 60_000), id]);

  const report = await checkReadiness();
  expect(report.ready).toBe(true);
  expect(report.database).toBe("up");
  expect(report.ledgers.private.state).toBe("up");
  expect(report.ledgers.public.state).toBe("up");
  expect(BigInt(report.ledgers.private.writerBalanceWei!)).toBeGreaterThan(0n);
  expect(report.anchoring!.pendingRecords).toBeGreaterThanOrEqual(1);
  expect(report.anchoring!.oldestPendingSeconds).toBeGreaterThanOrEqual(299);
  expect(report.anchoring!.overduePendingRecords).toBeGreaterThanOrEqual(1);
  const text = JSON.stringify(report);
  expect(text).not.toContain("Readiness Test");
  expect(text).not.toContain("http");

  // A private chain that refuses connections: not ready, and said so without an exception.
  const port = await freePort();
  const dead = { ...ledgers().private, clients: createLedgerClients({ rpcUrl: `http://127.0.0.1:${port}`, chainId: 31337, contractAddress: ledgers().private.contractAddress as `0x${string}` }) };
  const down = await checkReadiness({ private: dead, public: ledgers().public });
  expect(down.ready).toBe(false);
  expect(down.ledgers.private.state).toBe("down");
  expect(down.ledgers.public.state).toBe("up");
  await asOwner(`DELETE FROM "MedicalRecord" WHERE id = $1`, [id]);
});
