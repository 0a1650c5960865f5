import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { appendAccessEvent, searchTermsDigest } from "@/lib/audit";
import { env } from "@/lib/env";
import { calendarDay } from "@/lib/i18n/formats";
import { unseal } from "@/lib/auth/sealed-box";
import { can } from "@/lib/authz";
import type { PatientChartDto, PatientListItemDto } from "@/lib/dto";
import { IDENTITY_RESOURCE_TYPE } from "@/lib/fhir/identity-record";
import { alertIdentity, checkIdentity } from "./chart-identity";
import {
  CHART_PAGE_SIZE,
  patientSearchTermsSchema,
  type ChartFilters,
  type EmergencyGrantDto,
  type PatientListQuery,
  type PatientPageDto,
  type PatientSearchTerms,
} from "@/lib/dto/patients";
import { AccessDeniedError, type Caller } from "./caller";
import { activeTreatmentConsent, chartPatientSelect, decideChartAccess, requireStaff, type ChartAccess } from "./chart-access";
import { countByVerification, loadVerifiedRecordsWithContent } from "./verified-records";
import { alertMissingRecords, findMissingRecords, type MissingRecord } from "./chart-completeness";
import { buildClinicalSummary } from "@/lib/chart-summary/build";
import { sourceKind } from "@/lib/chart-summary/types";
import { ageOn } from "@/lib/fhir/age";

function toPatientDto(p: { id: string; mrn: string; name: string; birthDate: Date; sex: string }): PatientListItemDto {
  return { id: p.id, mrn: p.mrn, name: p.name, birthDate: p.birthDate.toISOString().slice(0, 10), sex: p.sex };
}

