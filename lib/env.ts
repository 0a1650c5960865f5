import { z } from "zod";

// The only reader of process.env. Parsed lazily so that `next build` and CLI tools that need none of it
// do not fail, and parsed once so that a bad value fails loudly at the first use.
const hex = /^0x[0-9a-fA-F]+$/;

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url(),
  /** Connections per process (web tier, worker); every page view holds one briefly for its access event. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(20),
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters"),
  /** Idle timeout: a session with no request for this long ends. */
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  /** Absolute lifetime of a session from sign-in, however active it is. */
  SESSION_MAX_HOURS: z.coerce.number().min(0.25).max(7 * 24).default(12),
  /** How long an activation or password-reset code handed over by an administrator stays valid. */
  ONE_TIME_CODE_HOURS: z.coerce.number().min(1).max(14 * 24).default(72),
  /**
   * Four eyes on privileged admin steps (granting a role, resetting someone's password or second factor, issuing a
   * service credential): "required" makes them requests a second administrator approves; "alert_only" executes them at
   * once and raises a critical alert — for a very small clinic only, unsuitable for a hospital (docs/operations/production.md).
   */
  FOUR_EYES_MODE: z.enum(["required", "alert_only"]).default("required"),
  /** How long a privileged request waits for its second administrator. */
  FOUR_EYES_REQUEST_HOURS: z.coerce.number().min(0.1).max(24).default(24),
  /**
   * Where one-time codes for existing staff accounts go (never to the screen of the admin who asked): the embedded
   * channel appends them to codes.jsonl in this directory (mode 0600) for the operator to hand over.
   */
  CODE_OUTBOX_DIR: z.string().default(".data/outbox"),
  /**
   * Addresses (or CIDR ranges) of reverse proxies whose X-Forwarded-For is believed. Everyone else's is replaced by
   * the socket's address before the app sees the request (scripts/web-server.ts). Empty: no proxy is trusted.
   */
  TRUSTED_PROXIES: z.string().default(""),
  /** How long an emergency (break-glass) grant to one patient's chart lasts. */
  BREAK_GLASS_HOURS: z.coerce.number().min(0.05).max(72).default(4),
  /** More emergency grants than this by one doctor within 24 hours raises an alert. */
  BREAK_GLASS_ALERT_PER_DAY: z.coerce.number().int().min(1).max(100).default(3),
  /**
   * Key for the HMAC that stands in for search terms in the access log (so a log reader cannot read what was
   * searched, but can match a known term). Kept outside the database; derived from AUTH_SECRET when unset.
   */
  AUDIT_HMAC_KEY: z.string().min(32, "AUDIT_HMAC_KEY must be at least 32 characters").optional(),
  /**
   * While there are new access events, the worker seals the log's chain heads onto the private chain at least this
   * often: events younger than this are the only ones an insider can delete without a trace (docs/threat-model.md).
   */
  AUDIT_SEAL_SECONDS: z.coerce.number().int().min(1).max(60).default(60),
  /** How often the worker checks the access log against the seals on chain (cron; at most every 5 minutes). */
  AUDIT_CHECK_CRON: z.string().default("*/5 * * * *"),
  /**
   * Every alert is also POSTed here as JSON (optional): a copy outside the database, which its owner cannot delete.
   * Failed deliveries are retried by the worker and logged; the alert itself is never lost.
   */
  ALERT_WEBHOOK_URL: z.string().url().optional(),
  /** Access events are kept at least this long; older ones may be archived only as whole sealed segments. */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(365).max(36_500).default(730),
  /** Research counts below this many patients are shown as "< N" (small-cell suppression), and no export is smaller. */
  RESEARCH_MIN_CELL: z.coerce.number().int().min(2).max(1000).default(11),
  /**
   * Key for the HMAC behind pseudonymised research exports (ids, date shifts). Kept outside the database; derived from
   * AUTH_SECRET when unset. Changing it breaks linkage between earlier and later pseudonymised exports.
   */
  RESEARCH_PSEUDONYM_KEY: z.string().min(32, "RESEARCH_PSEUDONYM_KEY must be at least 32 characters").optional(),
  LEDGER_RPC_URL: z.string().url(),
  LEDGER_CHAIN_ID: z.coerce.number().int().positive(),
  LEDGER_CONTRACT_ADDRESS: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  /**
   * The block the contract was deployed in (published with its address): what exists on chain is read from its events
   * from here on. 0 reads from genesis — correct, only slower.
   */
  LEDGER_DEPLOYMENT_BLOCK: z.coerce.bigint().min(0n).default(0n),
  /** Only the anchoring side (seed, worker) holds it; the web tier runs without. */
  LEDGER_WRITER_KEY: z.string().regex(hex).length(66).optional(),
  /** The writer's public address, so the web tier can report its balance without holding its key. */
  LEDGER_WRITER_ADDRESS: z.string().regex(/^0x[0-9a-fA-F]{40}$/).optional(),
  /** Blocks a transaction must be buried under before its anchor counts (1 = mined; QBFT is final at 1). */
  LEDGER_CONFIRMATIONS: z.coerce.number().int().min(1).max(256).default(1),
  /** The public chain for checkpoints; without it records verify on the private chain only. */
  PUBLIC_LEDGER_RPC_URL: z.string().url().optional(),
  PUBLIC_LEDGER_CHAIN_ID: z.coerce.number().int().positive().optional(),
  PUBLIC_LEDGER_CONTRACT_ADDRESS: z.string().regex(/^0x[0-9a-fA-F]{40}$/).optional(),
  /** As LEDGER_DEPLOYMENT_BLOCK, for the public contract (published with its address): checkpoints and the trust anchors' role events are read from here; 0 reads from genesis. */
  PUBLIC_LEDGER_DEPLOYMENT_BLOCK: z.coerce.bigint().min(0n).default(0n),
  PUBLIC_LEDGER_WRITER_KEY: z.string().regex(hex).length(66).optional(),
  PUBLIC_LEDGER_WRITER_ADDRESS: z.string().regex(/^0x[0-9a-fA-F]{40}$/).optional(),
  PUBLIC_LEDGER_CONFIRMATIONS: z.coerce.number().int().min(1).max(256).default(1),
  /** Anchoring: a batch closes at this many records or when its oldest record has waited this long. */
  ANCHOR_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1024),
  ANCHOR_WINDOW_SECONDS: z.coerce.number().min(0).max(3600).default(5),
  /** Checkpoints: every this many private batches, or when the oldest unchecked batch is this old. */
  CHECKPOINT_EVERY_BATCHES: z.coerce.number().int().min(1).max(100_000).default(10),
  CHECKPOINT_EVERY_MINUTES: z.coerce.number().min(0).max(7 * 24 * 60).default(10),
  /** A record still PENDING after this long is flagged (readiness, compliance, chart warning). */
  PENDING_WARN_MINUTES: z.coerce.number().min(1).max(7 * 24 * 60).default(15),
  /**
   * How often the sweep re-verifies every record's content (cron, minute granularity). One sweep runs at a time: with
   * more records than it hashes in this interval, its cycle is its own duration (docs/performance.md).
   */
  SWEEP_CRON: z.string().default("*/5 * * * *"),
  /**
   * How often the worker accounts for everything on chain (cron; at most every 5 minutes): every root rebuilt from the
   * database, every creation event accounted for, every checkpoint against the public chain — `npm run reconcile`'s
   * logic (lib/jobs/reconcile.ts).
   */
  RECONCILE_CRON: z.string().default("*/5 * * * *"),
  /** How often the privacy alerts scan the recent access log (cron; each scan covers the last hour, deduplicated). */
  PRIVACY_ALERTS_CRON: z.string().default("*/5 * * * *"),
  /**
   * Patient uploads and hospital-system bundles: bytes per file (one FHIR JSON or one document). At most 25 MiB,
   * because next.config.js lets the proxy buffer 32 MiB of a request body and silently truncates beyond that.
   */
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).max(25 * 1024 * 1024).default(10 * 1024 * 1024),
  /** Resources in one uploaded Bundle. */
  UPLOAD_MAX_ENTRIES: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** Nesting of objects and arrays in uploaded JSON (a Bundle with an Observation component is about 8 deep). */
  UPLOAD_MAX_DEPTH: z.coerce.number().int().min(8).max(256).default(32),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DEFAULT_TIME_ZONE: z.string().default("Asia/Seoul"),
  /** Set when the portal is served over TLS: turns on HSTS and Secure cookies. */
  PUBLIC_URL: z.string().url().optional(),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

