import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { STAFF_ROLES, type StaffRole } from "@/lib/authz";
import { isUuid } from "@/lib/ids";
import { listDepartmentOptions } from "@/lib/dal/departments";
import { getStaffDetail, previewAccessChange } from "@/lib/dal/staff";
import { PageHeader } from "@/components/ui/page-header";
import { AccessChangePreview } from "@/components/admin/access-change-preview";
import { ConfirmChangeForm, IssueCodeForm, ProfileForm, ResetMfaForm, StaffActionButton } from "@/components/admin/staff-manage";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin"))("detailTitle") };
}

type Props = {
  params: Promise<{ staffId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

const section = "rounded-lg border border-line bg-surface p-5";
const control = "rounded border border-line-strong bg-surface px-3 py-2 text-sm";

export default async function StaffDetailPage({ params, searchParams }: Props) {
  const caller = await requireCaller("staff.manage");
  const { staffId } = await params;
  if (!isUuid(staffId)) notFound();
  const staff = await getStaffDetail(caller, staffId);
  if (!staff) notFound();
  const departments = await listDepartmentOptions(caller);
  const search = await searchParams;
  const t = await getTranslations("admin");
  const ts = await getTranslations("staff");
  const tc = await getTranslations("common");
  const format = await getFormatter();

  // A previewed change arrives as ?role= or ?department= (GET), so the preview is rendered on the server.
  const wantedRole = typeof search.role === "string" && (STAFF_ROLES as readonly string[]).includes(search.role) ? (search.role as StaffRole) : null;
  const roleChange = wantedRole && wantedRole !== staff.role && !staff.isSelf ? wantedRole : null;
  const wantedDepartment = typeof search.department === "string" ? search.department : null;
  const departmentChange =
    wantedDepartment === "none" ? (staff.departmentId ? null : undefined) : wantedDepartment && departments.some((d) => d.id === wantedDepartment && d.active) && wantedDepartment !== staff.departmentId ? wantedDepartment : undefined;
  const preview =
    roleChange !== null
      ? await previewAccessChange(caller, staff.id, { role: roleChange })
      : departmentChange !== undefined
        ? await previewAccessChange(caller, staff.id, { departmentId: departmentChange })
        : null;
  const departmentName = (id: string | null) => (id ? (departments.find((d) => d.id === id)?.name ?? id) : ts("noDepartment"));
  const done = search.done === "role" || search.done === "role_requested" || search.done === "department" ? search.done : null;

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/admin/staff" className="text-brand hover:underline">
          ← {t("backToList")}
        </Link>
      </p>
      <PageHeader title={staff.name} description={`${tc(`roles.${staff.role}`)} · ${staff.department ?? ts("noDepartment")} · ${ts(`statuses.${staff.status}`)}`} />
      {done ? (
        <p role="status" className="mb-4 rounded border border-ok bg-ok-soft px-3 py-2 text-sm text-ok">
          {t(`done.${done}`)}
        </p>
      ) : null}
      {staff.isSelf ? <p className="mb-4 rounded border border-warn bg-warn-soft px-3 py-2 text-sm text-warn">{t("selfNote")}</p> : null}
      <div className="grid gap-6 lg:grid-cols-2">
        <section aria-labelledby="profile-title" className={section}>
          <h2 id="profile-title" className="mb-4 text-lg font-bold">
            {t("profile")}
          </h2>
          <ProfileForm staff={staff} />
        </section>

        <section aria-labelledby="access-title" className={section}>
          <h2 id="access-title" className="mb-4 text-lg font-bold">
            {t("access")}
          </h2>
          <form method="get" className="mb-4 flex flex-wrap items-end gap-3">
            <label className="flex flex-col text-sm font-semibold">
              {t("changeRole")}
              <select name="role" defaultValue={roleChange ?? staff.role} disabled={staff.isSelf} className={`${control} mt-1 font-normal`}>
                {STAFF_ROLES.map((role) => (
                  <option key={role} value={role}>
                    {tc(`roles.${role}`)}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" disabled={staff.isSelf} className="rounded border border-line-strong px-4 py-2 text-sm font-semibold hover:bg-surface-muted disabled:opacity-60">
              {t("preview")}
            </button>
          </form>
          <form method="get" className="mb-4 flex flex-wrap items-end gap-3">
            <label className="flex flex-col text-sm font-semibold">
              {t("moveDepartment")}
              <select name="department" defaultValue={departmentChange ?? staff.departmentId ?? "none"} className={`${control} mt-1 font-normal`}>
                <option value="none">{t("noDepartmentOption")}</option>
                {departments
                  .filter((d) => d.active || d.id === staff.departmentId)
                  .map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.name}
                    </option>
                  ))}
              </select>
            </label>
            <button type="submit" className="rounded border border-line-strong px-4 py-2 text-sm font-semibold hover:bg-surface-muted">
              {t("preview")}
            </button>
          </form>
          {preview ? (
            <div className="rounded border-2 border-warn p-4" data-testid="access-preview">
              <h3 className="mb-2 font-bold">{t("previewTitle")}</h3>
              <p className="mb-2 text-sm">
                {roleChange
                  ? t("previewRole", { from: tc(`roles.${staff.role}`), to: tc(`roles.${roleChange}`) })
                  : t("previewDepartment", { from: departmentName(staff.departmentId), to: departmentName(departmentChange ?? null) })}
              </p>
              <AccessChangePreview preview={preview} />
              <p className="my-3 text-xs text-ink-muted">{t("previewNote")}</p>
              <ConfirmChangeForm staffId={staff.id} kind={roleChange ? "role" : "department"} value={roleChange ?? departmentChange ?? "none"} />
            </div>
          ) : null}
        </section>

        <section aria-labelledby="status-title" className={`${section} lg:col-span-2`}>
          <h2 id="status-title" className="mb-4 text-lg font-bold">
            {t("statusSection")}
          </h2>
          <dl className="mb-4 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
            <dt className="font-semibold">{t("status")}</dt>
            <dd data-testid="staff-status">{ts(`statuses.${staff.status}`)}</dd>
            <dt className="font-semibold">{t("mfa")}</dt>
            <dd>{staff.mfaEnabled ? t("mfaOn") : t("mfaOff")}</dd>
          </dl>
          {staff.openCodeExpiresAt ? <p className="mb-4 text-sm">{t("openCode", { time: format.dateTime(new Date(staff.openCodeExpiresAt), "audit") })}</p> : null}
          <div className="space-y-4">
            {staff.status === "SUSPENDED" ? (
              <StaffActionButton staffId={staff.id} kind="reactivate" />
            ) : (
              <StaffActionButton staffId={staff.id} kind="suspend" hint={t("suspendHint")} disabled={staff.isSelf} />
            )}
            {staff.status === "SUSPENDED" ? null : <IssueCodeForm staff={staff} disabled={staff.isSelf} />}
            {staff.mfaEnabled ? <ResetMfaForm staff={staff} hint={t("resetMfaHint")} disabled={staff.isSelf} /> : null}
          </div>
        </section>
      </div>
    </>
  );
}
