import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { listPrivilegedRequests } from "@/lib/dal/privileged-requests";
import { PageHeader } from "@/components/ui/page-header";
import { ApprovalBoard } from "@/components/admin/approvals";

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
      <ApprovalBoard requests={requests} />
    </>
  );
}
