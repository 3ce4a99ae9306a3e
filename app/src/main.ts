/** The holders' app: balances, stake, unstake, claims, instant unstake, liquidity, and the
 * protocol's state. Redraws from the chain after every transaction. */

import { Chain, type CrankStatus, type Holder, type Quote } from "./chain";
import { loadConfig, type AppConfig } from "./config";
import { el, figure } from "./dom";
import { claimLine, epochStart, type Clock } from "./epochs";
import { explain } from "./errors";
import { protocolSection, readProtocol, type ProtocolState } from "./protocol";
import { feeOf, minExpected } from "./quote";
import { DevSigner, explorerUrl, type Sent, type Signer } from "./signer";
import { formatNear, maxStake, parseNear, YOCTO_PER_NEAR } from "./units";
import type { Wallets } from "./wallet";

/** NEAR kept out of "max" for the gas of this and the next transactions. */
const GAS_RESERVE = YOCTO_PER_NEAR / 20n;
const SLIPPAGE_BPS = 50;

const root = document.querySelector<HTMLElement>("#app") ?? document.body;

/** What the holder's screens show: their account's figures beside the protocol's. */
interface HolderState {
  balance: bigint;
  tokens: bigint;
  holder: Holder;
  registered: boolean;
  lpShares: bigint;
}

interface Snapshot {
  protocol: ProtocolState;
  status: CrankStatus;
  head: { height: number; timeMs: number };
  mine: HolderState | null;
}

async function readHolder(chain: Chain, id: string): Promise<HolderState> {
  const [balance, tokens, holder, storage, lpShares] = await Promise.all([
    chain.balance(id),
    chain.view<string>("ft_balance_of", { account_id: id }).then(BigInt),
    chain.view<Holder>("get_holder", { account_id: id }),
    chain.view<unknown>("storage_balance_of", { account_id: id }),
    chain.view<string>("get_liquidity_shares", { account_id: id }).then(BigInt),
  ]);
  return { balance, tokens, holder, registered: storage !== null, lpShares };
}

/** The outcome of a holder's action: what to say, and the transaction that did it. */
interface Done {
  line: string;
  sent: Sent;
}