/** The terms sealed into a search link, or null when the link was altered or sealed under a rotated secret. */
export function openSearchTerms(sealed: string): PatientSearchTerms | null {
  const text = unseal("patient-search-v1", sealed, env().AUTH_SECRET);
  if (text === null) return null;
  try {
    const parsed = patientSearchTermsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function searchWhere(terms: PatientSearchTerms | null): Prisma.PatientWhereInput[] {
  const where: Prisma.PatientWhereInput[] = [];
  if (terms?.q) {
    const q = terms.q.normalize("NFC");
    where.push({ OR: [{ name: { contains: q, mode: "insensitive" } }, { mrn: { startsWith: q } }] });
  }
  if (terms?.born) where.push({ birthDate: new Date(`${terms.born}T00:00:00Z`) });
  return where;
}

/**
 * One page of the patients whose active TREATMENT consent covers the calling doctor (directly or through the
 * department), searched by name, MRN or birth date, sorted and paged on the server. Patients without such a consent
 * are never listed or counted, whatever the search. Logged as one `patients.searched` event whose terms are kept
 * only as an HMAC (lib/audit/search-terms).
 */
export async function searchPatients(caller: Caller, query: PatientListQuery): Promise<PatientPageDto> {
  const doctor = requireStaff(caller, "patient.list");
  const terms = query.s ? openSearchTerms(query.s) : null;
  // The doctor's consented patients first (the grantee indexes), then the search among them: a name substring can
  // use no index, so it must never be matched against the whole hospital (measured: 250 ms → 80 ms p95 at 100,000).
  const consented = await db().consent.findMany({ where: activeTreatmentConsent(doctor, new Date()), select: { patientId: true }, distinct: ["patientId"] });
  const where: Prisma.PatientWhereInput = { AND: [{ id: { in: consented.map((c) => c.patientId) } }, ...searchWhere(terms)] };
  const orderBy: Prisma.PatientOrderByWithRelationInput[] = [{ [query.sort]: query.dir }, { id: "asc" }];
  const total = await db().patient.count({ where });
  const pages = Math.max(1, Math.ceil(total / query.size));
  const page = Math.min(query.page, pages);
  const rows = await db().patient.findMany({ where, select: chartPatientSelect, orderBy, skip: (page - 1) * query.size, take: query.size });
  // The page also names the patients of the doctor's own open emergency grants: shown, so logged with the rest.
  const grants = can(doctor, "break_glass.open") ? await ownOpenGrants(doctor.id, new Date()) : [];
  await appendAccessEvent(
    {
      actor: doctor,
      action: "patients.searched",
      outcome: "ALLOWED",
      purpose: "TREATMENT",
      details: {
        terms: terms ? searchTermsDigest(terms) : null,
        sort: query.sort,
        dir: query.dir,
        page,
        resultCount: total,
        patientIds: rows.map((p) => p.id),
        ...(grants.length ? { emergencyGrantPatientIds: grants.map((g) => g.patientId) } : {}),
      },
    },
    caller.context,
  );
  return { rows: rows.map(toPatientDto), total, page, pageSize: query.size, terms, searchExpired: query.s !== undefined && terms === null, grants };
}

/** The doctor's own emergency grants that are still open, newest first (their own patients, not a search). */
async function ownOpenGrants(doctorId: string, now: Date): Promise<EmergencyGrantDto[]> {
  const grants = await db().breakGlassGrant.findMany({
    where: { staffId: doctorId, expiresAt: { gt: now }, openedAt: { lte: now } },
    select: { id: true, openedAt: true, expiresAt: true, patient: { select: { id: true, mrn: true, name: true } } },
    orderBy: { openedAt: "desc" },
    take: 50,
  });
  return grants.map((g) => ({
    id: g.id,
    patientId: g.patient.id,
    mrn: g.patient.mrn,
    name: g.patient.name,
    openedAt: g.openedAt.toISOString(),
    expiresAt: g.expiresAt.toISOString(),
  }));
}

type ChartPatientRow = { id: string; mrn: string; name: string; birthDate: Date; sex: string; identityVersion: number };

function accessDto(access: ChartAccess): PatientChartDto["access"] {
  return access.kind === "emergency"
    ? { kind: "emergency", grantId: access.grant.id, openedAt: access.grant.openedAt.toISOString(), expiresAt: access.grant.expiresAt.toISOString() }
    : { kind: "consent" };
}

/** The chart of a patient whose identity failed: the header (in red) and nothing else. */
function withheldChart(patient: ChartPatientRow, access: ChartAccess, identity: PatientChartDto["identity"]): PatientChartDto {
  return {
    patient: toPatientDto(patient),
    identity,
    access: accessDto(access),
    records: [],
    matching: 0,
    page: 1,
    pageCount: 1,
    counts: { verified: 0, tampered: 0, pending: 0, unavailable: 0, erased: 0 },
    total: 0,
    types: [],
    allergies: [],
    summary: buildClinicalSummary([], { ageYears: null, shares: () => "none", completeness: "unchecked" }),
    overdue: 0,
    missing: 0,
    sources: [],
  };
}

function missingByType(missing: readonly MissingRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of missing) counts[m.resourceType] = (counts[m.resourceType] ?? 0) + 1;
  return counts;
}

/**
 * A patient's chart for a doctor with consent (the records it covers) or an open emergency grant (every record,
 * purpose EMERGENCY), each record verified against the chains, filtered for the timeline. Without access: a DENIED
 * event and AccessDeniedError (the page answers 404). The view, with the ids of the records shown, is logged before
 * the data is returned; if the log write fails, this throws and nothing is shown.
 */
export async function getPatientChart(
  caller: Caller,
  patientId: string,
  filters: ChartFilters = {},
  page = 1,
  options: { allResults?: boolean } = {},
): Promise<PatientChartDto> {
  const doctor = requireStaff(caller, "chart.view");
  const decision = await decideChartAccess(doctor, patientId);
  if (!decision.allowed) {
    await appendAccessEvent(
      {
        actor: doctor,
        action: "patient.viewed",
        outcome: "DENIED",
        purpose: "TREATMENT",
        patientId: decision.patient?.id ?? null,
        details: { reason: decision.reason },
      },
      caller.context,
    );
    throw new AccessDeniedError();
  }
  const { patient, access } = decision;

  // A corrected record's earlier versions are history (on its detail page), not part of the timeline.
  // The identity record is verified in the same call as the body (one chain read); it is never part of the body.
  const [verifiedLoaded, missingAll] = await Promise.all([
    loadVerifiedRecordsWithContent(patient.id, (r) => r.resourceType === IDENTITY_RESOURCE_TYPE || access.covers(r)),
    findMissingRecords(patient.id),
  ]);
  const identity = checkIdentity(patient, verifiedLoaded.filter((r) => r.record.resourceType === IDENTITY_RESOURCE_TYPE && r.record.supersededAt === null));
  if (identity.withheld) {
    // Whose chart this is cannot be vouched for: nothing of the body is shown (or logged as shown).
    await alertIdentity(patient.id, identity);
    await alertMissingRecords(patient.id, missingAll);
    await appendAccessEvent(
      { actor: doctor, action: "patient.viewed", outcome: "ALLOWED", purpose: access.purpose, patientId: patient.id, details: { recordIds: [], identity: identity.state } },
      caller.context,
    );
    return withheldChart(patient, access, identity);
  }
  const loaded = verifiedLoaded.filter((r) => r.record.supersededAt === null && r.record.resourceType !== IDENTITY_RESOURCE_TYPE);
  // Every missing record raises its alert, shown or not; the chart names only those the viewer's access covers. A
  // deleted record's date is gone with its row, so a type shared for a period counts it (the safe side: "missing").
  await alertMissingRecords(patient.id, missingAll);
  const missing = missingAll.filter((m) => (m.recordedAt ? access.covers({ resourceType: m.resourceType, recordedAt: m.recordedAt }) : access.shares(m.resourceType) !== "none"));
  const all = loaded.map((r) => r.record);
  // The summary is built from this request's verdicts only, whatever the timeline's filters.
  const summary = buildClinicalSummary(
    loaded.map(({ record, resource }) => ({ id: record.id, resourceType: record.resourceType, recordedAt: record.recordedAt, source: record.source, verification: record.verification, resource })),
    {
      ageYears: ageOn(patient.birthDate, new Date()),
      shares: access.shares,
      completeness: missing.length > 0 ? "broken" : "holds",
      missing: missingByType(missing),
      allResults: options.allResults,
    },
  );
  // The date filters are calendar days in the hospital's zone, the same days the timeline groups by.
  const zone = env().DEFAULT_TIME_ZONE;
  const matching = all.filter((r) => {
    if (filters.type && r.resourceType !== filters.type) return false;
    if (filters.status && r.verification !== filters.status) return false;
    if (filters.source && sourceKind(r.source) !== filters.source) return false;
    if (!filters.from && !filters.to) return true;
    const day = calendarDay(new Date(r.recordedAt), zone);
    return (!filters.from || day >= filters.from) && (!filters.to || day <= filters.to);
  });
  const allergies = all.filter((r) => r.resourceType === "AllergyIntolerance");
  // Every record is verified (the counts and the state filter need it), but only one page is rendered and logged.
  const pageCount = Math.max(1, Math.ceil(matching.length / CHART_PAGE_SIZE));
  const shownPage = Math.min(page, pageCount);
  const records = matching.slice((shownPage - 1) * CHART_PAGE_SIZE, shownPage * CHART_PAGE_SIZE);

  await appendAccessEvent(
    {
      actor: doctor,
      action: "patient.viewed",
      outcome: "ALLOWED",
      purpose: access.purpose,
      patientId: patient.id,
      details: {
        // The allergy banner and the summary show their records whatever the filters, so they count as shown.
        recordIds: [...new Set([...allergies.map((r) => r.id), ...summary.recordIds, ...records.map((r) => r.id)])],
        verification: countByVerification(records),
        ...(missing.length ? { missingRecordIds: missing.map((m) => m.recordId) } : {}),
        ...(identity.state !== "verified" ? { identity: identity.state } : {}),
        ...(Object.values(filters).some(Boolean) ? { filters } : {}),
        ...(pageCount > 1 ? { page: shownPage } : {}),
        ...(access.kind === "emergency" ? { grantId: access.grant.id } : {}),
      },
    },
    caller.context,
  );
  return {
    patient: toPatientDto(patient),
    identity,
    access: accessDto(access),
    records,
    matching: matching.length,
    page: shownPage,
    pageCount,
    counts: countByVerification(all),
    total: all.length,
    types: [...new Set(all.map((r) => r.resourceType))].sort(),
    allergies,
    summary,
    overdue: all.filter((r) => r.overdue).length,
    missing: missing.length,
    sources: [...new Set(all.map((r) => sourceKind(r.source)))].sort(),
  };
}
