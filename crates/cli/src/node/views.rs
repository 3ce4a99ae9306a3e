//! localnet's accounts, blocks and outcomes as nearcore's RPC shows them, built from
//! near-primitives' view types so every field has nearcore's name and encoding.

use localnet::near_primitives::errors::TxExecutionError;
use localnet::near_primitives::hash::CryptoHash;
use localnet::near_primitives::transaction::SignedTransaction;
use localnet::near_primitives::types::{Balance, EpochId, Gas};
use localnet::near_primitives::views::{
    AccessKeyPermissionView, AccessKeyView, AccountView, ActionView, BlockHeaderView, BlockView, DataReceiverView,
    ExecutionMetadataView, ExecutionOutcomeView, ExecutionOutcomeWithIdView, ExecutionStatusView,
    FinalExecutionOutcomeView, FinalExecutionOutcomeWithReceiptView, FinalExecutionStatus, ReceiptEnumView,
    ReceiptView,
};
use localnet::{AccessKey, Action, ExecutionResult, KeyPermission, Localnet, ReceiptOutcome, Status};

/// An account's view (`code_hash` all `1`s in base58 when it has no code, as nearcore shows).
pub fn account(view: &localnet::AccountView) -> AccountView {
    AccountView {
        amount: Balance::from_yoctonear(view.amount),
        locked: Balance::from_yoctonear(view.locked),
        code_hash: view.code_hash.as_deref().map_or(CryptoHash::default(), |h| h.parse().expect("a base58 hash")),
        storage_usage: view.storage_usage,
        storage_paid_at: 0,
        global_contract_hash: None,
        global_contract_account_id: None,
        state: Default::default(),
        bootstrap_nonce: None,
    }
}

pub fn access_key(key: &AccessKey) -> AccessKeyView {
    let permission = match &key.permission {
        KeyPermission::FullAccess => AccessKeyPermissionView::FullAccess,
        KeyPermission::FunctionCall { allowance, receiver_id, method_names } => AccessKeyPermissionView::FunctionCall {
            allowance: allowance.map(Balance::from_yoctonear),
            receiver_id: receiver_id.clone(),
            method_names: method_names.clone(),
        },
    };
    AccessKeyView { nonce: key.nonce, permission }
}

/// The epoch id of the epoch holding `height`: nearcore names an epoch by the hash of the last
/// block of the epoch before the previous one; localnet names it by the hash of its first
/// block (zero for the first epoch, as nearcore's genesis epoch).
pub fn epoch_id(net: &Localnet, epoch_height: u64) -> CryptoHash {
    if epoch_height <= 1 {
        return CryptoHash::default();
    }
    net.block_hash((epoch_height - 1) * net.config().epoch_length)
}

/// The block at `height` (localnet's blocks carry no transactions or chunks of their own: they
/// name a height, a time and the chain's totals).
pub fn block(net: &Localnet, height: u64) -> BlockView {
    let config = net.config();
    let epoch = height / config.epoch_length + 1;
    let hash = net.block_hash(height);
    let prev_hash = if height == 0 { CryptoHash::default() } else { net.block_hash(height - 1) };
    let timestamp = config.genesis_time_ns + height * config.block_time_ns;
    let header = BlockHeaderView {
        height,
        prev_height: height.checked_sub(1),
        epoch_id: epoch_id(net, epoch),
        next_epoch_id: epoch_id(net, epoch + 1),
        hash,
        prev_hash,
        prev_state_root: CryptoHash::default(),
        block_body_hash: None,
        chunk_receipts_root: CryptoHash::default(),
        chunk_headers_root: CryptoHash::default(),
        chunk_tx_root: CryptoHash::default(),
        outcome_root: CryptoHash::default(),
        chunks_included: 1,
        challenges_root: CryptoHash::default(),
        timestamp,
        timestamp_nanosec: timestamp,
        random_value: CryptoHash::hash_bytes(hash.as_ref()),
        validator_proposals: vec![],
        chunk_mask: vec![true],
        gas_price: Balance::from_yoctonear(config.gas_price),
        block_ordinal: Some(height + 1),
        rent_paid: Balance::ZERO,
        validator_reward: Balance::ZERO,
        total_supply: Balance::from_yoctonear(net.total_supply()),
        challenges_result: vec![],
        last_final_block: hash,
        last_ds_final_block: hash,
        next_bp_hash: CryptoHash::default(),
        block_merkle_root: CryptoHash::default(),
        epoch_sync_data_hash: None,
        approvals: vec![],
        signature: near_crypto::Signature::empty(near_crypto::KeyType::ED25519),
        latest_protocol_version: localnet::PROTOCOL_VERSION,
        chunk_endorsements: None,
        shard_split: None,
        prev_last_certified_block_epoch_id: None::<EpochId>,
        spice_chunk_endorsement_stats: None,
        chunk_execution_root: None,
    };
    BlockView { author: localnet::ROOT_ACCOUNT.parse().expect("valid"), header, chunks: vec![] }
}

fn failure(status: &Status) -> Option<TxExecutionError> {
    match status {
        Status::Failure(failure) => Some(failure.error().clone()),
        _ => None,
    }
}

