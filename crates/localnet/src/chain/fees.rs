//! Fees and costs: nearcore's send and exec fees per action, what a transaction costs its
//! signer, the storage an access key occupies, and what an account must hold for its storage.

use super::*;

pub(super) fn fee_config() -> &'static RuntimeFeesConfig {
    &vm::runtime_config().fees
}

pub(super) fn gas(g: Gas) -> u64 {
    g.as_gas()
}

pub(super) fn exec_fee(cost: ActionCosts) -> u64 {
    gas(fee_config().fee(cost).exec_fee().gas)
}

pub(super) fn send_fee(cost: ActionCosts, sir: bool) -> u64 {
    gas(fee_config().fee(cost).send_fee(sir).gas)
}

/// Borsh size of an access key record's value: nonce, permission tag and its fields.
pub(super) fn access_key_len(permission: &KeyPermission) -> u64 {
    match permission {
        KeyPermission::FullAccess => 8 + 1,
        KeyPermission::FunctionCall { allowance, receiver_id, method_names } => {
            let allowance_len = if allowance.is_some() { 17 } else { 1 };
            let names: u64 = method_names.iter().map(|m| 4 + m.len() as u64).sum();
            8 + 1 + allowance_len + 4 + receiver_id.len() as u64 + 4 + names
        }
    }
}

/// Storage an access key occupies: key, value and the per-record overhead.
pub(super) fn key_storage(public_key: &PublicKey, permission: &KeyPermission) -> u64 {
    let extra = fee_config().storage_usage_config.num_extra_bytes_record;
    borsh::to_vec(public_key).expect("keys serialize").len() as u64 + access_key_len(permission) + extra
}

/// (send fee, exec fee) of one action; `sir` when sender and receiver are the same account.
pub(super) fn action_fees(action: &Action, sir: bool, receiver: &AccountId) -> (u64, u64) {
    use ActionCosts::*;
    let both = |c: ActionCosts| (send_fee(c, sir), exec_fee(c));
    let per_byte = |base: ActionCosts, byte: ActionCosts, n: u64| {
        (send_fee(base, sir) + send_fee(byte, sir) * n, exec_fee(base) + exec_fee(byte) * n)
    };
    match action {
        Action::CreateAccount => both(create_account),
        Action::DeployContract(code) => per_byte(deploy_contract_base, deploy_contract_byte, code.len() as u64),
        Action::FunctionCall(fc) => {
            per_byte(function_call_base, function_call_byte, (fc.method.len() + fc.args.len()) as u64)
        }
        Action::Transfer(_) if is_near_implicit(receiver) => {
            let (s1, e1) = both(transfer);
            let (s2, e2) = both(create_account);
            let (s3, e3) = both(add_full_access_key);
            (s1 + s2 + s3, e1 + e2 + e3)
        }
        Action::Transfer(_) => both(transfer),
        Action::Stake { .. } => both(stake),
        Action::AddKey { permission: KeyPermission::FullAccess, .. } => both(add_full_access_key),
        Action::AddKey { permission: KeyPermission::FunctionCall { method_names, .. }, .. } => {
            let n = method_names.iter().map(|m| m.len() as u64 + 1).sum();
            per_byte(add_function_call_key_base, add_function_call_key_byte, n)
        }
        Action::DeleteKey(_) => both(delete_key),
        Action::DeleteAccount { .. } => both(delete_account),
        Action::Unsupported(_) => (0, 0),
    }
}

pub(super) fn deposit_of(action: &Action) -> u128 {
    match action {
        Action::Transfer(d) => *d,
        Action::FunctionCall(fc) => fc.deposit,
        _ => 0,
    }
}

