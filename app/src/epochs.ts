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
