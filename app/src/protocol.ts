/** The protocol's state for everyone, signed in or not: total staked, the APY measured from the
 * price history and its chart, instant-unstake liquidity, solvency and the validator set. */

import type { Chain, ValidatorEntry } from "./chain";
import { el, figure, lineChart } from "./dom";
import { apy, chartPoints, formatApy, solvencyLine, type PricePoint, type Solvency } from "./stats";
import { formatNear } from "./units";

export interface LiquidityPool {
  near: string;
  fee_bps_now: number;
}

export interface ProtocolState {
  price: bigint;
  totalStaked: bigint;
  validators: ValidatorEntry[];
  history: PricePoint[];
  pool: LiquidityPool;
  solvency: Solvency;
}

export async function readProtocol(chain: Chain): Promise<ProtocolState> {
  const [price, totalStaked, validators, history, pool, solvency] = await Promise.all([
    chain.view<string>("ft_price").then(BigInt),
    chain.view<string>("get_total_staked_balance").then(BigInt),
    chain.view<ValidatorEntry[]>("get_validators", { from_index: 0, limit: 100 }),
    chain.view<PricePoint[]>("get_price_history"),
    chain.view<LiquidityPool>("get_liquidity_pool"),
    chain.view<Solvency>("get_solvency"),
  ]);
  return { price, totalStaked, validators, history, pool, solvency };
}

const CHART = { width: 600, height: 120 };

export function protocolSection(p: ProtocolState): HTMLElement {
  const history = p.history;
  const first = history[0];
  const last = history[history.length - 1];
  const chart =
    first && last
      ? [
          lineChart(
            chartPoints(history, CHART.width, CHART.height),
            CHART.width,
            CHART.height,
            `Price from epoch ${first.epoch} to ${last.epoch}`,
          ),
          el(
            "p",
            { class: "muted", id: "price-range" },
            `Epoch ${first.epoch}: ${formatNear(BigInt(first.price), 6)} NEAR; epoch ${last.epoch}: ${formatNear(BigInt(last.price), 6)} NEAR per lsNEAR.`,
          ),
        ]
      : [el("p", { class: "muted", id: "price-range" }, "No epoch has ended since the protocol started.")];

  const totalWeight = p.validators.reduce((sum, v) => sum + v.weight, 0);
  const share = (weight: number): string => (totalWeight === 0 ? "0%" : `${((weight * 100) / totalWeight).toFixed(1)}%`);
  const validators = el(
    "table",
    { id: "validators" },
    el(
      "thead",
      {},
      el("tr", {}, ...["Validator", "Weight", "Staked (NEAR)", "Target (NEAR)", "Status"].map((h) => el("th", { scope: "col" }, h))),
    ),
    el(
      "tbody",
      {},
      ...p.validators.map((v) =>
        el(
          "tr",
          { class: v.status === "active" ? "" : "warn" },
          el("td", {}, v.account_id),
          el("td", {}, `${v.weight} (${share(v.weight)})`),
          el("td", {}, formatNear(BigInt(v.staked), 2)),
          el("td", {}, formatNear(BigInt(v.target), 2)),
          el("td", {}, v.status),
        ),
      ),
    ),
  );

  return el(
    "section",
    { "aria-labelledby": "protocol-h" },
    el("h2", { id: "protocol-h" }, "Protocol"),
    el(
      "div",
      { class: "grid" },
      figure("Total staked (NEAR)", formatNear(p.totalStaked, 2), "total-staked"),
      figure("APY (from the price)", formatApy(apy(history)), "apy"),
      figure("Instant liquidity (NEAR)", formatNear(BigInt(p.pool.near), 2), "liquidity-depth"),
      figure("Instant fee now", `${(p.pool.fee_bps_now / 100).toFixed(2)}%`, "instant-fee"),
      figure("Validators", String(p.validators.length), "validator-count"),
    ),
    el("h3", {}, "Price history"),
    ...chart,
    el("p", { id: "solvency", class: p.solvency.solvent ? "ok" : "error" }, solvencyLine(p.solvency)),
    el("div", { class: "scroll" }, validators),
  );
}
