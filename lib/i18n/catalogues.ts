import type { Locale } from "./locale";

// One file per namespace and language (messages/<lang>/<namespace>.json), so that features own their texts.
// Bundled statically: the set of namespaces is listed here once.
import enAccessActions from "./messages/en/accessActions.json";
import enAccessLog from "./messages/en/accessLog.json";
import enAccount from "./messages/en/account.json";
import enAdmin from "./messages/en/admin.json";
import enApprovals from "./messages/en/approvals.json";
import enBreakGlass from "./messages/en/breakGlass.json";
import enBreakGlassReview from "./messages/en/breakGlassReview.json";
import enChart from "./messages/en/chart.json";
import enCommon from "./messages/en/common.json";
import enCompliance from "./messages/en/compliance.json";
import enConsents from "./messages/en/consents.json";
import enErasure from "./messages/en/erasure.json";
import enErrors from "./messages/en/errors.json";
import enFhirCodes from "./messages/en/fhirCodes.json";
import enFhirView from "./messages/en/fhirView.json";
import enIntegrity from "./messages/en/integrity.json";
import enLogin from "./messages/en/login.json";
import enMe from "./messages/en/me.json";
import enMyAccess from "./messages/en/myAccess.json";
import enPatients from "./messages/en/patients.json";
import enProof from "./messages/en/proof.json";
import enResearch from "./messages/en/research.json";
import enResourceTypes from "./messages/en/resourceTypes.json";
import enSources from "./messages/en/sources.json";
import enStaff from "./messages/en/staff.json";
import enSummary from "./messages/en/summary.json";
import enTable from "./messages/en/table.json";
import enUpload from "./messages/en/upload.json";
import enVerification from "./messages/en/verification.json";
import koAccessActions from "./messages/ko/accessActions.json";
import koAccessLog from "./messages/ko/accessLog.json";
import koAccount from "./messages/ko/account.json";
import koAdmin from "./messages/ko/admin.json";
import koApprovals from "./messages/ko/approvals.json";
import koBreakGlass from "./messages/ko/breakGlass.json";
import koBreakGlassReview from "./messages/ko/breakGlassReview.json";
import koChart from "./messages/ko/chart.json";
import koCommon from "./messages/ko/common.json";
import koCompliance from "./messages/ko/compliance.json";
import koConsents from "./messages/ko/consents.json";
import koErasure from "./messages/ko/erasure.json";
import koErrors from "./messages/ko/errors.json";
import koFhirCodes from "./messages/ko/fhirCodes.json";
import koFhirView from "./messages/ko/fhirView.json";
import koIntegrity from "./messages/ko/integrity.json";
import koLogin from "./messages/ko/login.json";
import koMe from "./messages/ko/me.json";
import koMyAccess from "./messages/ko/myAccess.json";
import koPatients from "./messages/ko/patients.json";
import koProof from "./messages/ko/proof.json";
import koResearch from "./messages/ko/research.json";
import koResourceTypes from "./messages/ko/resourceTypes.json";
import koSources from "./messages/ko/sources.json";
import koStaff from "./messages/ko/staff.json";
import koSummary from "./messages/ko/summary.json";
import koTable from "./messages/ko/table.json";
import koUpload from "./messages/ko/upload.json";
import koVerification from "./messages/ko/verification.json";

export const catalogues = {
  en: {
    accessActions: enAccessActions,
    accessLog: enAccessLog,
    account: enAccount,
    admin: enAdmin,
    approvals: enApprovals,
    breakGlass: enBreakGlass,
    breakGlassReview: enBreakGlassReview,
    chart: enChart,
    common: enCommon,
    compliance: enCompliance,
    consents: enConsents,
    erasure: enErasure,
    errors: enErrors,
    fhirCodes: enFhirCodes,
    fhirView: enFhirView,
    integrity: enIntegrity,
    login: enLogin,
    me: enMe,
    myAccess: enMyAccess,
    patients: enPatients,
    proof: enProof,
    research: enResearch,
    resourceTypes: enResourceTypes,
    sources: enSources,
    staff: enStaff,
    summary: enSummary,
    table: enTable,
    upload: enUpload,
    verification: enVerification,
  },
  ko: {
    accessActions: koAccessActions,
    accessLog: koAccessLog,
    account: koAccount,
    admin: koAdmin,
    approvals: koApprovals,
    breakGlass: koBreakGlass,
    breakGlassReview: koBreakGlassReview,
    chart: koChart,
    common: koCommon,
    compliance: koCompliance,
    consents: koConsents,
    erasure: koErasure,
    errors: koErrors,
    fhirCodes: koFhirCodes,
    fhirView: koFhirView,
    integrity: koIntegrity,
    login: koLogin,
    me: koMe,
    myAccess: koMyAccess,
    patients: koPatients,
    proof: koProof,
    research: koResearch,
    resourceTypes: koResourceTypes,
    sources: koSources,
    staff: koStaff,
    summary: koSummary,
    table: koTable,
    upload: koUpload,
    verification: koVerification,
  },
} satisfies Record<Locale, Record<string, unknown>>;
