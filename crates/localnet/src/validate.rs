//! nearcore's checks of actions (in transactions and in receipts contracts create), with its
//! `ActionsValidationError` and `ReceiptValidationError`.

use crate::errors::{ActionsValidationError, ReceiptValidationError};
use crate::ext::NewReceipt;
use crate::receipt::{Action, KeyPermission};
use crate::vm;
use near_primitives_core::types::Gas;

/// Checks the protocol's limits on a list of actions.
pub fn validate_actions(actions: &[Action]) -> Result<(), ActionsValidationError> {
    use ActionsValidationError::*;
    let limits = &vm::runtime_config().wasm_config.limit_config;
    let count = actions.len() as u64;
    if count > limits.max_actions_per_receipt {
        return Err(TotalNumberOfActionsExceeded {
            total_number_of_actions: count,
            limit: limits.max_actions_per_receipt,
        });
    }
    let mut total_gas: u64 = 0;
    for (i, action) in actions.iter().enumerate() {
        match action {
            Action::FunctionCall(fc) => {
                // A contract's call is checked after the unused gas was shared out by weight.
                if fc.gas == 0 {
                    return Err(FunctionCallZeroAttachedGas);
                }
                let (length, limit) = (fc.method.len() as u64, limits.max_length_method_name);
                if length > limit {
                    return Err(FunctionCallMethodNameLengthExceeded { length, limit });
                }
                let (length, limit) = (fc.args.len() as u64, limits.max_arguments_length);
                if length > limit {
                    return Err(FunctionCallArgumentsLengthExceeded { length, limit });
                }
                total_gas = total_gas.saturating_add(fc.gas);
            }
            Action::DeployContract(code) => {
                let (size, limit) = (code.len() as u64, limits.max_contract_size);
                if size > limit {
                    return Err(ContractSizeExceeded { size, limit });
                }
            }
            Action::AddKey { permission: KeyPermission::FunctionCall { method_names, .. }, .. } => {
                let mut total: u64 = 0;
                for name in method_names {
                    let (length, limit) = (name.len() as u64, limits.max_length_method_name);
                    if length > limit {
                        return Err(AddKeyMethodNameLengthExceeded { length, limit });
                    }
                    total += length + 1;
                }
                let limit = limits.max_number_bytes_method_names;
                if total > limit {
                    return Err(AddKeyMethodNamesNumberOfBytesExceeded { total_number_of_bytes: total, limit });
                }
            }
            Action::DeleteAccount { .. } if i + 1 != actions.len() => return Err(DeleteActionMustBeFinal),
            Action::Stake { public_key, .. } if !near_crypto::key_conversion::is_valid_staking_key(public_key) => {
                return Err(UnsuitableStakingKey { public_key: Box::new(public_key.clone()) });
            }
            _ => {}
        }
    }
    let limit = limits.max_total_prepaid_gas;
    if total_gas > limit.as_gas() {
        return Err(TotalPrepaidGasExceeded { total_prepaid_gas: Gas::from_gas(total_gas), limit });
    }
    Ok(())
}

/// nearcore's check of a receipt a contract created (`validate_receipt` for new receipts): a
/// failure fails the calling receipt with `NewReceiptValidationError` and rolls it back.
pub fn validate_new_receipt(receipt: &NewReceipt) -> Result<(), ReceiptValidationError> {
    let limit = vm::runtime_config().wasm_config.limit_config.max_number_input_data_dependencies;
    let inputs = receipt.dependencies.len() as u64;
    if inputs > limit {
        return Err(ReceiptValidationError::NumberInputDataDependenciesExceeded {
            number_of_input_data_dependencies: inputs,
            limit,
        });
    }
    validate_actions(&receipt.actions).map_err(ReceiptValidationError::ActionsValidation)
}
