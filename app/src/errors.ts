/** Chain errors in words a holder understands. */

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
  const panic = /Smart contract panicked: ([^"\n]+)/.exec(text);
  if (panic?.[1]) return panic[1].trim().replace(/\\"/g, '"');
  for (const [pattern, words] of KNOWN) {
    if (pattern.test(text)) return words;
  }
  return text;
}
