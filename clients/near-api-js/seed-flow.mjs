// near-api-js 7.3.1 against `lst node`: the staking seed flow with 30 Tgas calls, the contract's
// state, and a retry after InvalidNonce. Prints what it saw as JSON; the Rust test
// (crates/cli/tests/node_near_api_js.rs) checks it against the chain.
import { Account, JsonRpcProvider, KeyPairSigner } from "near-api-js";

const url = process.env.LST_RPC;
const accountId = process.env.LST_ACCOUNT;
const key = process.env.LST_KEY;
const epochLength = BigInt(process.env.LST_EPOCH_LENGTH);
const contractId = "lst.near";
const TGAS = 10n ** 12n;
const NEAR = 10n ** 24n;

// Counts the node's InvalidNonce answers, as near-api-js receives them.
let invalidNonces = 0;
const fetchOriginal = globalThis.fetch;
globalThis.fetch = async (...args) => {
  const response = await fetchOriginal(...args);
  const body = await response.clone().json().catch(() => null);
  if (body?.error?.data?.TxExecutionError?.InvalidTxError?.InvalidNonce) invalidNonces += 1;
  return response;
};

const provider = new JsonRpcProvider({ url });
const account = new Account(accountId, provider, KeyPairSigner.fromSecretKey(key));
const call = (methodName, args, deposit) =>
  account.callFunction({ contractId, methodName, args, deposit, gas: 30n * TGAS, waitUntil: "FINAL" });
const view = (method, args) => provider.callFunction({ contractId, method, args });

const seen = {};
await call("deposit_and_stake", {}, 10n * NEAR);
seen.after_deposit = await view("get_account", { account_id: accountId });
await call("unstake_all", {}, 0n);
seen.after_unstake = await view("get_account", { account_id: accountId });

// Another client with the same key moves the nonce on: near-api-js's cached nonce is stale, its
// next transaction is refused with InvalidNonce and it retries with a fresh one.
const other = new Account(accountId, provider, KeyPairSigner.fromSecretKey(key));
await other.transfer({ receiverId: "near", amount: 1n });
await call("deposit", {}, NEAR);
seen.invalid_nonces = invalidNonces;
seen.after_retried_deposit = await view("get_account", { account_id: accountId });

const response = await fetchOriginal(url, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "sandbox_fast_forward", params: { delta_height: Number(5n * epochLength) } }),
});
seen.fast_forward = (await response.json()).result;
seen.available = await view("is_account_unstaked_balance_available", { account_id: accountId });
await call("withdraw_all", {}, 0n);
seen.after_withdraw = await view("get_account", { account_id: accountId });
const state = await provider.viewContractState({ contractId, prefix: "" });
seen.state_keys = state.values.length;
seen.account = await account.getState();
console.log(JSON.stringify(seen, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
