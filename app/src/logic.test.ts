import { describe, expect, it } from "vitest";
import { formatNear, maxStake, parseNear, YOCTO_PER_NEAR } from "./units";
import { claimLine, countdown, epochStart } from "./epochs";
import { feeOf, minExpected } from "./quote";
import { explain, inNear } from "./errors";
import { apy, chartPoints, formatApy, solvencyLine } from "./stats";

describe("parseNear", () => {
  it("reads decimal NEAR exactly as yocto", () => {
    expect(parseNear("10")).toEqual({ ok: true, yocto: 10n * YOCTO_PER_NEAR });
    expect(parseNear(" 2.5 ")).toEqual({ ok: true, yocto: 2_500_000_000_000_000_000_000_000n });
    expect(parseNear(".000000000000000000000001")).toEqual({ ok: true, yocto: 1n });
    expect(parseNear("1.000000000000000000000001")).toEqual({ ok: true, yocto: YOCTO_PER_NEAR + 1n });
    expect(parseNear("3.")).toEqual({ ok: true, yocto: 3n * YOCTO_PER_NEAR });
  });
  it("refuses what the chain would not take, in words", () => {
    expect(parseNear("")).toEqual({ ok: false, error: "Enter an amount." });
    expect(parseNear("0.0")).toEqual({ ok: false, error: "Enter an amount above 0." });
    expect(parseNear("1,5")).toEqual({ ok: false, error: "Use digits and at most one decimal point, like 10 or 2.5." });
    expect(parseNear("-1")).toEqual({ ok: false, error: "Use digits and at most one decimal point, like 10 or 2.5." });
    expect(parseNear("1e3")).toEqual({ ok: false, error: "Use digits and at most one decimal point, like 10 or 2.5." });
    expect(parseNear("0.0000000000000000000000001")).toEqual({ ok: false, error: "NEAR has at most 24 decimal places." });
  });
});

describe("formatNear", () => {
  it("rounds down and groups thousands", () => {
    expect(formatNear(1_234_567_899_999_999_999_999_999_999n)).toBe("1,234.5678");
    expect(formatNear(10n * YOCTO_PER_NEAR)).toBe("10");
    expect(formatNear(1n)).toBe("0");
    expect(formatNear(1n, 24)).toBe("0.000000000000000000000001");
    expect(formatNear(-YOCTO_PER_NEAR / 2n)).toBe("-0.5");
  });
  it("keeps gas money out of the max", () => {
    expect(maxStake(10n * YOCTO_PER_NEAR, YOCTO_PER_NEAR / 10n)).toBe(9_900_000_000_000_000_000_000_000n);
    expect(maxStake(1n, 2n)).toBe(0n);
  });
});

describe("epochs", () => {
  const clock = { epoch: 10, epochStartHeight: 1_000, height: 1_030, timeMs: 1_700_000_000_000, epochLength: 100, blockTimeMs: 1_000 };
  it("estimates an epoch's start from the blocks left", () => {
    expect(epochStart(11, clock)).toBe(1_700_000_000_000 + 70_000);
    expect(epochStart(14, clock)).toBe(1_700_000_000_000 + 370_000);
    expect(epochStart(10, clock)).toBe(1_700_000_000_000);
  });
  it("counts down in words", () => {
    expect(countdown(0)).toBe("now");
    expect(countdown(59_000)).toBe("1 min");
    expect(countdown(3 * 3_600_000 + 12 * 60_000)).toBe("3 h 12 min");
    expect(countdown(52 * 3_600_000)).toBe("2 d 4 h");
  });
  it("says a claim is ready, counts down to its epoch, or shows it late with the epoch expected", () => {
    const claim = { owedNear: "5", unlockEpoch: 12, expectedEpoch: 12, canWithdraw: false };
    expect(claimLine({ ...claim, canWithdraw: true }, clock)).toBe("5 NEAR is ready to withdraw.");
    expect(claimLine(claim, clock)).toBe("5 NEAR unlocks in epoch 12: 3 min left.");
    expect(claimLine({ ...claim, unlockEpoch: 9, expectedEpoch: 11 }, clock)).toBe(
      "5 NEAR was due in epoch 9, but its NEAR is late at the validators: expected in epoch 11 (2 min left), and paid first when it arrives.",
    );
    expect(claimLine({ ...claim, expectedEpoch: 13 }, clock)).toBe(
      "5 NEAR is due in epoch 12, but its NEAR is late at the validators: expected in epoch 13 (5 min left), and paid first when it arrives.",
    );
  });
});