export function env(): Env {
  if (!cached) {
    const parsed = envSchema.safeParse(process.env);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
      throw new Error(`Invalid configuration:\n  ${fields.join("\n  ")}`);
    }
    cached = parsed.data;
  }
  return cached;
}

export function servedOverTls(): boolean {
  return env().PUBLIC_URL?.startsWith("https://") ?? false;
}

/** For the web server wrapper, which needs this one setting before (and without) the app's configuration. */
export function trustedProxiesSetting(): string {
  return process.env.TRUSTED_PROXIES ?? "";
}

/** Logging must work before (and without) a complete configuration, e.g. to report that it is invalid. */
export function logLevel(): Env["LOG_LEVEL"] {
  const parsed = envSchema.shape.LOG_LEVEL.safeParse(process.env.LOG_LEVEL);
  return parsed.success ? parsed.data : "info";
}

const launcherSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  /** With DATABASE_URL (the owner, for migrations): the web tier's and the worker's own roles (`npm run db:roles`). */
  APP_DATABASE_URL: z.string().url().optional(),
  WORKER_DATABASE_URL: z.string().url().optional(),
  LEDGER_RPC_URL: z.string().url().optional(),
  LEDGER_CHAIN_ID: z.coerce.number().int().positive().optional(),
  LEDGER_CONTRACT_ADDRESS: z.string().regex(/^0x[0-9a-fA-F]{40}$/).optional(),
  LEDGER_WRITER_KEY: z.string().regex(hex).length(66).optional(),
  LEDGER_CONFIRMATIONS: z.coerce.number().int().min(0).max(64).default(1),
  AUTH_SECRET: z.string().min(32).optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  CHARTPROOF_DATA_DIR: z.string().optional(),
});

export type LauncherEnv = z.infer<typeof launcherSchema>;

/** What `npm start` and the test harness need to decide what to embed: everything optional. */
export function launcherEnv(): LauncherEnv {
  const parsed = launcherSchema.safeParse(process.env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n  ${fields.join("\n  ")}`);
  }
  return parsed.data;
}
