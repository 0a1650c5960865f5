import { describe, expect, it } from "vitest";
import type { OwnAccessEventDto } from "@/lib/dto";
import { groupIntoVisits } from "@/lib/dto/access-visits";

let seq = 0;
const view = (at: string, staffName: string, extra: Partial<OwnAccessEventDto> = {}): OwnAccessEventDto => ({
  seq: String(++seq),
  occurredAt: at,
  staffName,
  staffRole: "DOCTOR",
  department: "Internal Medicine",
  action: "patient.viewed",
  purpose: "TREATMENT",
  emergency: false,
  reason: null,
  recordCount: 2,
  recordTypes: { Observation: 2 },
  record: null,
  ...extra,
});

describe("who looked, grouped by visit", () => {
  it("makes one visit of one person's views without a 30-minute pause, and splits at a longer one", () => {
    const visits = groupIntoVisits([
      view("2026-12-01T09:00:00Z", "Kim"),
      view("2026-12-01T09:05:00Z", "Kim"),
      view("2026-12-01T09:34:00Z", "Kim"),
      view("2026-12-01T10:30:00Z", "Kim"),
    ]);
    expect(visits.map((v) => [v.from, v.to, v.events.length])).toEqual([
      ["2026-12-01T10:30:00Z", "2026-12-01T10:30:00Z", 1],
      ["2026-12-01T09:00:00Z", "2026-12-01T09:34:00Z", 3],
    ]);
    expect(visits[1]).toMatchObject({ recordCount: 6, recordTypes: { Observation: 6 } });
  });

  it("keeps two people apart even when their views interleave, newest visit first", () => {
    const visits = groupIntoVisits([
      view("2026-12-01T09:00:00Z", "Kim"),
      view("2026-12-01T09:02:00Z", "Lee"),
      view("2026-12-01T09:04:00Z", "Kim"),
      view("2026-12-01T09:06:00Z", "Lee"),
    ]);
    expect(visits.map((v) => [v.staffName, v.events.length])).toEqual([
      ["Lee", 2],
      ["Kim", 2],
    ]);
  });

  it("marks a visit with any emergency view as an emergency, with every stated reason", () => {
    const [visit] = groupIntoVisits([
      view("2026-12-01T09:00:00Z", "Park", { emergency: true, reason: "Unconscious in the ER", purpose: "EMERGENCY" }),
      view("2026-12-01T09:01:00Z", "Park"),
    ]);
    expect(visit).toMatchObject({ emergency: true, reasons: ["Unconscious in the ER"], purposes: ["EMERGENCY", "TREATMENT"] });
  });
});
