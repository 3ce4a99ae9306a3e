/** Who signs the holder's calls: a wallet on testnet/mainnet, or one of `lst node`'s dev
 * accounts locally. Every call carries 30 Tgas, as NEAR's staking docs do. */

import { Account, getTransactionLastResult, KeyPairSigner } from "near-api-js";
import type { Chain } from "./chain";

export const CALL_GAS = 30n * 10n ** 12n;

/** A call's outcome: the method's return value and the transaction that carried it. */
export interface Sent {
  value: unknown;
  txHash: string;
}

export interface Signer {
  readonly accountId: string;
  /** Calls the contract's `method` and resolves once the transaction is final; rejects with the
   * chain's error (a contract panic's message included) when it fails. */
  call(method: string, args: Record<string, unknown>, deposit?: bigint): Promise<Sent>;
}

/** Signs for one of a local chain's dev accounts with its key, in the page. */
export class DevSigner implements Signer {
  private readonly account: Account;

  constructor(
    readonly accountId: string,
    secretKey: string,
    private readonly chain: Chain,
  ) {
    this.account = new Account(accountId, chain.provider, KeyPairSigner.fromSecretKey(secretKey as `ed25519:${string}`));
  }

  async call(method: string, args: Record<string, unknown>, deposit = 0n): Promise<Sent> {
    const outcome = await this.account.callFunctionRaw({
      contractId: this.chain.contractId,
      methodName: method,
      args,
      deposit,
      gas: CALL_GAS,
      waitUntil: "FINAL",
    });
    return { value: getTransactionLastResult(outcome), txHash: outcome.transaction.hash };
  }
}

/** Where a holder can look a transaction up: the network's explorer (none for a local chain). */
export function explorerUrl(network: string, txHash: string): string | null {
  switch (network) {
    case "mainnet":
      return `https://nearblocks.io/txns/${txHash}`;
    case "testnet":
      return `https://testnet.nearblocks.io/txns/${txHash}`;
    default:
      return null;
  }
}