describe("instant unstake quote", () => {
  it("takes the slippage off the quote, rounding down", () => {
    expect(minExpected(1_000_001n, 50)).toBe(995_000n);
    expect(minExpected(7n, 0)).toBe(7n);
    expect(() => minExpected(1n, 10_001)).toThrow(RangeError);
  });
  it("shows the fee against the tokens' value", () => {
    // 10 tokens at 1.1 NEAR each, quoted 10.967 NEAR: fee 0.033 NEAR, 30 bps.
    const price = 1_100_000_000_000_000_000_000_000n;
    expect(feeOf(10n * YOCTO_PER_NEAR, price, 10_967_000_000_000_000_000_000_000n)).toEqual({
      fee: 33_000_000_000_000_000_000_000n,
      bps: 30,
    });
  });
});

describe("explain", () => {
  it("shows the contract's message when it panicked", () => {
    const error = new Error(
      'Transaction failed: {"ActionError":{"index":0,"kind":{"FunctionCallError":{"ExecutionError":"Smart contract panicked: The unstaked balance is not yet available due to unstaking delay"}}}}',
    );
    expect(explain(error)).toBe("The unstaked balance is not yet available due to unstaking delay");
  });
  it("puts known chain errors in words", () => {
    expect(explain(new Error("InvalidTxError: NotEnoughBalance { signer_id: x }"))).toBe(
      "Your account does not hold enough NEAR for this amount and its gas.",
    );
    expect(explain("something else")).toBe("something else");
  });
});

describe("apy", () => {
  const day = 24 * 3600 * 1000;
  it("compounds the price's growth to a year", () => {
    // 1% in half a year is 2.01% in a year.
    const history = [
      { epoch: 1, timestamp_ms: 0, price: "1000000000000000000000000" },
      { epoch: 2, timestamp_ms: 100, price: "1000000000000000000000001" },
      { epoch: 366, timestamp_ms: 182.625 * day, price: "1010000000000000000000000" },
    ];
    expect(apy(history)).toBeCloseTo(0.0201, 10);
    expect(formatApy(apy(history))).toBe("2.01%");
  });
  it("is not measured from fewer than two moments", () => {
    expect(apy([])).toBeNull();
    expect(apy([{ epoch: 1, timestamp_ms: 5, price: "1" }])).toBeNull();
    expect(apy([{ epoch: 1, timestamp_ms: 5, price: "1" }, { epoch: 2, timestamp_ms: 5, price: "2" }])).toBeNull();
    expect(formatApy(null)).toBe("not yet measured");
    expect(formatApy(100)).toBe("10000.00%");
    expect(formatApy(100.01)).toBe("over 10,000%");
    expect(formatApy(Infinity)).toBe("over 10,000%");
  });
  it("shows a falling price as a negative rate", () => {
    const history = [
      { epoch: 1, timestamp_ms: 0, price: "2000" },
      { epoch: 2, timestamp_ms: 365.25 * day, price: "1000" },
    ];
    expect(formatApy(apy(history))).toBe("-50.00%");
  });
});

describe("chartPoints", () => {
  it("spans the box from the lowest to the highest price", () => {
    const history = [
      { epoch: 10, timestamp_ms: 0, price: "100" },
      { epoch: 11, timestamp_ms: 1, price: "150" },
      { epoch: 14, timestamp_ms: 2, price: "200" },
    ];
    expect(chartPoints(history, 300, 100)).toBe("0,100 75,50 300,0");
    expect(chartPoints([], 300, 100)).toBe("");
    expect(chartPoints(history.slice(0, 1), 300, 100)).toBe("0,50");
  });
});

describe("solvencyLine", () => {
  it("says whether assets cover what holders are owed", () => {
    expect(solvencyLine({ assets: "1000500000000000000000000000", liabilities: "1000000000000000000000000000", solvent: true })).toBe(
      "Solvent: 1,000.5 NEAR held or owed by validators for 1,000 NEAR owed to holders.",
    );
    expect(solvencyLine({ assets: "1", liabilities: "2", solvent: false })).toBe(
      "NOT solvent: 0 NEAR held or owed by validators for 0 NEAR owed to holders.",
    );
  });
});

describe("inNear", () => {
  it("shows yocto amounts in the contract's messages as NEAR", () => {
    const error = new Error('{"FunctionCallError":{"ExecutionError":"Smart contract panicked: Not enough liquidity: the pool can pay at most 49023100000000000000000000 yoctoNEAR"}}');
    expect(explain(error)).toBe("Not enough liquidity: the pool can pay at most 49.0231 NEAR");
    expect(explain(new Error("Smart contract panicked: Not enough staked balance to unstake"))).toBe("Not enough staked balance to unstake");
    expect(inNear("Requires attached deposit of exactly 1 yoctoNEAR")).toBe("Requires attached deposit of exactly 1 yoctoNEAR");
    const view = new Error('wasm execution failed with error: HostError(GuestPanic { panic_msg: "Not enough liquidity: the pool can pay at most 0 yoctoNEAR" })');
    expect(explain(view)).toBe("Not enough liquidity: the pool can pay at most 0 NEAR");
  });
});
