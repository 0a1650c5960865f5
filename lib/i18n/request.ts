import { getRequestConfig } from "next-intl/server";
import { cookies, headers } from "next/headers";
import { env } from "@/lib/env";
import { LOCALE_COOKIE, negotiateLocale } from "./locale";
import { formats } from "./formats";
import { catalogues } from "./catalogues";

export default getRequestConfig(async () => {
  const locale = negotiateLocale((await cookies()).get(LOCALE_COOKIE)?.value, (await headers()).get("accept-language"));
  return { locale, messages: catalogues[locale], timeZone: env().DEFAULT_TIME_ZONE, formats };
});
