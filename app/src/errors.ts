/** Chain errors in words a holder understands. */

import { formatNear } from "./units";

const KNOWN: [RegExp, string][] = [
  [/NotEnoughBalance/, "Your account does not hold enough NEAR for this amount and its gas."],
  [/InvalidNonce/, "Another transaction from this account went first. Try again."],
  [/Exceeded the prepaid gas/, "The transaction ran out of gas."],
  [/AccountDoesNotExist/, "That account does not exist on this network."],
];

/**
 * The message to show for an error thrown by a call: the contract's own message when it
 * panicked (it is written for holders), a known chain error in words, else the error's text.
 */
export function explain(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // A transaction's failure, or a view's ("HostError(GuestPanic { panic_msg: \"...\" })").
  const panic = /Smart contract panicked: ([^"\n]+)/.exec(text) ?? /panic_msg: "((?:[^"\\]|\\.)*)"/.exec(text);
  if (panic?.[1]) return inNear(panic[1].trim().replace(/\\"/g, '"'));
  for (const [pattern, words] of KNOWN) {
    if (pattern.test(text)) return words;
  }
  return text;
}

/** Amounts the contract states in yoctoNEAR ("at most 5000000000000000000000000 yoctoNEAR"),
 * as NEAR ("at most 5 NEAR"); the one-yocto deposit rule keeps its unit. */
export function inNear(message: string): string {
  return message.replace(/(?<!exactly )\b(\d+) yoctoNEAR\b/g, (_, yocto: string) => `${formatNear(BigInt(yocto))} NEAR`);
}
