/** Protocol figures from the contract's views: the APY measured from the price history, the
 * history as a chart, and solvency in words. */

import { formatNear } from "./units";

/** One `get_price_history` entry: the price (yocto NEAR per 10^24 tokens) after an epoch's
 * rewards, and when they went in. */
export interface PricePoint {
  epoch: number;
  timestamp_ms: number;
  price: string;
}

const YEAR_MS = 365.25 * 24 * 3600 * 1000;

/**
 * The yearly growth of the price between the oldest and newest entries, compounded:
 * `(p1 / p0) ^ (year / (t1 - t0)) - 1`, as a fraction (0.05 is 5%). `null` until two entries
 * at different times exist: an APY is measured, never assumed.
 */
export function apy(history: PricePoint[]): number | null {
  const first = history[0];
  const last = history[history.length - 1];
  if (!first || !last || last.timestamp_ms <= first.timestamp_ms) return null;
  const p0 = BigInt(first.price);
  if (p0 === 0n) return null;
  // The ratio with 18 significant digits before it meets floating point.
  const ratio = Number((BigInt(last.price) * 10n ** 18n) / p0) / 1e18;
  return Math.pow(ratio, YEAR_MS / (last.timestamp_ms - first.timestamp_ms)) - 1;
}

/** Above this (10,000%) the APY is shown as a bound: a local chain's epochs last seconds, so
 * its rewards compound to absurd yearly rates. */
const APY_SHOWN_UP_TO = 100;

/** An APY as a holder reads it: "5.12%", "over 10,000%", or "not yet measured". */
export function formatApy(rate: number | null): string {
  if (rate === null) return "not yet measured";
  if (!(rate <= APY_SHOWN_UP_TO)) return "over 10,000%";
  return `${(rate * 100).toFixed(2)}%`;
}

/**
 * The history as SVG polyline points in a `width` x `height` box: epochs left to right, the
 * price bottom to top between its lowest and highest values (a flat line sits in the middle).
 */
export function chartPoints(history: PricePoint[], width: number, height: number): string {
  const first = history[0];
  const last = history[history.length - 1];
  if (!first || !last) return "";
  const prices = history.map((p) => BigInt(p.price));
  const low = prices.reduce((a, b) => (b < a ? b : a));
  const range = prices.reduce((a, b) => (b > a ? b : a)) - low;
  const span = Math.max(1, last.epoch - first.epoch);
  return history
    .map((p) => {
      const x = ((p.epoch - first.epoch) / span) * width;
      const y = range === 0n ? height / 2 : height - Number(((BigInt(p.price) - low) * 10_000n) / range) * (height / 10_000);
      return `${round(x)},${round(y)}`;
    })
    .join(" ");
}

function round(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** The fields of `get_solvency` the app shows. */
export interface Solvency {
  assets: string;
  liabilities: string;
  solvent: boolean;
}

/** "Solvent: 1,000.5 NEAR held or owed by validators for 1,000 NEAR owed to holders." */
export function solvencyLine(s: Solvency): string {
  const [assets, liabilities] = [BigInt(s.assets), BigInt(s.liabilities)];
  const verdict = s.solvent ? "Solvent" : "NOT solvent";
  return `${verdict}: ${formatNear(assets, 2)} NEAR held or owed by validators for ${formatNear(liabilities, 2)} NEAR owed to holders.`;
}
