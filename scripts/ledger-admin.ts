/**
 * Operator CLI for RecordAnchor's roles and deployment (docs/operations/key-rotation.md,
 * docs/operations/production-chains.md). Run it from the admin's workstation, never on the web or worker hosts:
 *
 *   npx tsx scripts/ledger-admin.ts [--public] [--yes] <command> <address>
 *
 *   has-writer <address>      prints true or false (no key needed)
 *   grant-writer <address>    grants WRITER_ROLE (admin key)
 *   revoke-writer <address>   revokes WRITER_ROLE (admin key)
 *   deploy <writer-address>   deploys RecordAnchor with the admin key as DEFAULT_ADMIN_ROLE, prints its address
 *   anchors                   prints the published trust anchors (both chains; no key): the exact bytes the portal
 *                             serves at /.well-known/chartproof/anchors.json (ADR 027)
 *
 * The chain comes from LEDGER_RPC_URL, LEDGER_CHAIN_ID, LEDGER_CONTRACT_ADDRESS (and LEDGER_CONFIRMATIONS), or with
 * --public from the PUBLIC_LEDGER_* variables. The admin key is typed at a hidden prompt when stdin is a terminal,
 * or read from the first line of stdin when it is piped (from a secret manager), or — least good — taken from
 * LEDGER_ADMIN_KEY / PUBLIC_LEDGER_ADMIN_KEY. Never from argv; never printed or logged.
 *
 * stdout carries only the result (an address, a transaction hash, true/false) so that it can be scripted; everything
 * meant for the operator goes to stderr.
 */
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { BaseError, formatEther, getAddress, isAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { z } from "zod";
import { createHash } from "node:crypto";
import { canonicalize } from "@/lib/integrity";
import {
  createLedgerClients,
  deployRecordAnchor,
  readChainAnchor,
  trustAnchorsOf,
  grantWriterRole,
  hasWriterRole,
  LedgerError,
  revokeWriterRole,
  writerBalance,
  type LedgerClients,
  type WriterRoleChangeReturnType,
} from "@/lib/ledger";

const USAGE = `Usage: tsx scripts/ledger-admin.ts [--public] [--yes] <command> <address>

Commands:
  has-writer <address>      print true or false (no key needed)
  grant-writer <address>    grant WRITER_ROLE to <address> (admin key)
  revoke-writer <address>   revoke WRITER_ROLE from <address> (admin key)
  deploy <writer-address>   deploy RecordAnchor, admin = the admin key, writer = <writer-address>; print its address
  anchors                   print the trust anchors of both chains (RFC 8785 JSON, as the portal serves them at
                            /.well-known/chartproof/anchors.json); publish them again after every key rotation

Options:
  --public   use PUBLIC_LEDGER_RPC_URL, PUBLIC_LEDGER_CHAIN_ID, PUBLIC_LEDGER_CONTRACT_ADDRESS,
             PUBLIC_LEDGER_CONFIRMATIONS and PUBLIC_LEDGER_ADMIN_KEY instead of the LEDGER_* ones
  --yes      do not ask for confirmation (required when stdin is not a terminal)
  --help     this text

Environment (the private chain; with --public the PUBLIC_LEDGER_* equivalents):
  LEDGER_RPC_URL, LEDGER_CHAIN_ID   the chain (the node's chain id must match)
  LEDGER_CONTRACT_ADDRESS           RecordAnchor (not needed by deploy)
  LEDGER_CONFIRMATIONS              blocks to wait for after a transaction (default 1)
  LEDGER_DEPLOYMENT_BLOCK           where anchors starts reading the contract's events (default 0)
  LEDGER_ADMIN_KEY                  the admin key, if it is not typed at the prompt or piped on stdin
`;

const COMMANDS = ["has-writer", "grant-writer", "revoke-writer", "deploy", "anchors"] as const;
type Command = (typeof COMMANDS)[number];

/** Thrown for mistakes of the operator's: printed without a stack, exit code 2. */
class UsageError extends Error {
  override name = "UsageError";
}

const addressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte hex address");
const networkSchema = z.object({
  RPC_URL: z.string().url(),
  CHAIN_ID: z.coerce.number().int().positive(),
  CONTRACT_ADDRESS: addressSchema.optional(),
  CONFIRMATIONS: z.coerce.number().int().min(1).max(256).default(1),
});

type Network = {
  prefix: "LEDGER_" | "PUBLIC_LEDGER_";
  label: string;
  rpcUrl: string;
  chainId: number;
  contractAddress?: Address;
  confirmations: number;
};

function readNetwork(publicChain: boolean, needsContract: boolean): Network {
  const prefix = publicChain ? "PUBLIC_LEDGER_" : "LEDGER_";
  // An empty variable counts as unset.
  const read = (name: string) => process.env[`${prefix}${name}`] || undefined;
  const parsed = networkSchema.safeParse({
    RPC_URL: read("RPC_URL"),
    CHAIN_ID: read("CHAIN_ID"),
    CONTRACT_ADDRESS: read("CONTRACT_ADDRESS"),
    CONFIRMATIONS: read("CONFIRMATIONS"),
  });
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${prefix}${issue.path.join(".")}: ${issue.input === undefined ? "not set" : issue.message}`);
  if (parsed.success && needsContract && !parsed.data.CONTRACT_ADDRESS) problems.push(`${prefix}CONTRACT_ADDRESS: not set`);
  if (!parsed.success || problems.length > 0) throw new UsageError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  const { RPC_URL, CHAIN_ID, CONTRACT_ADDRESS, CONFIRMATIONS } = parsed.data;
  return {
    prefix,
    label: `${publicChain ? "public" : "private"} chain ${CHAIN_ID}`,
    rpcUrl: RPC_URL,
    chainId: CHAIN_ID,
    contractAddress: CONTRACT_ADDRESS ? getAddress(CONTRACT_ADDRESS) : undefined,
    confirmations: CONFIRMATIONS,
  };
}

const info = (line: string) => process.stderr.write(`${line}\n`);
const result = (line: string) => process.stdout.write(`${line}\n`);

/** A line from the terminal; `hidden` echoes nothing (not even asterisks). Prompts go to stderr. */
async function ask(question: string, hidden: boolean): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  // Without a listener, Ctrl-C at a readline prompt only pauses stdin.
  rl.on("SIGINT", () => {
    rl.close();
    process.stderr.write("\n");
    process.exit(130);
  });
  const answer = rl.question(question);
  muted = hidden;
  try {
    return await answer;
  } finally {
    rl.close();
    if (hidden) process.stderr.write("\n");
  }
}

/** The first line of a piped stdin. */
async function firstLineOfStdin(): Promise<string | undefined> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of rl) return line;
    return undefined;
  } finally {
    rl.close();
  }
}

const PRIVATE_KEY = /^(0x)?[0-9a-fA-F]{64}$/;

/** The admin key: hidden prompt on a terminal, else the first line of piped stdin, else the environment. */
async function readAdminKey(network: Network): Promise<Hex> {
  const variable = `${network.prefix}ADMIN_KEY`;
  const fromEnv = process.env[variable];
  // Read once, then out of the environment, so that nothing started later inherits it.
  delete process.env[variable];

  let key: string | undefined;
  let source: string;
  if (fromEnv) {
    key = fromEnv;
    source = variable;
  } else if (process.stdin.isTTY) {
    key = await ask(`Admin private key for the ${network.label} (input hidden): `, true);
    source = "the prompt";
  } else {
    key = await firstLineOfStdin();
    source = "stdin";
  }
  key = key?.trim();
  if (!key) {
    throw new UsageError(`No admin key: type it at the prompt (run in a terminal), pipe it on stdin, or set ${variable}.`);
  }
  // The message never quotes what was given.
  if (!PRIVATE_KEY.test(key)) throw new UsageError(`The admin key from ${source} is not 32 bytes of hex.`);
  return (key.startsWith("0x") ? key : `0x${key}`) as Hex;
}

async function confirm(question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new UsageError("stdin is not a terminal: pass --yes to confirm.");
  const answer = await ask(`${question} [y/N] `, false);
  if (!/^y(es)?$/i.test(answer.trim())) throw new UsageError("Cancelled; nothing was sent.");
}

async function checkChain(clients: LedgerClients, network: Network): Promise<void> {
  const answered = await clients.publicClient.getChainId();
  if (answered !== network.chainId) {
    throw new UsageError(`${network.prefix}RPC_URL answers with chain id ${answered}, not ${network.prefix}CHAIN_ID=${network.chainId}.`);
  }
}

async function showBalance(clients: LedgerClients, account: Address): Promise<bigint> {
  const balance = await writerBalance(clients, account);
  info(`Balance of ${account}: ${formatEther(balance)} (native token)`);
  return balance;
}

function reportChange(change: WriterRoleChangeReturnType, done: string, already: string): void {
  if (change.transaction) {
    const { txHash, blockNumber } = change.transaction;
    info(`${change.changed ? done : already} Transaction ${txHash}, block ${blockNumber}.`);
    result(txHash);
  } else {
    info(`${already} Nothing was sent.`);
    result("unchanged");
  }
}

async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { public: { type: "boolean" }, yes: { type: "boolean" }, help: { type: "boolean" } },
    allowPositionals: true,
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(USAGE);
    return;
  }

  // Refuse (and say so loudly) before anything else: a key on the command line lands in shell history.
  if (positionals.some((arg) => PRIVATE_KEY.test(arg))) {
    throw new UsageError(
      "An argument looks like a private key. Keys are never taken from the command line; consider that key exposed " +
        "(shell history, process list) and rotate it.",
    );
  }
  const [name, target, ...extra] = positionals;
  if (!COMMANDS.includes(name as Command)) throw new UsageError(`Unknown command "${name}".\n\n${USAGE}`);
  const command = name as Command;
  if (command === "anchors") {
    if (target !== undefined) throw new UsageError(`anchors takes no argument.\n\n${USAGE}`);
    await printAnchors();
    return;
  }
  if (!target || extra.length > 0) throw new UsageError(`${command} takes exactly one address.\n\n${USAGE}`);
  if (!isAddress(target, { strict: false })) throw new UsageError("The address argument is not a 20-byte hex address.");
  const account = getAddress(target);

  const network = readNetwork(values.public ?? false, command !== "deploy");
  const clients = createLedgerClients({ rpcUrl: network.rpcUrl, chainId: network.chainId, contractAddress: network.contractAddress });
  await checkChain(clients, network);
  const yes = values.yes ?? false;
  const { confirmations } = network;

  switch (command) {
    case "has-writer": {
      const has = await hasWriterRole(clients, account);
      info(`${account} ${has ? "holds" : "does not hold"} WRITER_ROLE on ${network.contractAddress} (${network.label}).`);
      await showBalance(clients, account);
      result(String(has));
      return;
    }
    case "grant-writer": {
      if (await hasWriterRole(clients, account)) {
        reportChange({ changed: false, transaction: null }, "", `${account} already holds WRITER_ROLE.`);
        return;
      }
      await confirm(`Grant WRITER_ROLE to ${account} on RecordAnchor ${network.contractAddress} (${network.label})?`, yes);
      const adminPrivateKey = await readAdminKey(network);
      info(`Signing as ${privateKeyToAccount(adminPrivateKey).address}; waiting for ${confirmations} confirmation(s)…`);
      const change = await grantWriterRole(clients, { adminPrivateKey, account, confirmations });
      reportChange(change, `Granted WRITER_ROLE to ${account}.`, `${account} already held WRITER_ROLE.`);
      if ((await showBalance(clients, account)) === 0n) {
        info("Warning: this account has no funds; on a chain with gas fees it cannot anchor until it is funded.");
      }
      return;
    }
    case "revoke-writer": {
      if (!(await hasWriterRole(clients, account))) {
        reportChange({ changed: false, transaction: null }, "", `${account} does not hold WRITER_ROLE.`);
        return;
      }
      info("The contract cannot list writers: make sure the replacement writer was granted and is anchoring first.");
      await confirm(`Revoke WRITER_ROLE from ${account} on RecordAnchor ${network.contractAddress} (${network.label})?`, yes);
      const adminPrivateKey = await readAdminKey(network);
      info(`Signing as ${privateKeyToAccount(adminPrivateKey).address}; waiting for ${confirmations} confirmation(s)…`);
      const change = await revokeWriterRole(clients, { adminPrivateKey, account, confirmations });
      reportChange(change, `Revoked WRITER_ROLE from ${account}; roots it anchored stay valid.`, `${account} no longer held WRITER_ROLE.`);
      return;
    }
    case "deploy": {
      await confirm(`Deploy RecordAnchor on the ${network.label} with writer ${account}?`, yes);
      const adminPrivateKey = await readAdminKey(network);
      info(`Deploying as admin ${privateKeyToAccount(adminPrivateKey).address}; waiting for ${confirmations} confirmation(s)…`);
      const address = getAddress(await deployRecordAnchor(clients, { adminPrivateKey, writer: account, confirmations }));
      info(`RecordAnchor deployed at ${address}. Set ${network.prefix}CONTRACT_ADDRESS=${address} for the web tier and the worker.`);
      result(address);
      return;
    }
  }
}

/**
 * The trust anchors of the private chain and, when PUBLIC_LEDGER_RPC_URL is set, the public one, read from the chains
 * (lib/ledger/trust-anchors.ts): stdout carries exactly the RFC 8785 bytes (no newline), so that `> anchors.json` has
 * the sha256 the portal's copy has; the digest goes to stderr.
 */
async function printAnchors(): Promise<void> {
  const networks = [readNetwork(false, true), ...(process.env.PUBLIC_LEDGER_RPC_URL ? [readNetwork(true, true)] : [])];
  const chains = [];
  for (const network of networks) {
    const clients = createLedgerClients({ rpcUrl: network.rpcUrl, chainId: network.chainId, contractAddress: network.contractAddress });
    await checkChain(clients, network);
    const from = process.env[`${network.prefix}DEPLOYMENT_BLOCK`];
    if (from !== undefined && from !== "" && !/^[0-9]+$/.test(from)) throw new UsageError(`${network.prefix}DEPLOYMENT_BLOCK must be a block number.`);
    chains.push(await readChainAnchor(clients, network.prefix === "PUBLIC_LEDGER_" ? "public" : "private", BigInt(from || "0")));
  }
  const text = canonicalize(trustAnchorsOf(chains));
  const anchors = trustAnchorsOf(chains);
  info(`Trust anchors version ${anchors.version}: ${chains.map((c) => `${c.role} chain ${c.chainId} contract ${c.contract}, ${c.writers.filter((w) => w.until === null).length} current writer(s)`).join("; ")}`);
  info(`sha256 ${createHash("sha256").update(text).digest("hex")} — publish it beside the file, somewhere the portal does not control.`);
  process.stdout.write(text);
}

/** What the operator sees: short messages only — no stack, no RPC URL (it may embed credentials), no key. */
function describe(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  if (error instanceof LedgerError) {
    const cause = error.cause instanceof BaseError ? `\n  Cause: ${error.cause.shortMessage}` : "";
    return `${error.message}${cause}`;
  }
  if (error instanceof BaseError) return error.shortMessage;
  if (error instanceof Error) return error.message;
  return String(error);
}

run(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${describe(error)}\n`);
  process.exitCode = error instanceof UsageError || (error instanceof TypeError && "code" in error) ? 2 : 1;
});
