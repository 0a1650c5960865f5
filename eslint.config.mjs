import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// The import rules of docs/architecture.md, enforced rather than remembered. In flat config a later block
// replaces a rule's options, so every block repeats the viem rule that applies everywhere but lib/ledger.
const viemClients = {
  name: "viem",
  importNames: ["http", "webSocket", "createPublicClient", "createWalletClient", "createTestClient"],
  message: "Only lib/ledger creates viem clients and transports.",
};
const restrict = (files, patterns, message) => ({
  files,
  rules: { "no-restricted-imports": ["error", { paths: [viemClients], patterns: [{ group: patterns, message }] }] },
});

const config = [
  { ignores: [".next/**", "node_modules/**", "lib/generated/**", ".data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      "no-restricted-imports": ["error", { paths: [viemClients] }],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: "Read configuration through lib/env.ts." },
      ],
    },
  },
  // lib/env.ts is the reader; prisma.config.ts belongs to the Prisma CLI; the scripts hand env to child processes.
  { files: ["lib/env.ts", "prisma.config.ts", "scripts/**", "tests/**", "playwright.config.ts"], rules: { "no-restricted-syntax": "off" } },
  { files: ["lib/ledger/**"], rules: { "no-restricted-imports": "off" } },
  restrict(["components/**"], ["@/lib/db", "@/lib/dal/*", "@/lib/ledger", "@/lib/ledger/*", "@/lib/generated/*", "@/lib/jobs/*"], "Components receive DTOs as props; data comes through lib/dal in pages."),
  restrict(["app/**", "lib/actions/**", "lib/auth/**"], ["@/lib/db", "@/lib/ledger", "@/lib/ledger/*", "@/lib/jobs/*"], "Routes and actions call lib/dal."),
  restrict(["lib/integrity/**"], ["@/lib/db", "@/lib/ledger", "@/lib/ledger/*", "@/lib/dal/*", "node:fs", "node:net", "node:http"], "lib/integrity is pure: no I/O."),
  restrict(["lib/fhir/**", "lib/authz.ts", "lib/dto/**", "lib/i18n/**"], ["@/lib/db", "@/lib/dal/*", "@/lib/ledger", "@/lib/ledger/*"], "Pure modules do no data access."),
];

export default config;
