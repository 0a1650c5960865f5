import { inject } from "vitest";

// Each test file's process reads its configuration through lib/env like the app does.
const stack = inject("stack");
Object.assign(process.env, {
  DATABASE_URL: stack.databaseUrl,
  AUTH_SECRET: "integration-tests-secret-of-at-least-32-chars",
  LEDGER_RPC_URL: stack.rpcUrl,
  LEDGER_CHAIN_ID: String(stack.chainId),
  LEDGER_CONTRACT_ADDRESS: stack.contractAddress,
  LEDGER_WRITER_KEY: stack.writerKey,
  LOG_LEVEL: "silent",
});
