import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

// A sign-in refused by the throttle (lib/auth/throttle.ts) answers 429 with Retry-After, as HTTP clients and proxies
// understand it; next-auth itself can only say so in the error of its redirect URL ("THROTTLED_<seconds>").
const THROTTLED = /[?&]error=THROTTLED_(\d+)/;

async function handler(request: Request, context: RouteContext) {
  const response = (await NextAuth(request as never, context as never, authOptions())) as Response;
  if (request.method !== "POST") return response;
  const location = response.headers.get("location");
  let seconds = location ? THROTTLED.exec(location)?.[1] : undefined;
  let body: string | null = null;
  if (!seconds && response.headers.get("content-type")?.includes("application/json")) {
    body = await response.text();
    seconds = THROTTLED.exec(decodeURIComponent(body))?.[1];
    if (!seconds) return new Response(body, { status: response.status, headers: response.headers });
  }
  if (!seconds) return response;
  const headers = new Headers(response.headers);
  headers.delete("location");
  headers.set("Retry-After", seconds);
  headers.set("Content-Type", "application/json");
  const url = body ? (JSON.parse(body) as { url?: string }).url : location;
  return new Response(JSON.stringify({ url }), { status: 429, headers });
}

export { handler as GET, handler as POST };