async function main(): Promise<void> {
  const config = await loadConfig();
  const chain = new Chain(config);
  const message = el("p", { role: "status", "aria-live": "polite", class: "muted" });
  const txLine = el("p", { class: "muted", id: "tx" });
  let signer: Signer | null = null;
  let wallets: Wallets | null = null;

  /** Loads the wallet selector (its own chunk: the wallets' code is most of the app's bytes). */
  const loadWallets = async (): Promise<Wallets> => {
    const { connectWallets } = await import("./wallet");
    const loaded = await connectWallets(config, () => {
      signer = loaded.signer();
      void draw();
    });
    wallets = loaded;
    signer = loaded.signer();
    return loaded;
  };

  const first = config.dev_accounts[0];
  if (first) {
    signer = new DevSigner(first.account_id, first.secret_key, chain);
  } else if (config.network !== "localnet" && walletSessionLikely()) {
    // A wallet that cannot load leaves the protocol's figures readable and says why.
    await loadWallets().catch((error: unknown) => {
      [message.textContent, message.className] = [`The wallets could not load: ${explain(error)}`, "error"];
    });
  }
  // A redirecting wallet comes back with the transaction's hash in the address.
  const returned = new URLSearchParams(location.search).get("transactionHashes")?.split(",").pop();
  if (returned) txLine.replaceChildren(txLink(config, returned));

  const read = async (): Promise<Snapshot> => {
    const [protocol, status, head, mine] = await Promise.all([
      readProtocol(chain),
      chain.view<CrankStatus>("get_crank_status"),
      chain.head(),
      signer ? readHolder(chain, signer.accountId) : Promise.resolve(null),
    ]);
    return { protocol, status, head, mine };
  };

  /** Runs a transaction with progress, redraws, then says how it ended in words (so what the
   * line reports is already on screen) and which transaction it was. */
  const send = async (what: string, run: () => Promise<Done>): Promise<void> => {
    message.className = "muted";
    message.textContent = `${what}: waiting for your signature and the chain…`;
    txLine.replaceChildren();
    let outcome: [string, string];
    let done: Done | null = null;
    try {
      done = await run();
      outcome = [done.line, "ok"];
    } catch (error) {
      outcome = [`${what} failed: ${explain(error)}`, "error"];
    }
    await draw();
    [message.textContent, message.className] = outcome;
    if (done) txLine.replaceChildren(txLink(config, done.sent.txHash));
  };

  /** The amount typed in `input` in yocto, or `null` after saying what is wrong with it. */
  const amountIn = (input: HTMLInputElement): bigint | null => {
    const amount = parseNear(input.value);
    if (amount.ok) return amount.yocto;
    [message.textContent, message.className] = [amount.error, "error"];
    txLine.replaceChildren();
    return null;
  };

  /** Sends `what` when `form` is submitted with a valid amount in `input`. */
  const onAmount = (form: HTMLFormElement, input: HTMLInputElement, what: string, run: (yocto: bigint) => Promise<Done>): void => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const yocto = amountIn(input);
      if (yocto !== null) void send(what, () => run(yocto));
    });
  };

  const accountControl = (): HTMLElement => {
    if (config.network !== "localnet") {
      const w = wallets;
      if (!w || !signer) {
        return button("Connect wallet", "connect", () => {
          void (w ? Promise.resolve(w) : loadWallets()).then(
            (loaded) => {
              loaded.show();
            },
            (error: unknown) => {
              [message.textContent, message.className] = [`The wallets could not load: ${explain(error)}`, "error"];
            },
          );
        });
      }
      return el("span", { class: "account" }, el("span", { id: "account-id" }, signer.accountId), button("Sign out", "sign-out", () => void w.signOut()));
    }
    const select = el("select", { "aria-label": "Account", id: "account" });
    for (const dev of config.dev_accounts) {
      const option = el("option", { value: dev.account_id }, dev.account_id);
      option.selected = dev.account_id === signer?.accountId;
      select.append(option);
    }
    select.addEventListener("change", () => {
      const dev = config.dev_accounts.find((d) => d.account_id === select.value);
      if (dev) signer = new DevSigner(dev.account_id, dev.secret_key, chain);
      void draw();
    });
    return select;
  };

  const holderSections = (s: Snapshot, me: Signer, mine: HolderState, clock: Clock): HTMLElement[] => {
    const price = s.protocol.price;
    const value = (mine.tokens * price) / YOCTO_PER_NEAR;
    const balances = el(
      "section",
      { "aria-labelledby": "balances" },
      el("h2", { id: "balances" }, "Your balances"),
      el(
        "div",
        { class: "grid" },
        figure("NEAR", formatNear(mine.balance), "near-balance"),
        figure("lsNEAR", formatNear(mine.tokens), "token-balance"),
        figure("Worth (NEAR)", formatNear(value), "token-value"),
        figure("Price (NEAR per lsNEAR)", formatNear(price, 6), "price"),
      ),
    );

    // Stake.
    const stakeInput = amountInput("stake-amount", "NEAR to stake");
    const stakeMax = button("Max", "stake-max", () => {
      stakeInput.value = formatNear(maxStake(mine.balance, GAS_RESERVE), 24).replace(/,/g, "");
    });
    const stakeForm = el("form", { id: "stake" }, stakeInput, stakeMax, el("button", { type: "submit" }, "Stake"));
    onAmount(stakeForm, stakeInput, "Stake", async (yocto) => {
      const sent = await me.call("deposit_and_stake", {}, yocto);
      return { line: `Staked ${formatNear(yocto)} NEAR: ${formatNear(BigInt(String(sent.value)))} lsNEAR minted.`, sent };
    });
    const firstDeposit = mine.registered ? "" : "A first deposit keeps about 0.002 NEAR for your account's storage.";

    // Unstake.
    const promised = async (sent: Sent): Promise<Done> => {
      const h = await chain.view<Holder>("get_holder", { account_id: me.accountId });
      const date = new Date(epochStart(h.unlock_epoch, clock)).toLocaleString();
      return { line: `Unstaked. ${formatNear(BigInt(h.unstaked_balance))} NEAR unlocks in epoch ${h.unlock_epoch} (about ${date}).`, sent };
    };
    const unstakeInput = amountInput("unstake-amount", "NEAR to unstake");
    const unstakeAll = button("Unstake all", "unstake-all", () => void send("Unstake all", async () => promised(await me.call("unstake_all", {}))));
    const unstakeForm = el("form", { id: "unstake" }, unstakeInput, el("button", { type: "submit" }, "Unstake"), unstakeAll);
    onAmount(unstakeForm, unstakeInput, "Unstake", async (yocto) => promised(await me.call("unstake", { amount: yocto.toString() })));

    // Claim.
    const owed = BigInt(mine.holder.unstaked_balance);
    const withdraw = button("Withdraw", "withdraw", () =>
      void send("Withdraw", async () => ({ line: `Withdrew ${formatNear(owed)} NEAR.`, sent: await me.call("withdraw_all", {}) })),
    );
    withdraw.toggleAttribute("disabled", !(owed > 0n && mine.holder.can_withdraw));
    const claim = {
      owedNear: formatNear(owed),
      unlockEpoch: mine.holder.unlock_epoch,
      expectedEpoch: mine.holder.expected_epoch,
      canWithdraw: mine.holder.can_withdraw,
    };
    const claimText = owed === 0n ? "Nothing unstaked." : claimLine(claim, clock);

    // Instant unstake.
    const instantInput = amountInput("instant-amount", "lsNEAR to sell");
    const quoteLine = el("p", { class: "muted", id: "quote" });
    instantInput.addEventListener("input", () => {
      const amount = parseNear(instantInput.value);
      if (!amount.ok) {
        quoteLine.textContent = "";
        return;
      }
      void chain.view<Quote>("quote_instant_unstake", { amount: amount.yocto.toString() }).then(
        (q) => {
          const { bps } = feeOf(amount.yocto, price, BigInt(q.near));
          quoteLine.textContent = `You receive ${formatNear(BigInt(q.near))} NEAR (fee ${formatNear(BigInt(q.fee))} NEAR, ${(bps / 100).toFixed(2)}%); at least ${formatNear(minExpected(BigInt(q.near), SLIPPAGE_BPS))} NEAR with ${SLIPPAGE_BPS / 100}% slippage.`;
        },
        (error: unknown) => {
          quoteLine.textContent = explain(error);
        },
      );
    });
    const instantForm = el("form", { id: "instant" }, instantInput, el("button", { type: "submit" }, "Unstake now"));
    onAmount(instantForm, instantInput, "Instant unstake", async (yocto) => {
      const q = await chain.view<Quote>("quote_instant_unstake", { amount: yocto.toString() });
      const min = minExpected(BigInt(q.near), SLIPPAGE_BPS);
      const sent = await me.call("instant_unstake", { amount: yocto.toString(), min_expected_near: min.toString() });
      return { line: `Sold ${formatNear(yocto)} lsNEAR for ${formatNear(BigInt(String(sent.value)))} NEAR.`, sent };
    });

    // Liquidity for instant unstakes.
    const liquidityInput = amountInput("liquidity-amount", "NEAR to provide");
    const liquidityForm = el("form", { id: "liquidity" }, liquidityInput, el("button", { type: "submit" }, "Provide"));
    onAmount(liquidityForm, liquidityInput, "Provide liquidity", async (yocto) => {
      const sent = await me.call("add_liquidity", {}, yocto);
      return { line: `Provided ${formatNear(yocto)} NEAR: ${formatNear(BigInt(String(sent.value)))} pool shares.`, sent };
    });
    const removeLiquidity = button("Remove all", "remove-liquidity", () =>
      void send("Remove liquidity", async () => {
        const sent = await me.call("remove_liquidity", { shares: mine.lpShares.toString() }, 1n);
        return { line: `Removed your liquidity: ${formatNear(BigInt(String(sent.value)))} NEAR back.`, sent };
      }),
    );
    removeLiquidity.toggleAttribute("disabled", mine.lpShares === 0n);

    return [
      balances,
      section("stake-h", "Stake", stakeForm, el("p", { class: "muted" }, firstDeposit)),
      section("unstake-h", "Unstake (about 4 epochs)", unstakeForm),
      section("claim-h", "Your claim", el("p", { id: "claim" }, claimText), withdraw),
      section("instant-h", "Unstake now", instantForm, quoteLine),
      section(
        "liquidity-h",
        "Provide liquidity",
        el("p", { class: "muted", id: "pool" }, `The pool holds ${formatNear(BigInt(s.protocol.pool.near))} NEAR for instant unstakes; your shares: ${formatNear(mine.lpShares)}.`),
        liquidityForm,
        removeLiquidity,
      ),
    ];
  };

  const draw = async (): Promise<void> => {
    const s = await read();
    const clock: Clock = {
      epoch: s.status.epoch,
      epochStartHeight: (s.status.epoch - 1) * config.epoch_length,
      height: s.head.height,
      timeMs: s.head.timeMs,
      epochLength: config.epoch_length,
      blockTimeMs: config.block_time_ms || 1000,
    };
    const me = signer;
    const holder = me && s.mine ? holderSections(s, me, s.mine, clock) : [el("p", { id: "connect-hint" }, "Connect a NEAR wallet to see your balances and stake.")];
    // Which account the screen shows, once drawn (tests wait for it after switching).
    root.dataset.account = me?.accountId ?? "";
    root.replaceChildren(
      el("header", {}, el("h1", {}, "Liquid staking"), el("span", { class: "muted" }, `${config.network} · ${config.contract_id} · epoch ${s.status.epoch}`), accountControl()),
      message,
      txLine,
      ...holder,
      protocolSection(s.protocol),
    );
  };

  await draw();
}

