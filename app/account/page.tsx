import { requirePageUser } from "@/lib/server/current-user";
import { redirect } from "next/navigation";

export default async function AccountPage() {
  await requirePageUser("/account");
  redirect("/account/sessions");
}
