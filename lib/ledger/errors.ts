import { BaseError as ViemBaseError, HttpRequestError, TimeoutError, type Address, type Hex } from "viem";

type LedgerErrorOptions = { cause?: unknown; metaMessages?: string[] };

/**
 * Base of every error lib/ledger throws. Like viem's BaseError: a short message for logs and UI, optional meta
 * lines, and the original error kept as `cause` for debugging. Messages never carry the RPC URL (it may embed
 * credentials) nor anything about patients.
 */
export class LedgerError extends Error {
  override name = "LedgerError";
  readonly shortMessage: string;
  readonly metaMessages: readonly string[];

  constructor(shortMessage: string, { cause, metaMessages = [] }: LedgerErrorOptions = {}) {
    super([shortMessage, ...metaMessages.map((line) => `  ${line}`)].join("\n"), { cause });
    this.shortMessage = shortMessage;
    this.metaMessages = metaMessages;
  }
}

/** The clients lack something the call needs (a contract address, a writer key). A deployment mistake. */
export class LedgerConfigError extends LedgerError {
  override name = "LedgerConfigError";
}

/** The chain could not be reached or did not answer in time. Verification must report "unavailable". */
export class LedgerUnavailableError extends LedgerError {
  override name = "LedgerUnavailableError";

  constructor({ cause }: { cause?: unknown } = {}) {
    super("Ledger unavailable: the chain did not answer.", { cause });
  }
}

/** The chain answers but has no contract at the configured address (wrong address, or a chain that was reset). */
export class RecordAnchorNotFoundError extends LedgerError {
  override name = "RecordAnchorNotFoundError";
  readonly address: Address;

  constructor({ address, cause }: { address: Address; cause?: unknown }) {
    super("No RecordAnchor contract at the configured address.", { cause, metaMessages: [`Address: ${address}`] });
    this.address = address;
  }
}

/**
 * The batch already has a root on chain; roots are write-once. `root` is the root the chain holds, so that a
 * writer retrying its own transaction can tell "already done" (same root) from a real conflict.
 */
export class RootAlreadyAnchoredError extends LedgerError {
  override name = "RootAlreadyAnchoredError";
  readonly batchId: bigint;
  readonly root: Hex;

  constructor({ batchId, root, cause }: { batchId: bigint; root: Hex; cause?: unknown }) {
    super(`Batch ${batchId} already has a root on chain.`, { cause, metaMessages: [`Anchored root: ${root}`] });
    this.batchId = batchId;
    this.root = root;
  }
}

/** The sending account does not hold WRITER_ROLE. */
export class AnchorUnauthorizedError extends LedgerError {
  override name = "AnchorUnauthorizedError";
  readonly account: Address;

  constructor({ account, cause }: { account: Address; cause?: unknown }) {
    super("This account may not anchor roots (it lacks WRITER_ROLE).", { cause, metaMessages: [`Account: ${account}`] });
    this.account = account;
  }
}

/** Not a 32-byte hex value, or the zero root (reserved to mean "no root"). */
export class InvalidRootError extends LedgerError {
  override name = "InvalidRootError";

  constructor({ root, cause }: { root: string; cause?: unknown }) {
    super("A root must be a non-zero 32-byte hex value.", { cause, metaMessages: [`Root: ${root}`] });
  }
}

/** @internal True when `error` (or one of its causes) means the node could not be reached or timed out. */
export function isUnreachable(error: unknown): boolean {
  return (
    error instanceof ViemBaseError &&
    error.walk((cause) => cause instanceof HttpRequestError || cause instanceof TimeoutError) !== null
  );
}

/** @internal Wraps an unexpected viem error: transport failures become LedgerUnavailableError. */
export function toLedgerError(error: unknown, shortMessage: string): LedgerError {
  if (error instanceof LedgerError) return error;
  if (isUnreachable(error)) return new LedgerUnavailableError({ cause: error });
  return new LedgerError(shortMessage, { cause: error });
}

/** The sending account does not hold DEFAULT_ADMIN_ROLE, so it may not grant or revoke WRITER_ROLE. */
export class RoleAdminRequiredError extends LedgerError {
  override name = "RoleAdminRequiredError";
  readonly account: Address;

  constructor({ account, cause }: { account: Address; cause?: unknown }) {
    super("This account may not grant or revoke roles (it lacks DEFAULT_ADMIN_ROLE).", {
      cause,
      metaMessages: [`Account: ${account}`],
    });
    this.account = account;
  }
}
