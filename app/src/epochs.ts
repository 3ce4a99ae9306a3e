/** When an epoch starts, from where the chain is now: blocks left times the block time. */

export interface Clock {
  /** The current epoch and the height its first block had. */
  epoch: number;
  epochStartHeight: number;
  /** The latest block's height and time (ms since 1970). */
  height: number;
  timeMs: number;
  epochLength: number;
  /** The chain's average time per block, in ms. */
  blockTimeMs: number;
}

/** The estimated start of `target` (ms since 1970); the past epochs' start as now. */
export function epochStart(target: number, clock: Clock): number {
  const blocksInto = clock.height - clock.epochStartHeight;
  const blocks = (target - clock.epoch) * clock.epochLength - blocksInto;
  return clock.timeMs + Math.max(0, blocks) * clock.blockTimeMs;
}

/** A countdown in words: "now", "45 min", "3 h 12 min", "2 d 4 h". */
export function countdown(ms: number): string {
  if (ms <= 0) return "now";
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A holder's unstaked NEAR as the contract sees it: owed, promised and expected epochs, payable now. */
export interface Claim {
  owedNear: string;
  unlockEpoch: number;
  /** When its NEAR is expected in the reserve (later than `unlockEpoch` when it is late). */
  expectedEpoch: number | null;
  canWithdraw: boolean;
}

/** The claim in words: ready, counting down to its promised epoch, or late with its expected epoch. */
export function claimLine(claim: Claim, clock: Clock): string {
  if (claim.canWithdraw) return `${claim.owedNear} NEAR is ready to withdraw.`;
  const left = (epoch: number) => countdown(epochStart(epoch, clock) - clock.timeMs);
  const expected = claim.expectedEpoch ?? claim.unlockEpoch;
  if (expected > claim.unlockEpoch) {
    const due = claim.unlockEpoch <= clock.epoch ? `was due in epoch ${claim.unlockEpoch}` : `is due in epoch ${claim.unlockEpoch}`;
    return `${claim.owedNear} NEAR ${due}, but its NEAR is late at the validators: expected in epoch ${expected} (${left(expected)} left), and paid first when it arrives.`;
  }
  return `${claim.owedNear} NEAR unlocks in epoch ${claim.unlockEpoch}: ${left(claim.unlockEpoch)} left.`;
}
