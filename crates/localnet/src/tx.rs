//! Signed transactions: near-primitives' `SignedTransaction` (the borsh that wallets, near-cli-rs
//! and near-api-js send) turned into localnet's actions, and nearcore's checks of the access key
//! that signed one, with nearcore's `InvalidTxError`.

use crate::chain::ACCESS_KEY_NONCE_RANGE;
use crate::errors::{InvalidAccessKeyError, InvalidTxError, balance};
use crate::receipt::{Action, FunctionCall, KeyPermission};
use crate::state::AccessKey;
use crate::vm::Code;
use near_crypto::PublicKey;
use near_primitives::account::AccessKeyPermission;
use near_primitives::action::Action as SignedAction;
use near_primitives::transaction::SignedTransaction;
use near_primitives_core::types::AccountId;

/// The transaction's actions as localnet runs them (protocol features it does not model become
/// [`Action::Unsupported`], which fails the receipt with the feature's name).
pub fn actions(signed: &SignedTransaction) -> Vec<Action> {
    signed.transaction.actions().iter().map(action).collect()
}

fn action(action: &SignedAction) -> Action {
    match action {
        SignedAction::CreateAccount(_) => Action::CreateAccount,
        SignedAction::DeployContract(deploy) => Action::DeployContract(Code::new(deploy.code.clone())),
        SignedAction::FunctionCall(call) => Action::FunctionCall(FunctionCall {
            method: call.method_name.clone(),
            args: call.args.clone(),
            deposit: call.deposit.as_yoctonear(),
            gas: call.gas.as_gas(),
            gas_weight: 0,
        }),
        SignedAction::Transfer(transfer) => Action::Transfer(transfer.deposit.as_yoctonear()),
        SignedAction::Stake(stake) => {
            Action::Stake { stake: stake.stake.as_yoctonear(), public_key: stake.public_key.clone() }
        }
        SignedAction::AddKey(add) => Action::AddKey {
            public_key: add.public_key.clone(),
            permission: match &add.access_key.permission {
                AccessKeyPermission::FullAccess => KeyPermission::FullAccess,
                AccessKeyPermission::FunctionCall(call) => KeyPermission::FunctionCall {
                    allowance: call.allowance.map(|a| a.as_yoctonear()),
                    receiver_id: call.receiver_id.clone(),
                    method_names: call.method_names.clone(),
                },
                _ => return Action::Unsupported("gas keys"),
            },
        },
        SignedAction::DeleteKey(delete) => Action::DeleteKey(delete.public_key.clone()),
        SignedAction::DeleteAccount(delete) => Action::DeleteAccount { beneficiary: delete.beneficiary_id.clone() },
        SignedAction::Delegate(_) | SignedAction::DelegateV2(_) => Action::Unsupported("meta transactions"),
        SignedAction::DeployGlobalContract(_) | SignedAction::UseGlobalContract(_) => {
            Action::Unsupported("global contracts")
        }
        SignedAction::DeterministicStateInit(_) | SignedAction::UniversalStateInit(_) => {
            Action::Unsupported("state init")
        }
        SignedAction::TransferToGasKey(_) | SignedAction::WithdrawFromGasKey(_) => Action::Unsupported("gas keys"),
    }
}

/// The signature over the transaction's hash, by the key it names.
pub fn check_signature(signed: &SignedTransaction) -> Result<(), InvalidTxError> {
    let hash = signed.get_hash();
    if signed.signature.verify(hash.as_ref(), signed.transaction.public_key()) {
        Ok(())
    } else {
        Err(InvalidTxError::InvalidSignature)
    }
}

/// nearcore's first checks of the key that signed a transaction with `nonce`, at block `height`:
/// it exists, the nonce is new, and it is below the height's upper bound.
pub fn check_nonce(
    signer: &AccountId,
    public_key: &PublicKey,
    key: Option<&AccessKey>,
    nonce: u64,
    height: u64,
) -> Result<AccessKey, InvalidTxError> {
    let Some(key) = key else {
        return Err(InvalidTxError::InvalidAccessKeyError(InvalidAccessKeyError::AccessKeyNotFound {
            account_id: signer.clone(),
            public_key: Box::new(public_key.clone()),
        }));
    };
    if nonce <= key.nonce {
        return Err(InvalidTxError::InvalidNonce { tx_nonce: nonce, ak_nonce: key.nonce });
    }
    let upper_bound = height * ACCESS_KEY_NONCE_RANGE;
    if nonce >= upper_bound {
        return Err(InvalidTxError::NonceTooLarge { tx_nonce: nonce, upper_bound });
    }
    Ok(AccessKey { nonce, permission: key.permission.clone() })
}

/// A function-call key pays the transaction's whole `cost` out of its allowance, if it has one.
pub fn spend_allowance(
    signer: &AccountId,
    public_key: &PublicKey,
    key: &mut AccessKey,
    cost: u128,
) -> Result<(), InvalidTxError> {
    if let KeyPermission::FunctionCall { allowance: Some(allowance), .. } = &mut key.permission {
        *allowance = allowance.checked_sub(cost).ok_or_else(|| {
            InvalidTxError::InvalidAccessKeyError(InvalidAccessKeyError::NotEnoughAllowance {
                account_id: signer.clone(),
                public_key: Box::new(public_key.clone()),
                allowance: balance(*allowance),
                cost: balance(cost),
            })
        })?;
    }
    Ok(())
}

/// What a function-call key may sign: one call without deposit, to its receiver, of one of its
/// methods (any, when it names none).
pub fn check_permission(key: &AccessKey, receiver: &AccountId, actions: &[Action]) -> Result<(), InvalidTxError> {
    let KeyPermission::FunctionCall { receiver_id, method_names, .. } = &key.permission else {
        return Ok(());
    };
    let refuse = |e: InvalidAccessKeyError| Err(InvalidTxError::InvalidAccessKeyError(e));
    let [Action::FunctionCall(call)] = actions else {
        return refuse(InvalidAccessKeyError::RequiresFullAccess);
    };
    if call.deposit > 0 {
        return refuse(InvalidAccessKeyError::DepositWithFunctionCall);
    }
    if receiver.as_str() != receiver_id.as_str() {
        let (tx_receiver, ak_receiver) = (receiver.clone(), receiver_id.clone());
        return refuse(InvalidAccessKeyError::ReceiverMismatch { tx_receiver, ak_receiver });
    }
    if !method_names.is_empty() && !method_names.contains(&call.method) {
        return refuse(InvalidAccessKeyError::MethodNameMismatch { method_name: call.method.clone() });
    }
    Ok(())
}
