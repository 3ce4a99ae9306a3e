/** The holders' app: balances, stake, unstake, claims, instant unstake and the protocol's state. */

import { Chain, DevSigner, type CrankStatus, type Holder, type Quote, type ValidatorEntry } from "./chain";
import { loadConfig } from "./config";
import { countdown, epochStart } from "./epochs";
import { explain } from "./errors";
import { feeOf, minExpected } from "./quote";
import { formatNear, maxStake, parseNear, YOCTO_PER_NEAR } from "./units";

/** NEAR kept out of "max" for the gas of this and the next transactions. */
const GAS_RESERVE = YOCTO_PER_NEAR / 20n;
const SLIPPAGE_BPS = 50;

const root = document.querySelector<HTMLElement>("#app")!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

interface Snapshot {
  balance: bigint;
  tokens: bigint;
  price: bigint;
  holder: Holder;
  status: CrankStatus;
  totalStaked: bigint;
  validators: ValidatorEntry[];
  head: { height: number; timeMs: number };
  registered: boolean;
  pool: { near: string; value: string };
  lpShares: bigint;
}

async function main(): Promise<void> {
  const config = await loadConfig();
  const chain = new Chain(config);
  const first = config.dev_accounts[0];
  if (!first) {
    root.replaceChildren(el("p", { class: "error" }, "No wallet is set up for this network yet."));
    return;
  }
  let signer = new DevSigner(first.account_id, first.secret_key, chain);
  const message = el("p", { role: "status", "aria-live": "polite", class: "muted" });

  const read = async (): Promise<Snapshot> => {
    const id = signer.accountId;
    const [balance, tokens, price, holder, status, totalStaked, validators, head, storage, pool, lpShares] = await Promise.all([
      chain.balance(id),
      chain.view<string>("ft_balance_of", { account_id: id }).then(BigInt),
      chain.view<string>("ft_price").then(BigInt),
      chain.view<Holder>("get_holder", { account_id: id }),
      chain.view<CrankStatus>("get_crank_status"),
      chain.view<string>("get_total_staked_balance").then(BigInt),
      chain.view<ValidatorEntry[]>("get_validators", { from_index: 0, limit: 100 }),
      chain.head(),
      chain.view<unknown>("storage_balance_of", { account_id: id }),
      chain.view<{ near: string; value: string }>("get_liquidity_pool"),
      chain.view<string>("get_liquidity_shares", { account_id: id }).then(BigInt),
    ]);
    return { balance, tokens, price, holder, status, totalStaked, validators, head, registered: storage !== null, pool, lpShares };
  };

  /** Runs a transaction with progress, redraws, then says how it ended in words (so what the
   * line reports is already on screen). */
  const send = async (what: string, run: () => Promise<string>): Promise<void> => {
    message.className = "muted";
    message.textContent = `${what}: signing and sending…`;
    let outcome: [string, string];
    try {
      outcome = [await run(), "ok"];
    } catch (error) {
      outcome = [`${what} failed: ${explain(error)}`, "error"];
    }
    await draw();
    [message.textContent, message.className] = outcome;
  };

  /** The amount typed in `input` in yocto, or `null` after saying what is wrong with it. */
  const amountIn = (input: HTMLInputElement): bigint | null => {
    const amount = parseNear(input.value);
    if (amount.ok) return amount.yocto;
    [message.textContent, message.className] = [amount.error, "error"];
    return null;
  };

  /** Sends `what` when `form` is submitted with a valid amount in `input`. */
  const onAmount = (form: HTMLFormElement, input: HTMLInputElement, what: string, run: (yocto: bigint) => Promise<string>): void => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const yocto = amountIn(input);
      if (yocto !== null) void send(what, () => run(yocto));
    });
  };

  const draw = async (): Promise<void> => {
    const s = await read();
    const clock = {
      epoch: s.status.epoch,
      epochStartHeight: (s.status.epoch - 1) * config.epoch_length,
      height: s.head.height,
      timeMs: s.head.timeMs,
      epochLength: config.epoch_length,
      blockTimeMs: config.block_time_ms || 1000,
    };
    const accountSelect = el("select", { "aria-label": "Account", id: "account" });
    for (const dev of config.dev_accounts) {
      const option = el("option", { value: dev.account_id }, dev.account_id);
      option.selected = dev.account_id === signer.accountId;
      accountSelect.append(option);
    }
    accountSelect.addEventListener("change", () => {
      const dev = config.dev_accounts.find((d) => d.account_id === accountSelect.value);
      if (dev) signer = new DevSigner(dev.account_id, dev.secret_key, chain);
      void draw();
    });

    const value = (s.tokens * s.price) / YOCTO_PER_NEAR;
    const balances = el("section", { "aria-labelledby": "balances" },
      el("h2", { id: "balances" }, "Your balances"),
      el("div", { class: "grid" },
        figure("NEAR", formatNear(s.balance), "near-balance"),
        figure("lsNEAR", formatNear(s.tokens), "token-balance"),
        figure("Worth (NEAR)", formatNear(value), "token-value"),
        figure("Price (NEAR per lsNEAR)", formatNear(s.price, 6), "price"),
      ));

    // Stake.
    const stakeInput = el("input", { id: "stake-amount", inputmode: "decimal", placeholder: "NEAR to stake", "aria-label": "NEAR to stake" });
    const stakeMax = el("button", { type: "button" }, "Max");
    stakeMax.addEventListener("click", () => { stakeInput.value = formatNear(maxStake(s.balance, GAS_RESERVE), 24).replace(/,/g, ""); });
    const stakeForm = el("form", { id: "stake" }, stakeInput, stakeMax, el("button", { type: "submit" }, "Stake"));
    onAmount(stakeForm, stakeInput, "Stake", async (yocto) => {
      const minted = BigInt(String(await signer.call("deposit_and_stake", {}, yocto)));
      return `Staked ${formatNear(yocto)} NEAR: ${formatNear(minted)} lsNEAR minted.`;
    });
    const firstDeposit = s.registered ? "" : "A first deposit keeps about 0.002 NEAR for your account's storage.";

    // Unstake.
    const unstakeInput = el("input", { id: "unstake-amount", inputmode: "decimal", placeholder: "NEAR to unstake", "aria-label": "NEAR to unstake" });
    const unstakeAll = el("button", { type: "button", id: "unstake-all" }, "Unstake all");
    unstakeAll.addEventListener("click", () => void send("Unstake all", async () => {
      await signer.call("unstake_all", {});
      return promised(await chain.view<Holder>("get_holder", { account_id: signer.accountId }));
    }));
    const unstakeForm = el("form", { id: "unstake" }, unstakeInput, el("button", { type: "submit" }, "Unstake"), unstakeAll);
    onAmount(unstakeForm, unstakeInput, "Unstake", async (yocto) => {
      await signer.call("unstake", { amount: yocto.toString() });
      return promised(await chain.view<Holder>("get_holder", { account_id: signer.accountId }));
    });
    const promised = (h: Holder): string =>
      `Unstaked. ${formatNear(BigInt(h.unstaked_balance))} NEAR unlocks in epoch ${h.unlock_epoch} (about ${new Date(epochStart(h.unlock_epoch, clock)).toLocaleString()}).`;

    // Claim.
    const owed = BigInt(s.holder.unstaked_balance);
    const withdraw = el("button", { type: "button", id: "withdraw" }, "Withdraw");
    withdraw.toggleAttribute("disabled", !(owed > 0n && s.holder.can_withdraw));
    withdraw.addEventListener("click", () => void send("Withdraw", async () => {
      await signer.call("withdraw_all", {});
      return `Withdrew ${formatNear(owed)} NEAR.`;
    }));
    const claimText = owed === 0n
      ? "Nothing unstaked."
      : s.holder.can_withdraw
        ? `${formatNear(owed)} NEAR is ready to withdraw.`
        : `${formatNear(owed)} NEAR unlocks in epoch ${s.holder.unlock_epoch}: ${countdown(epochStart(s.holder.unlock_epoch, clock) - s.head.timeMs)} left.`;

    // Instant unstake.
    const instantInput = el("input", { id: "instant-amount", inputmode: "decimal", placeholder: "lsNEAR to sell", "aria-label": "lsNEAR to sell" });
    const quoteLine = el("p", { class: "muted", id: "quote" });
    instantInput.addEventListener("input", () => {
      const amount = parseNear(instantInput.value);
      if (!amount.ok) { quoteLine.textContent = ""; return; }
      void chain.view<Quote>("quote_instant_unstake", { amount: amount.yocto.toString() }).then((q) => {
        const { bps } = feeOf(amount.yocto, s.price, BigInt(q.near));
        quoteLine.textContent = `You receive ${formatNear(BigInt(q.near))} NEAR (fee ${formatNear(BigInt(q.fee))} NEAR, ${(bps / 100).toFixed(2)}%); at least ${formatNear(minExpected(BigInt(q.near), SLIPPAGE_BPS))} NEAR with ${SLIPPAGE_BPS / 100}% slippage.`;
      }, (error: unknown) => { quoteLine.textContent = explain(error); });
    });
    const instantForm = el("form", { id: "instant" }, instantInput, el("button", { type: "submit" }, "Unstake now"));
    onAmount(instantForm, instantInput, "Instant unstake", async (yocto) => {
      const q = await chain.view<Quote>("quote_instant_unstake", { amount: yocto.toString() });
      const min = minExpected(BigInt(q.near), SLIPPAGE_BPS);
      const near = BigInt(String(await signer.call("instant_unstake", { amount: yocto.toString(), min_expected_near: min.toString() })));
      return `Sold ${formatNear(yocto)} lsNEAR for ${formatNear(near)} NEAR.`;
    });

    // Liquidity for instant unstakes.
    const liquidityInput = el("input", { id: "liquidity-amount", inputmode: "decimal", placeholder: "NEAR to provide", "aria-label": "NEAR to provide" });
    const liquidityForm = el("form", { id: "liquidity" }, liquidityInput, el("button", { type: "submit" }, "Provide"));
    onAmount(liquidityForm, liquidityInput, "Provide liquidity", async (yocto) => {
      const shares = BigInt(String(await signer.call("add_liquidity", {}, yocto)));
      return `Provided ${formatNear(yocto)} NEAR: ${formatNear(shares)} pool shares.`;
    });
    const removeLiquidity = el("button", { type: "button", id: "remove-liquidity" }, "Remove all");
    removeLiquidity.toggleAttribute("disabled", s.lpShares === 0n);
    removeLiquidity.addEventListener("click", () => void send("Remove liquidity", async () => {
      const near = BigInt(String(await signer.call("remove_liquidity", { shares: s.lpShares.toString() }, 1n)));
      return `Removed your liquidity: ${formatNear(near)} NEAR back.`;
    }));

    const validators = el("table", {},
      el("thead", {}, el("tr", {}, el("th", {}, "Validator"), el("th", {}, "Weight"), el("th", {}, "Staked (NEAR)"), el("th", {}, "Status"))),
      el("tbody", {}, ...s.validators.map((v) => el("tr", {}, el("td", {}, v.account_id), el("td", {}, String(v.weight)), el("td", {}, formatNear(BigInt(v.staked), 2)), el("td", {}, v.status)))));

    // Which account the screen shows, once drawn (tests wait for it after switching).
    root.dataset.account = signer.accountId;
    root.replaceChildren(
      el("header", {}, el("h1", {}, "Liquid staking"), el("span", { class: "muted" }, `${config.network} · ${config.contract_id} · epoch ${s.status.epoch}`), accountSelect),
      message,
      balances,
      el("section", { "aria-labelledby": "stake-h" }, el("h2", { id: "stake-h" }, "Stake"), stakeForm, el("p", { class: "muted" }, firstDeposit)),
      el("section", { "aria-labelledby": "unstake-h" }, el("h2", { id: "unstake-h" }, "Unstake (about 4 epochs)"), unstakeForm),
      el("section", { "aria-labelledby": "claim-h" }, el("h2", { id: "claim-h" }, "Your claim"), el("p", { id: "claim" }, claimText), withdraw),
      el("section", { "aria-labelledby": "instant-h" }, el("h2", { id: "instant-h" }, "Unstake now"), instantForm, quoteLine),
      el("section", { "aria-labelledby": "liquidity-h" }, el("h2", { id: "liquidity-h" }, "Provide liquidity"),
        el("p", { class: "muted", id: "pool" }, `The pool holds ${formatNear(BigInt(s.pool.near))} NEAR for instant unstakes; your shares: ${formatNear(s.lpShares)}.`),
        liquidityForm, removeLiquidity),
      el("section", { "aria-labelledby": "protocol-h" }, el("h2", { id: "protocol-h" }, "Protocol"),
        el("div", { class: "grid" }, figure("Total staked (NEAR)", formatNear(s.totalStaked, 2), "total-staked"), figure("Validators", String(s.validators.length), "validator-count")),
        validators),
    );
  };

  await draw();
}

function figure(label: string, value: string, id: string): HTMLElement {
  return el("div", {}, el("div", { class: "muted" }, label), el("div", { class: "figure", id }, value));
}

main().catch((error: unknown) => {
  root.replaceChildren(el("p", { class: "error" }, `The app could not start: ${explain(error)}`));
});
