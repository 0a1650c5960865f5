import { redirect } from "next/navigation";
import { currentCaller } from "@/lib/auth/require-caller";
import { homePath } from "@/lib/authz";

export default async function HomePage() {
  const caller = await currentCaller();
  redirect(caller ? homePath(caller.actor) : "/login");
}
