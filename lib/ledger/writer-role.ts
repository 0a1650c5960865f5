import {
  BaseError,
  ContractFunctionRevertedError,
  createWalletClient,
  decodeFunctionResult,
  encodeFunctionData,
  isAddress,
  isAddressEqual,
  isHex,
  keccak256,
  parseEventLogs,
  size,
  toBytes,
  zeroAddress,
  type Address,
  type Hash,
  type Hex,
  type PrivateKeyAccount,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { recordAnchorAbi } from "./artifacts";
import type { LedgerClients } from "./chain-config";
import {
  LedgerConfigError,
  LedgerError,
  RecordAnchorNotFoundError,
  RoleAdminRequiredError,
  toLedgerError,
} from "./errors";
import { requireContractAddress } from "./require";

/** RecordAnchor's WRITER_ROLE: keccak256("WRITER_ROLE"), as the contract computes it (no round trip to read it). */
export const WRITER_ROLE: Hex = keccak256(toBytes("WRITER_ROLE"));

export type WriterRoleChangeParameters = {
  /**
   * The key holding DEFAULT_ADMIN_ROLE. Used to sign this one transaction and not kept; never the writer's key.
   * Pass it from an operator's prompt (scripts/ledger-admin.ts), never from the web tier's or worker's config.
   */
  adminPrivateKey: Hex;
  /** The writer account to grant WRITER_ROLE to, or to revoke it from. */
  account: Address;
  /** Blocks to wait for before returning. Default 1 (a QBFT chain is final at 1; raise it on a public chain). */
  confirmations?: number;
};

export type WriterRoleChangeReturnType = {
  /** False when the role was already as asked (granted, or not held) — then nothing was sent, or a racing admin did it. */
  changed: boolean;
  /** The role-change transaction, or null when none was sent because the role was already as asked. */
  transaction: { txHash: Hash; blockNumber: bigint; blockHash: Hash } | null;
};

/**
 * Whether `account` holds WRITER_ROLE on the configured RecordAnchor, read with one eth_call straight to the
 * contract (not through Multicall3, which a private chain may not have).
 *
 * @throws LedgerUnavailableError when the chain cannot be reached; RecordAnchorNotFoundError when nothing is
 * deployed at the configured address; LedgerConfigError for a malformed address or a missing contract address.
 */
export async function hasWriterRole(clients: LedgerClients, account: Address): Promise<boolean> {
  requireAccountAddress(account);
  const address = requireContractAddress(clients);
  const data = encodeFunctionData({ abi: recordAnchorAbi, functionName: "hasRole", args: [WRITER_ROLE, account] });

  let result: Hex | undefined;
  try {
    ({ data: result } = await clients.publicClient.call({ to: address, data, batch: false }));
  } catch (error) {
    throw toLedgerError(error, "Reading the writer role from the ledger failed.");
  }
  // An account without code answers every call with empty data.
  if (result === undefined || result === "0x") throw new RecordAnchorNotFoundError({ address });
  try {
    return decodeFunctionResult({ abi: recordAnchorAbi, functionName: "hasRole", data: result });
  } catch (error) {
    throw new LedgerError("The ledger answered with data that is not a boolean.", { cause: error });
  }
}

/**
 * Grants WRITER_ROLE to `account`, signed by the admin key, and waits for the receipt. The first step of a writer
 * key rotation (grant the new key, switch the worker, then revoke the old one: docs/operations/key-rotation.md).
 * Sends nothing when the account already is a writer. Refuses to make the admin a writer (key separation).
 *
 * @throws RoleAdminRequiredError when the key does not hold DEFAULT_ADMIN_ROLE; RecordAnchorNotFoundError;
 * LedgerConfigError for a malformed key or address, or when `account` is the admin itself;
 * LedgerUnavailableError when the chain cannot be reached.
 */
export async function grantWriterRole(
  clients: LedgerClients,
  parameters: WriterRoleChangeParameters,
): Promise<WriterRoleChangeReturnType> {
  return changeWriterRole(clients, "grantRole", parameters);
}

/**
 * Revokes WRITER_ROLE from `account`, signed by the admin key, and waits for the receipt: from then on that key
 * cannot anchor. Roots it anchored stay on chain and stay valid (roots are write-once). Sends nothing when the
 * account is not a writer. The contract cannot list writers: grant the replacement first, or anchoring stops.
 *
 * @throws RoleAdminRequiredError when the key does not hold DEFAULT_ADMIN_ROLE; RecordAnchorNotFoundError;
 * LedgerConfigError for a malformed key or address; LedgerUnavailableError when the chain cannot be reached.
 */
export async function revokeWriterRole(
  clients: LedgerClients,
  parameters: WriterRoleChangeParameters,
): Promise<WriterRoleChangeReturnType> {
  return changeWriterRole(clients, "revokeRole", parameters);
}

async function changeWriterRole(
  clients: LedgerClients,
  functionName: "grantRole" | "revokeRole",
  { adminPrivateKey, account, confirmations = 1 }: WriterRoleChangeParameters,
): Promise<WriterRoleChangeReturnType> {
  const granting = functionName === "grantRole";
  requireAccountAddress(account);
  if (isAddressEqual(account, zeroAddress)) throw new LedgerConfigError("The zero address cannot be a writer.");
  const admin = adminAccount(adminPrivateKey);
  if (granting && isAddressEqual(admin.address, account)) {
    throw new LedgerConfigError("The admin and the writer must be different accounts.");
  }
  const address = requireContractAddress(clients);

  // Also proves that the contract is there before anything is signed or paid for.
  if ((await hasWriterRole(clients, account)) === granting) return { changed: false, transaction: null };

  const wallet = createWalletClient({ account: admin, chain: clients.chain, transport: clients.transport });
  let txHash: Hash;
  try {
    // Gas estimation simulates the call, so a key without DEFAULT_ADMIN_ROLE fails here, with the contract's error.
    txHash = await wallet.writeContract({ address, abi: recordAnchorAbi, functionName, args: [WRITER_ROLE, account] });
  } catch (error) {
    throw fromContractError(error, admin.address);
  }

  let receipt;
  try {
    receipt = await clients.publicClient.waitForTransactionReceipt({ hash: txHash, confirmations });
  } catch (error) {
    throw toLedgerError(error, "Waiting for the role-change transaction failed.");
  }
  const transaction = { txHash, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash };
  if (receipt.status === "reverted") {
    throw new LedgerError("The role-change transaction reverted.", { metaMessages: [`Transaction: ${txHash}`] });
  }

  const events = parseEventLogs({
    abi: recordAnchorAbi,
    eventName: granting ? "RoleGranted" : "RoleRevoked",
    logs: receipt.logs.filter((log) => isAddressEqual(log.address, address)),
    args: { role: WRITER_ROLE, account },
  });
  if (events.length > 0) return { changed: true, transaction };
  // No event: another admin made the same change between our check and our block — or the change did not happen.
  if ((await hasWriterRole(clients, account)) === granting) return { changed: false, transaction };
  throw new LedgerError("The role change did not take effect.", { metaMessages: [`Transaction: ${txHash}`] });
}

function requireAccountAddress(account: string): asserts account is Address {
  // Not echoed: a malformed "address" may be a private key pasted in the wrong place.
  if (!isAddress(account, { strict: false })) throw new LedgerConfigError("Not a 20-byte hex account address.");
}

function adminAccount(adminPrivateKey: Hex): PrivateKeyAccount {
  // Neither the key nor the signing library's error (which might quote it) goes into the error.
  const invalid = () => new LedgerConfigError("The admin key is not a valid 32-byte hex private key.");
  if (!isHex(adminPrivateKey, { strict: true }) || size(adminPrivateKey) !== 32) throw invalid();
  try {
    return privateKeyToAccount(adminPrivateKey);
  } catch {
    throw invalid();
  }
}

function fromContractError(error: unknown, admin: Address): LedgerError {
  const revert =
    error instanceof BaseError ? error.walk((cause) => cause instanceof ContractFunctionRevertedError) : null;
  if (revert instanceof ContractFunctionRevertedError && revert.data?.errorName === "AccessControlUnauthorizedAccount") {
    return new RoleAdminRequiredError({ account: admin, cause: error });
  }
  return toLedgerError(error, "Sending the role-change transaction failed.");
}
