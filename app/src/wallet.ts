/** NEAR wallets through near-wallet-selector 10 and its modal, for testnet and mainnet. Loaded
 * only when a real network is configured (a dynamic import), so the local app stays small. */

import "./polyfills";
import { setupWalletSelector, type WalletSelector } from "@near-wallet-selector/core";
import { setupHotWallet } from "@near-wallet-selector/hot-wallet";
import { setupIntearWallet } from "@near-wallet-selector/intear-wallet";
import { setupLedger } from "@near-wallet-selector/ledger";
import { setupMeteorWallet } from "@near-wallet-selector/meteor-wallet";
import { setupModal, type WalletSelectorModal } from "@near-wallet-selector/modal-ui";
import modalStyles from "@near-wallet-selector/modal-ui/styles.css?inline";
import { setupMyNearWallet } from "@near-wallet-selector/my-near-wallet";
import { actionCreators } from "@near-js/transactions";
import { getTransactionLastResult } from "near-api-js";
import type { AppConfig } from "./config";
import { CALL_GAS, type Sent, type Signer } from "./signer";

export interface Wallets {
  /** Opens the modal: pick a wallet and sign in. */
  show(): void;
  signOut(): Promise<void>;
  /** The signed-in account's signer, if any. */
  signer(): Signer | null;
}

/** Signs through the wallet the holder connected (it asks the holder to approve each call). */
class WalletSigner implements Signer {
  constructor(
    readonly accountId: string,
    private readonly selector: WalletSelector,
    private readonly contractId: string,
  ) {}

  async call(method: string, args: Record<string, unknown>, deposit = 0n): Promise<Sent> {
    const wallet = await this.selector.wallet();
    const outcome = await wallet.signAndSendTransaction({
      signerId: this.accountId,
      receiverId: this.contractId,
      actions: [actionCreators.functionCall(method, args, CALL_GAS, deposit)],
    });
    // A redirecting wallet (MyNearWallet) leaves the page; it comes back with the hash in the URL.
    if (!outcome) throw new Error("the wallet did not return the transaction's outcome");
    return { value: getTransactionLastResult(outcome), txHash: outcome.transaction_outcome.id };
  }
}

/** Sets up the selector for `config`'s network; `onChange` runs when the holder signs in or out. */
export async function connectWallets(config: AppConfig, onChange: () => void): Promise<Wallets> {
  if (config.network === "localnet") throw new Error("wallets serve testnet and mainnet only");
  const selector = await setupWalletSelector({
    network: config.network,
    modules: [setupMyNearWallet(), setupMeteorWallet(), setupHotWallet(), setupIntearWallet(), setupLedger()],
  });
  // The modal's styles, less their web-font import: nothing loads from a third party's server
  // (the system font serves).
  const style = document.createElement("style");
  style.textContent = modalStyles.replace(/@import\s*(url\()?\s*(["'])[^"']*\2\s*\)?[^;]*;/g, "");
  document.head.append(style);
  const modal: WalletSelectorModal = setupModal(selector, {
    contractId: config.contract_id,
    description: "Connect a NEAR wallet to stake, unstake and withdraw.",
  });
  selector.on("signedIn", onChange);
  selector.on("signedOut", onChange);
  selector.on("accountsChanged", onChange);
  return {
    show: () => {
      modal.show();
    },
    signOut: async () => (await selector.wallet()).signOut(),
    signer: () => {
      const active = selector.store.getState().accounts.find((a) => a.active);
      return active ? new WalletSigner(active.accountId, selector, config.contract_id) : null;
    },
  };
}