pub(super) fn is_near_implicit(account: &AccountId) -> bool {
    account.len() == 64 && account.as_str().bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// How much balance an account lacks to pay for its storage, if any (accounts up to 770 bytes
/// pay nothing).
pub(super) fn storage_shortfall(storage_usage: u64, balance: u128) -> Option<u128> {
    if storage_usage <= ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT {
        return None;
    }
    let byte_cost = fee_config().storage_usage_config.storage_amount_per_byte.as_yoctonear();
    (storage_usage as u128 * byte_cost).checked_sub(balance).filter(|lacking| *lacking > 0)
}

pub(super) fn fc_gas(action: &Action) -> u64 {
    match action {
        Action::FunctionCall(fc) => fc.gas,
        _ => 0,
    }
}

/// Accounts up to this size need no balance for storage (NEP-448).
pub(super) const ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT: u64 = 770;

impl Chain {
    /// Gas is bought at no less than the protocol's minimum purchase price.
    pub(super) fn purchase_price(&self) -> u128 {
        self.config.gas_price.max(vm::runtime_config().min_gas_purchase_price.as_yoctonear())
    }

    /// The transaction's fees and cost: (conversion gas, total cost in yocto).
    pub(super) fn transaction_cost(&self, sir: bool, receiver: &AccountId, actions: &[Action]) -> (u64, u128) {
        let mut conversion_gas = send_fee(ActionCosts::new_action_receipt, sir);
        let mut prepaid_gas = exec_fee(ActionCosts::new_action_receipt);
        let mut deposits: u128 = 0;
        for action in actions {
            let (send, exec) = action_fees(action, sir, receiver);
            conversion_gas += send;
            prepaid_gas += exec;
            if let Action::FunctionCall(fc) = action {
                prepaid_gas += fc.gas;
            }
            deposits += deposit_of(action);
        }
        let cost =
            conversion_gas as u128 * self.config.gas_price + prepaid_gas as u128 * self.purchase_price() + deposits;
        (conversion_gas, cost)
    }
}

/// What a receipt's gas comes to once it ran.
pub(super) struct Settled {
    /// Burnt: the gas burnt at the block's price (or the receipt's, if lower), the penalty on
    /// refunded gas, and the account creation charge.
    pub tokens_burnt: u128,
    /// Refunded to the signer: unused prepaid gas less the penalty, plus the difference between
    /// the price the gas was bought at and the price it burnt at.
    pub refund: u128,
}

/// Settles the gas of receipt `r` as nearcore does: gas the receipt did not use (all it did not
/// burn, on failure) is refunded less `gas_penalty_for_gas_refund`; burnt gas costs the lower of
/// the purchase price and the block's `gas_price`, the rest of what was paid is refunded; a
/// receipt that `created` an account pays the creation charge out of that surplus.
pub(super) fn settle_gas(r: &ActionReceipt, applied: &Applied, gas_price: u128, created: bool) -> Settled {
    let burn_price = r.gas_price.min(gas_price);
    let prepaid: u64 = exec_fee(ActionCosts::new_action_receipt)
        + r.actions.iter().map(|a| action_fees(a, r.predecessor == r.receiver, &r.receiver).1 + fc_gas(a)).sum::<u64>();
    let spent = if applied.result.is_ok() { applied.gas_used } else { applied.gas_burnt };
    let gross = prepaid.saturating_sub(spent);
    let penalty = gas(fee_config().gas_penalty_for_gas_refund(Gas::from_gas(gross))) as u128 * burn_price;
    let unused_refund = (gross as u128 * r.gas_price).saturating_sub(penalty);
    let mut surplus = (r.gas_price - burn_price) * applied.gas_burnt as u128;
    let mut creation_charge = 0;
    if created {
        let charge = vm::runtime_config().account_creation_charge.as_yoctonear();
        let covered = burn_price * exec_fee(ActionCosts::create_account) as u128;
        creation_charge = charge.saturating_sub(covered).min(surplus);
        surplus -= creation_charge;
    }
    Settled {
        tokens_burnt: burn_price * applied.gas_burnt as u128 + penalty + creation_charge,
        refund: unused_refund + surplus,
    }
}