/// A finished transaction's outcome: its conversion, every receipt it caused in execution order,
/// and its final status.
pub fn final_outcome(
    net: &Localnet,
    signed: &SignedTransaction,
    result: &ExecutionResult,
) -> FinalExecutionOutcomeView {
    let status = match &result.status {
        Ok(value) => FinalExecutionStatus::SuccessValue(value.clone()),
        Err(failure) => FinalExecutionStatus::Failure(failure.error().clone()),
    };
    let transaction_outcome = ExecutionOutcomeWithIdView {
        proof: vec![],
        block_hash: net.block_hash(result.block_height),
        id: result.transaction_hash,
        outcome: ExecutionOutcomeView {
            logs: vec![],
            receipt_ids: vec![result.first_receipt],
            gas_burnt: Gas::from_gas(result.transaction_gas_burnt),
            tokens_burnt: Balance::from_yoctonear(result.transaction_tokens_burnt),
            executor_id: signed.transaction.signer_id().clone(),
            status: ExecutionStatusView::SuccessReceiptId(result.first_receipt),
            metadata: ExecutionMetadataView { version: 1, gas_profile: None, contracts: None },
        },
    };
    let receipts_outcome = result
        .receipts
        .iter()
        .map(|r| ExecutionOutcomeWithIdView {
            proof: vec![],
            block_hash: net.block_hash(r.block_height),
            id: r.id,
            outcome: ExecutionOutcomeView {
                logs: r.logs.clone(),
                receipt_ids: r.receipt_ids.clone(),
                gas_burnt: Gas::from_gas(r.gas_burnt),
                tokens_burnt: Balance::from_yoctonear(r.tokens_burnt),
                executor_id: r.receiver.clone(),
                status: match (&r.status, failure(&r.status)) {
                    (_, Some(error)) => ExecutionStatusView::Failure(error),
                    (Status::Value(v), _) => ExecutionStatusView::SuccessValue(v.clone()),
                    (Status::Receipt(id), _) => ExecutionStatusView::SuccessReceiptId(*id),
                    (Status::Failure(_), None) => unreachable!("a failure has an error"),
                },
                metadata: ExecutionMetadataView { version: 3, gas_profile: Some(vec![]), contracts: None },
            },
        })
        .collect();
    FinalExecutionOutcomeView { status, transaction: signed.clone().into(), transaction_outcome, receipts_outcome }
}

/// A finished transaction's outcome with the receipts it caused, as `EXPERIMENTAL_tx_status`
/// shows it: every receipt that has an outcome except a receipt to the signer itself, which
/// nearcore runs at once and never stores.
pub fn final_outcome_with_receipts(
    net: &Localnet,
    signed: &SignedTransaction,
    result: &ExecutionResult,
) -> FinalExecutionOutcomeWithReceiptView {
    let final_outcome = final_outcome(net, signed, result);
    let local = signed.transaction.signer_id() == signed.transaction.receiver_id();
    let receipts = result
        .receipts
        .iter()
        .filter(|r| !(local && r.id == result.first_receipt))
        .map(|r| receipt(signed, result, r))
        .collect();
    FinalExecutionOutcomeWithReceiptView { final_outcome, receipts }
}

/// A receipt's view. The transaction's own receipt shows the signed actions exactly; a
/// receipt a contract created shows localnet's record of its actions (an action localnet does
/// not model, which fails its receipt, has no view and is left out).
fn receipt(signed: &SignedTransaction, result: &ExecutionResult, outcome: &ReceiptOutcome) -> ReceiptView {
    let r = &outcome.receipt;
    let actions = if outcome.id == result.first_receipt {
        signed.transaction.actions().iter().cloned().map(ActionView::from).collect()
    } else {
        r.actions.iter().filter_map(action).collect()
    };
    ReceiptView {
        predecessor_id: r.predecessor.clone(),
        receiver_id: r.receiver.clone(),
        receipt_id: r.id,
        receipt: ReceiptEnumView::Action {
            signer_id: r.signer.clone(),
            signer_public_key: r.signer_public_key.clone(),
            gas_price: Balance::from_yoctonear(r.gas_price),
            output_data_receivers: r
                .output_data_receivers
                .iter()
                .map(|(data_id, receiver_id)| DataReceiverView { data_id: *data_id, receiver_id: receiver_id.clone() })
                .collect(),
            input_data_ids: r.input_data_ids.clone(),
            actions,
            is_promise_yield: false,
            refund_to: (r.refund_to != r.predecessor).then(|| r.refund_to.clone()),
        },
        _priority: 0,
    }
}

/// An action as nearcore shows it (a deployment by its code's hash).
fn action(action: &Action) -> Option<ActionView> {
    Some(match action {
        Action::CreateAccount => ActionView::CreateAccount,
        Action::DeployContract(code) => ActionView::DeployContract { code: code.hash().as_ref().to_vec() },
        Action::FunctionCall(call) => ActionView::FunctionCall {
            method_name: call.method.clone(),
            args: call.args.clone().into(),
            gas: Gas::from_gas(call.gas),
            deposit: Balance::from_yoctonear(call.deposit),
        },
        Action::Transfer(deposit) => ActionView::Transfer { deposit: Balance::from_yoctonear(*deposit) },
        Action::Stake { stake, public_key } => {
            ActionView::Stake { stake: Balance::from_yoctonear(*stake), public_key: public_key.clone() }
        }
        Action::AddKey { public_key, permission } => ActionView::AddKey {
            public_key: public_key.clone(),
            access_key: access_key(&AccessKey { nonce: 0, permission: permission.clone() }),
        },
        Action::DeleteKey(public_key) => ActionView::DeleteKey { public_key: public_key.clone() },
        Action::DeleteAccount { beneficiary } => ActionView::DeleteAccount { beneficiary_id: beneficiary.clone() },
        Action::Unsupported(_) => return None,
    })
}
