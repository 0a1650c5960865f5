import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { raiseAlert } from "@/lib/jobs/alerts";
import { deliverPendingAlerts } from "@/lib/jobs/alert-delivery";
import { ensureDemo, testAlertKind } from "./helpers";

type Received = { headers: IncomingMessage["headers"]; body: Record<string, unknown> };

/** A real HTTP receiver on a free local port: answers each POST with the next status of `plan` (then 200). */
function receiver() {
  const received: Received[] = [];
  const plan: number[] = [];
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    req.on("end", () => {
      const status = plan.shift() ?? 200;
      if (status === 200) received.push({ headers: req.headers, body: JSON.parse(raw) as Record<string, unknown> });
      res.writeHead(status).end();
    });
  });
  return {
    received,
    plan,
    url: async () => {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/alerts`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const hook = receiver();
let url = "";

beforeAll(async () => {
  await ensureDemo();
  url = await hook.url();
  // The suite shares one database: deliver whatever earlier files raised, so that what follows is this file's alone.
  for (let i = 0; i < 100; i++) {
    const r = await deliverPendingAlerts(url, { now: new Date(Date.now() + 24 * 3600_000) });
    if (r.delivered + r.failed === 0) break;
  }
  hook.received.length = 0;
});

afterAll(() => hook.close());
afterEach(() => vi.restoreAllMocks());

describe("one path for every alert", () => {
  it("the alert row and an `alert.raised` access event commit together, and a JSON line `kind: \"alert\"` is logged", async () => {
    const warn = vi.spyOn(log, "warn");
    expect(await raiseAlert({ kind: testAlertKind("test.path"), severity: "CRITICAL", details: { recordId: "r-1", count: 2 } })).toBe(true);
    const alert = await db().alert.findFirstOrThrow({ where: { kind: "test.path" }, orderBy: { createdAt: "desc" } });
    const event = await db().accessEvent.findFirstOrThrow({ where: { action: "alert.raised" }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({ actorKind: "SYSTEM", outcome: "ALLOWED", purpose: "OPERATIONS" });
    expect(event.details).toMatchObject({ alertId: alert.id, kind: "test.path", severity: "CRITICAL", details: { recordId: "r-1", count: 2 } });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ kind: "alert", alertId: alert.id, alertKind: "test.path", severity: "CRITICAL" }), "alert raised");
  });

  it("a deduplicated repeat raises nothing: no row, no event, no log line", async () => {
    expect(await raiseAlert({ kind: testAlertKind("test.dedupe"), severity: "WARNING", details: {}, dedupeKey: "k" })).toBe(true);
    const events = await db().accessEvent.count({ where: { action: "alert.raised" } });
    const warn = vi.spyOn(log, "warn");
    expect(await raiseAlert({ kind: testAlertKind("test.dedupe"), severity: "WARNING", details: {}, dedupeKey: "k" })).toBe(false);
    expect(await db().alert.count({ where: { kind: "test.dedupe" } })).toBe(1);
    expect(await db().accessEvent.count({ where: { action: "alert.raised" } })).toBe(events);
    expect(warn).not.toHaveBeenCalled();
  });
});

describe("the webhook (a real local HTTP server)", () => {
  it("receives each alert as JSON with its id as idempotency key; a refused delivery is logged, kept and retried", async () => {
    await deliverPendingAlerts(url, { now: new Date(Date.now() + 24 * 3600_000) });
    hook.received.length = 0;
    await raiseAlert({ kind: testAlertKind("test.webhook"), severity: "CRITICAL", details: { patientId: "p-1" } });
    const alert = await db().alert.findFirstOrThrow({ where: { kind: "test.webhook" }, orderBy: { createdAt: "desc" } });

    hook.plan.push(503);
    const error = vi.spyOn(log, "error");
    const now = new Date();
    expect(await deliverPendingAlerts(url, { now })).toEqual({ delivered: 0, failed: 1 });
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ kind: "alert_delivery_failed", alertId: alert.id, attempts: 1, reason: "HTTP 503" }), expect.any(String));
    const waiting = await db().alert.findUniqueOrThrow({ where: { id: alert.id } });
    expect(waiting).toMatchObject({ deliveredAt: null, deliveryAttempts: 1 });
    expect(waiting.nextDeliveryAt!.getTime()).toBeGreaterThan(now.getTime());
    // Not before its backoff…
    expect(await deliverPendingAlerts(url, { now })).toEqual({ delivered: 0, failed: 0 });
    // …then delivered.
    expect(await deliverPendingAlerts(url, { now: new Date(waiting.nextDeliveryAt!.getTime() + 1) })).toEqual({ delivered: 1, failed: 0 });
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.headers["idempotency-key"]).toBe(alert.id);
    expect(hook.received[0]!.headers["content-type"]).toBe("application/json");
    expect(hook.received[0]!.body).toMatchObject({ source: "chartproof", alertId: alert.id, kind: "test.webhook", severity: "CRITICAL", details: { patientId: "p-1" } });
    expect((await db().alert.findUniqueOrThrow({ where: { id: alert.id } })).deliveredAt).not.toBeNull();
    // Delivered once: nothing more to send.
    expect(await deliverPendingAlerts(url, { now: new Date(Date.now() + 24 * 3600_000) })).toEqual({ delivered: 0, failed: 0 });
  });

  it("an unreachable receiver loses nothing: the alert waits, and the failure is logged", async () => {
    const dead = receiver();
    const deadUrl = await dead.url();
    await dead.close();
    await raiseAlert({ kind: testAlertKind("test.unreachable"), severity: "WARNING", details: {} });
    const alert = await db().alert.findFirstOrThrow({ where: { kind: "test.unreachable" } });
    const error = vi.spyOn(log, "error");
    const report = await deliverPendingAlerts(deadUrl);
    expect(report.failed).toBeGreaterThanOrEqual(1);
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ kind: "alert_delivery_failed", alertId: alert.id }), expect.any(String));
    expect(await db().alert.findUniqueOrThrow({ where: { id: alert.id } })).toMatchObject({ deliveredAt: null, deliveryAttempts: 1 });
    await deliverPendingAlerts(url, { now: new Date(Date.now() + 24 * 3600_000) });
    expect(hook.received.some((r) => r.body.alertId === alert.id)).toBe(true);
  });
});
