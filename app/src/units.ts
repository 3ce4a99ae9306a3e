/** NEAR amounts: holders type decimal NEAR, the chain counts yoctoNEAR (10^-24 NEAR). */

export const YOCTO_PER_NEAR = 10n ** 24n;
const DECIMALS = 24;

export type Parsed = { ok: true; yocto: bigint } | { ok: false; error: string };

/**
 * Parses an amount typed by a holder ("10", "0.5", "1.000000000000000000000001") into yocto,
 * exactly: no floating point touches it. Refuses what the chain would not take, in words.
 */
export function parseNear(text: string): Parsed {
  const value = text.trim();
  if (value === "") return { ok: false, error: "Enter an amount." };
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value)) {
    return { ok: false, error: "Use digits and at most one decimal point, like 10 or 2.5." };
  }
  const [whole = "", fraction = ""] = value.split(".");
  if (fraction.length > DECIMALS) {
    return { ok: false, error: "NEAR has at most 24 decimal places." };
  }
  const yocto = BigInt(whole || "0") * YOCTO_PER_NEAR + BigInt(fraction.padEnd(DECIMALS, "0") || "0");
  if (yocto === 0n) return { ok: false, error: "Enter an amount above 0." };
  return { ok: true, yocto };
}

/**
 * Formats yocto as NEAR with `digits` decimals, rounded down (a balance is never shown larger
 * than it is), with thousands separators: 1234567800000000000000000000n -> "1,234.5678".
 */
export function formatNear(yocto: bigint, digits = 4): string {
  const negative = yocto < 0n;
  const abs = negative ? -yocto : yocto;
  const whole = abs / YOCTO_PER_NEAR;
  const fraction = (abs % YOCTO_PER_NEAR).toString().padStart(DECIMALS, "0").slice(0, digits);
  const grouped = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const trimmed = fraction.replace(/0+$/, "");
  return (negative ? "-" : "") + grouped + (trimmed ? "." + trimmed : "");
}

/** What a holder can stake from `balance`, keeping `reserve` for gas (never below zero). */
export function maxStake(balance: bigint, reserve: bigint): bigint {
  return balance > reserve ? balance - reserve : 0n;
}
