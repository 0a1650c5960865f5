import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";

// Each test file's process reads its configuration through lib/env like the app does.
const stack = inject("stack");
Object.assign(process.env, {
  DATABASE_URL: stack.databaseUrl,
  AUTH_SECRET: "integration-tests-secret-of-at-least-32-chars",
  LEDGER_RPC_URL: stack.private.rpcUrl,
  LEDGER_CHAIN_ID: String(stack.private.chainId),
  LEDGER_CONTRACT_ADDRESS: stack.private.contractAddress,
  LEDGER_WRITER_KEY: stack.private.writerKey,
  PUBLIC_LEDGER_RPC_URL: stack.public.rpcUrl,
  PUBLIC_LEDGER_CHAIN_ID: String(stack.public.chainId),
  PUBLIC_LEDGER_CONTRACT_ADDRESS: stack.public.contractAddress,
  PUBLIC_LEDGER_WRITER_KEY: stack.public.writerKey,
  LOG_LEVEL: "silent",
  CODE_OUTBOX_DIR: join(tmpdir(), `chartproof-outbox-${process.pid}`),
});
