import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { listPrivilegedRequests } from "@/lib/dal/privileged-requests";
import { PageHeader } from "@/components/ui/page-header";
import { ApprovalList } from "@/components/admin/approvals";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("approvals"))("title") };
}

export default async function ApprovalsPage() {
  const caller = await requireCaller("staff.manage");
  const requests = await listPrivilegedRequests(caller);
  const t = await getTranslations("approvals");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <section aria-labelledby="pending-title" className="mb-8">
        <h2 id="pending-title" className="mb-3 text-lg font-semibold">
          {t("pendingTitle")}
        </h2>
        <ApprovalList requests={requests.filter((r) => r.status === "PENDING")} pending />
      </section>
      <section aria-labelledby="decided-title">
        <h2 id="decided-title" className="mb-3 text-lg font-semibold">
          {t("decidedTitle")}
        </h2>
        <ApprovalList requests={requests.filter((r) => r.status !== "PENDING")} pending={false} />
      </section>
    </>
  );
}
