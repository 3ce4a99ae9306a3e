//! Every amount of gas the contract attaches to a receipt or keeps for itself, with what it pays
//! for. A total is written as the sum of its parts, so changing a part changes every total that
//! includes it, and the messages that name an amount are computed from it.
//!
//! NEAR's core staking pool attaches 20 Tgas to its own `on_stake_action` callback whenever it
//! restakes (in `deposit_and_stake`, `unstake`, `unstake_all`, and in `ping` and `withdraw` on a
//! new epoch), so every pool call that can restake gets [`POOL_ACTION`]. Calls that take all the
//! gas a call leaves (the receiver's `ft_on_transfer`, an upgrade's `migrate`) attach none of
//! their own and a weight instead.

use near_sdk::Gas;

const fn sum(parts: &[Gas]) -> Gas {
    let mut total = 0;
    let mut i = 0;
    while i < parts.len() {
        total += parts[i].as_gas();
        i += 1;
    }
    Gas::from_gas(total)
}

// The crank's calls to a validator's pool and their callbacks.

/// A pool call that may restake: the pool's own work (a few Tgas in the core pool), its Stake
/// action and the 20 Tgas it attaches to `on_stake_action`, with room to spare.
pub const POOL_ACTION: Gas = Gas::from_tgas(40);
/// The pool's `get_account` view (the lockup contract gives views 25 Tgas).
pub const GET_ACCOUNT: Gas = Gas::from_tgas(10);
/// `on_action`: settles a stake, unstake or withdrawal from its receipt's status.
pub const ON_ACTION: Gas = Gas::from_tgas(10);
/// `on_reconcile`: settles an operation whose callback was lost, from the pool's answer.
pub const ON_RECONCILE: Gas = Gas::from_tgas(10);
/// `on_sync`'s own work: bounding and booking the pool's answer.
const ON_SYNC_OWN: Gas = Gas::from_tgas(15);
/// `on_sync`: its own work, then the operation it may send right away with that operation's
/// callback.
pub const ON_SYNC: Gas = sum(&[ON_SYNC_OWN, POOL_ACTION, ON_ACTION]);
/// The fees of the four receipts of a validator's sync (the call, its answer, the callback and
/// what the callback sends).
const SYNC_RECEIPT_FEES: Gas = Gas::from_tgas(10);
/// The most one validator takes from a crank call: its sync (`ping` with `get_account`, then
/// `on_sync` and what that sends), the largest path, and its receipts' fees.
pub const PER_VALIDATOR: Gas = sum(&[POOL_ACTION, GET_ACCOUNT, ON_SYNC, SYNC_RECEIPT_FEES]);
/// What a crank call keeps for its own work (reading and writing the records it visits).
pub const CRANK_OWN: Gas = Gas::from_tgas(15);
/// What a crank call uses before it counts its budget (loading the contract and its state).
pub const CRANK_ENTRY: Gas = Gas::from_tgas(5);

// NEP-141's `ft_transfer_call`.

/// `ft_resolve_transfer`: refunds what the receiver did not use.
pub const RESOLVE_TRANSFER: Gas = Gas::from_tgas(5);
/// The least the receiver's `ft_on_transfer` is left with.
const RECEIVER_MIN: Gas = Gas::from_tgas(10);
/// The least gas `ft_transfer_call` accepts; the receiver gets all it leaves beyond
/// [`RESOLVE_TRANSFER`].
pub const MIN_TRANSFER_CALL: Gas = sum(&[RESOLVE_TRANSFER, RECEIVER_MIN]);

// Governance.

/// The whitelist's `is_whitelisted` view, asked by `add_validator`.
pub const WHITELIST_CHECK: Gas = Gas::from_tgas(5);
/// `on_whitelist_check`: adds the validator (one record and the set).
pub const ON_WHITELIST_CHECK: Gas = Gas::from_tgas(5);

#[cfg(test)]
mod tests {
    use super::*;

    /// The totals are the figures the crank and NEP-141 have always used.
    #[test]
    fn totals_are_the_sums_of_their_parts() {
        assert_eq!(ON_SYNC, Gas::from_tgas(65));
        assert_eq!(PER_VALIDATOR, Gas::from_tgas(125));
        assert_eq!(MIN_TRANSFER_CALL, Gas::from_tgas(15));
    }
}
