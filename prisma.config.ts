// The Prisma CLI reads its own configuration; lib/env.ts stays the app's only reader of process.env.
// DATABASE_URL may be unset (e.g. `prisma generate` during `npm ci`), so no env() helper that throws.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
