// Liveness: the process answers. Says nothing about dependencies (that is /api/ready).
export function GET() {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