/** Whether a wallet session may exist: a wallet was picked before (near-wallet-selector keeps
 * its id in local storage) or one is redirecting back. Then the wallet code loads at once;
 * otherwise only when the holder asks to connect. */
function walletSessionLikely(): boolean {
  return localStorage.getItem("near-wallet-selector:selectedWalletId") !== null || /[?&](account_id|transactionHashes|errorCode)=/.test(location.search);
}

function amountInput(id: string, label: string): HTMLInputElement {
  return el("input", { id, inputmode: "decimal", placeholder: label, "aria-label": label });
}

function button(label: string, id: string, onClick: () => void): HTMLButtonElement {
  const b = el("button", { type: "button", id }, label);
  b.addEventListener("click", onClick);
  return b;
}

function section(id: string, title: string, ...content: (Node | string)[]): HTMLElement {
  return el("section", { "aria-labelledby": id }, el("h2", { id }, title), ...content);
}

/** "Transaction <hash>", linked to the network's explorer where there is one. */
function txLink(config: AppConfig, hash: string): Node {
  const url = explorerUrl(config.network, hash);
  const label = el("code", { id: "tx-hash" }, hash);
  return el("span", {}, "Transaction ", url ? el("a", { href: url, target: "_blank", rel: "noopener" }, label) : label);
}

main().catch((error: unknown) => {
  root.replaceChildren(el("p", { class: "error" }, `The app could not start: ${explain(error)}`));
});
