//! nearcore's JSON-RPC methods on localnet: parameters parsed into near-jsonrpc-primitives'
//! request types (object or array form, as nearcore accepts them), answers built from its
//! response types, errors in its `name`/`cause`/`code`/`message`/`data` shape.

use super::views;
use super::{Node, Pending};
use localnet::near_primitives::borsh;
use localnet::near_primitives::hash::CryptoHash;
use localnet::near_primitives::transaction::SignedTransaction;
use localnet::near_primitives::types::{BlockId, BlockReference, Finality, StoreKey, StoreValue};
use localnet::near_primitives::views::{
    AccessKeyInfoView, AccessKeyList, CallResult, ContractCodeView, QueryRequest, StateItem, TxExecutionStatus,
    ViewStateResult,
};
use near_jsonrpc_primitives::errors::RpcError;
use near_jsonrpc_primitives::types::blocks::RpcBlockError;
use near_jsonrpc_primitives::types::query::{QueryResponseKind, RpcQueryError, RpcQueryRequest, RpcQueryResponse};
use near_jsonrpc_primitives::types::transactions::{RpcTransactionError, RpcTransactionResponse};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// What a method call comes to: an answer now, or a transaction to answer for once it has
/// gone as far as the caller asked.
pub enum Reply {
    Now(Result<Value, RpcError>),
    Later(Pending),
}

fn parse<T: DeserializeOwned>(params: Value) -> Result<T, RpcError> {
    serde_json::from_value(params).map_err(|e| RpcError::parse_error(format!("Failed parsing args: {e}")))
}

/// The one element of an array parameter list, or the object itself.
fn first_param(params: Value) -> Result<Value, RpcError> {
    match params {
        Value::Array(mut items) if items.len() == 1 => Ok(items.remove(0)),
        Value::Array(_) => Err(RpcError::parse_error("Expected a single parameter".into())),
        other => Ok(other),
    }
}

fn answer<T: serde::Serialize>(value: T) -> Result<Value, RpcError> {
    serde_json::to_value(value).map_err(|e| RpcError::serialization_error(e.to_string()))
}

impl Node {
    pub fn call(&mut self, method: &str, params: Value) -> Reply {
        let now = |result| Reply::Now(result);
        match method {
            "status" => now(answer(self.status())),
            "block" => now(self.block(params)),
            "gas_price" => now(self.gas_price(params)),
            "query" => now(self.query(params)),
            "validators" => now(self.validators(params)),
            "EXPERIMENTAL_protocol_config" => now(self.protocol_config(params)),
            "send_tx" => self.send_tx(params),
            "broadcast_tx_commit" => match first_param(params).and_then(parse_signed) {
                Ok(signed) => self.submit(signed, TxExecutionStatus::ExecutedOptimistic),
                Err(e) => now(Err(e)),
            },
            "broadcast_tx_async" => match first_param(params).and_then(parse_signed) {
                Ok(signed) => {
                    let hash = signed.get_hash();
                    match self.submit(signed, TxExecutionStatus::None) {
                        Reply::Now(Ok(_)) => now(answer(hash)),
                        other => other,
                    }
                }
                Err(e) => now(Err(e)),
            },
            "tx" => self.tx_status(params, false),
            // Stabilized as `tx_status` by nearcore 2.14 (protocol 87); both names are served.
            "tx_status" | "EXPERIMENTAL_tx_status" => self.tx_status(params, true),
            "health" => now(Ok(Value::Null)),
            "sandbox_fast_forward" => now(self.fast_forward(params)),
            "sandbox_patch_state" => now(self.patch_state(params)),
            "lst_set_validator_uptime" => now(self.set_validator_uptime(params)),
            "lst_inject_faults" => now(self.inject_faults(params)),
            _ => now(Err(RpcError::method_not_found(method.to_string()))),
        }
    }

    /// The block a reference names: the latest for any finality (localnet's blocks are final
    /// at once), or the block with that height or hash if it has been produced.
    fn resolve(&self, reference: &BlockReference) -> Option<u64> {
        let latest = self.net.block_height();
        match reference {
            BlockReference::Finality(_) | BlockReference::SyncCheckpoint(_) => Some(latest),
            BlockReference::BlockId(BlockId::Height(h)) => (*h <= latest).then_some(*h),
            BlockReference::BlockId(BlockId::Hash(hash)) => self.net.block_height_of(hash),
        }
    }

    fn block(&self, params: Value) -> Result<Value, RpcError> {
        let reference = match first_param(params)? {
            Value::Object(o) if o.is_empty() => BlockReference::Finality(Finality::Final),
            Value::Object(o) => parse::<BlockReference>(Value::Object(o))?,
            other => BlockReference::BlockId(parse::<BlockId>(other)?),
        };
        let height = self.resolve(&reference).ok_or_else(|| {
            RpcError::from(RpcBlockError::UnknownBlock { error_message: format!("DB Not Found Error: {reference:?}") })
        })?;
        answer(views::block(&self.net, height))
    }

    fn gas_price(&self, _params: Value) -> Result<Value, RpcError> {
        answer(json!({"gas_price": self.net.config().gas_price.to_string()}))
    }

    fn query(&self, params: Value) -> Result<Value, RpcError> {
        let request = match params {
            Value::Array(items) => legacy_query(items)?,
            params => parse::<RpcQueryRequest>(params)?,
        };
        let Some(block_height) = self.resolve(&request.block_reference) else {
            return Err(RpcQueryError::UnknownBlock { block_reference: request.block_reference }.into());
        };
        let block_hash = self.net.block_hash(block_height);
        if block_height != self.net.block_height() {
            // localnet keeps no history: older state is gone, as on a node that is not archival.
            return Err(RpcQueryError::GarbageCollectedBlock { block_height, block_hash }.into());
        }
        let unknown_account =
            |requested_account_id| RpcQueryError::UnknownAccount { requested_account_id, block_height, block_hash };
        let respond = |kind| answer(RpcQueryResponse { kind, block_height, block_hash });
        let legacy_error = |error: String| {
            answer(json!({"error": error, "logs": [], "block_height": block_height, "block_hash": block_hash}))
        };
        match request.request {
            QueryRequest::ViewAccount { account_id } => match self.net.view_account(&account_id) {
                Some(view) => respond(QueryResponseKind::ViewAccount(views::account(&view))),
                None => Err(unknown_account(account_id).into()),
            },
            QueryRequest::ViewCode { account_id } => {
                if self.net.view_account(&account_id).is_none() {
                    return Err(unknown_account(account_id).into());
                }
                match self.net.contract_code(&account_id) {
                    Some(code) => {
                        let hash = CryptoHash::hash_bytes(&code);
                        respond(QueryResponseKind::ViewCode(ContractCodeView { code, hash }))
                    }
                    None => {
                        Err(RpcQueryError::NoContractCode { contract_account_id: account_id, block_height, block_hash }
                            .into())
                    }
                }
            }
            QueryRequest::ViewState { account_id, prefix, .. } => {
                let Some(items) = self.net.state_with_prefix(&account_id, prefix.as_ref()) else {
                    return Err(unknown_account(account_id).into());
                };
                let values = items
                    .into_iter()
                    .map(|(k, v)| StateItem { key: StoreKey::from(k), value: StoreValue::from(v) })
                    .collect();
                respond(QueryResponseKind::ViewState(ViewStateResult { values, proof: vec![], last_key: None }))
            }
            QueryRequest::ViewAccessKey { account_id, public_key } => {
                if self.net.view_account(&account_id).is_none() {
                    return Err(unknown_account(account_id).into());
                }
                match self.net.access_key(&account_id, &public_key) {
                    Some(key) => respond(QueryResponseKind::AccessKey(views::access_key(&key))),
                    // nearcore answers a missing key with a result holding an error (near-api-js relies on it).
                    None => legacy_error(format!("access key {public_key} does not exist while viewing")),
                }
            }
            QueryRequest::ViewAccessKeyList { account_id, .. } => {
                let Some(keys) = self.net.access_keys(&account_id) else {
                    return Err(unknown_account(account_id).into());
                };
                let keys =
                    keys.iter().map(|(pk, key)| AccessKeyInfoView::new(pk.clone(), views::access_key(key))).collect();
                respond(QueryResponseKind::AccessKeyList(AccessKeyList { keys, last_key: None }))
            }
            QueryRequest::CallFunction { account_id, method_name, args } => {
                if self.net.view_account(&account_id).is_none() {
                    return Err(unknown_account(account_id).into());
                }
                match self.net.view(&account_id, &method_name).args(args.to_vec()).call() {
                    Ok(result) => {
                        respond(QueryResponseKind::CallResult(CallResult { result: result.result, logs: result.logs }))
                    }
                    // A contract's error is a result holding it, as nearcore answers.
                    Err(error) => legacy_error(error),
                }
            }
            other => Err(RpcError::parse_error(format!("localnet does not support the query {other:?}"))),
        }
    }

    /// The chain's parameters in nearcore's `ProtocolConfigView` shape: the runtime's fees and
    /// limits (near-parameters' own view of protocol 88's config), the epoch, seat and reward
    /// settings.
    fn protocol_config(&self, params: Value) -> Result<Value, RpcError> {
        if let Value::Object(o) = &params
            && !o.is_empty()
        {
            let reference: BlockReference = parse(params.clone())?;
            if self.resolve(&reference).is_none() {
                return Err(RpcBlockError::UnknownBlock {
                    error_message: format!("DB Not Found Error: {reference:?}"),
                }
                .into());
            }
        }
        let config = self.net.config();
        let runtime = localnet::runtime_config().as_ref().clone();
        let seats = &config.seats;
        let ratio = |r: localnet::Rate| json!([r.numerator, r.denominator]);
        let (inflation, treasury_rate, treasury) = match &config.rewards {
            localnet::Rewards::Inflation { max_inflation_rate, protocol_reward_rate, treasury } => {
                (ratio(*max_inflation_rate), ratio(*protocol_reward_rate), treasury.to_string())
            }
            // A fixed rate per epoch: no inflation rule.
            localnet::Rewards::PerEpoch(_) => (json!([0, 1]), json!([0, 1]), localnet::ROOT_ACCOUNT.to_string()),
        };
        answer(json!({
            "protocol_version": localnet::PROTOCOL_VERSION,
            "genesis_time": super::rfc3339(config.genesis_time_ns),
            "chain_id": "localnet",
            "genesis_height": 0,
            "num_block_producer_seats": seats.block_producers,
            "dynamic_resharding": false,
            "protocol_upgrade_stake_threshold": [4, 5],
            "epoch_length": config.epoch_length,
            "gas_limit": 1_000_000_000_000_000u64,
            "min_gas_price": config.gas_price.to_string(),
            "max_gas_price": config.gas_price.to_string(),
            "block_producer_kickout_threshold": 80,
            "chunk_producer_kickout_threshold": 80,
            "chunk_validator_only_kickout_threshold": 70,
            "target_validator_mandates_per_shard": 68,
            "online_min_threshold": [9, 10],
            "online_max_threshold": [99, 100],
            "gas_price_adjustment_rate": [0, 1],
            "runtime_config": near_parameters::view::RuntimeConfigView::from(runtime),
            "transaction_validity_period": config.transaction_validity_period,
            "protocol_reward_rate": treasury_rate,
            "max_inflation_rate": inflation,
            "num_blocks_per_year": 31_536_000_000_000_000u64 / config.block_time_ns.max(1),
            "protocol_treasury_account": treasury,
            "fishermen_threshold": "0",
            "minimum_stake_divisor": 10,
            "max_kickout_stake_perc": 100,
            "minimum_stake_ratio": ratio(seats.minimum_stake_ratio),
            "shuffle_shard_assignment_for_chunk_producers": false,
            "minimum_validators_per_shard": 1,
            "shard_layout": localnet::near_primitives::shard_layout::ShardLayout::single_shard(),
            "num_chunk_producer_seats": seats.chunk_producers,
            "num_chunk_validator_seats": seats.chunk_validators,
        }))
    }

    /// The validator sets with what each current validator produced of what it was expected
    /// to in this epoch so far: localnet expects blocks, chunks and endorsements of each
    /// validator in proportion to its stake, and a validator produces its uptime's share of them.
    fn validators(&self, _params: Value) -> Result<Value, RpcError> {
        let info = self.net.epoch_info();
        let epoch_length = self.net.config().epoch_length;
        let epoch_start = (self.net.epoch_height() - 1) * epoch_length;
        let blocks = u128::from(self.net.block_height() - epoch_start + 1);
        let total: u128 = info.current.values().sum();
        let stake_view = |(account_id, stake): (&localnet::AccountId, &u128)| {
            json!({
                "account_id": account_id, "public_key": localnet::account_key(account_id),
                "stake": stake.to_string(), "validator_stake_struct_version": "V1",
            })
        };
        let current: Vec<Value> = info
            .current
            .iter()
            .map(|(account_id, stake)| {
                let expected = (blocks * stake).checked_div(total).unwrap_or(0) as u64;
                let uptime = info.uptime.get(account_id).copied().unwrap_or(localnet::Rate::ONE);
                let produced = uptime.of(u128::from(expected)) as u64;
                json!({
                    "account_id": account_id, "public_key": localnet::account_key(account_id),
                    "is_slashed": false, "stake": stake.to_string(), "shards": [0], "shards_endorsed": [0],
                    "num_produced_blocks": produced, "num_expected_blocks": expected,
                    "num_produced_chunks": produced, "num_expected_chunks": expected,
                    "num_produced_chunks_per_shard": [produced], "num_expected_chunks_per_shard": [expected],
                    "num_produced_endorsements": produced, "num_expected_endorsements": expected,
                    "num_produced_endorsements_per_shard": [produced], "num_expected_endorsements_per_shard": [expected],
                })
            })
            .collect();
        let kickouts: Vec<Value> = info
            .kicked_out
            .iter()
            .map(|a| json!({"account_id": a, "reason": {"NotEnoughBlocks": {"produced": 0, "expected": epoch_length}}}))
            .collect();
        answer(json!({
            "current_validators": current,
            "next_validators": info.next.iter().map(|(a, s)| json!({"account_id": a, "public_key": localnet::account_key(a), "stake": s.to_string(), "shards": [0]})).collect::<Vec<_>>(),
            "current_fishermen": [],
            "next_fishermen": [],
            "current_proposals": info.proposals.iter().map(stake_view).collect::<Vec<_>>(),
            "prev_epoch_kickout": kickouts,
            "epoch_start_height": (self.net.epoch_height() - 1) * epoch_length,
            "epoch_height": self.net.epoch_height(),
        }))
    }

    fn send_tx(&mut self, params: Value) -> Reply {
        #[derive(serde::Deserialize)]
        struct Request {
            signed_tx_base64: String,
            #[serde(default)]
            wait_until: TxExecutionStatus,
        }
        match parse::<Request>(params)
            .and_then(|r| Ok((parse_signed(Value::String(r.signed_tx_base64))?, r.wait_until)))
        {
            Ok((signed, wait_until)) => self.submit(signed, wait_until),
            Err(e) => Reply::Now(Err(e)),
        }
    }

    /// The status of a transaction this node has seen, by its hash (any sender, as
    /// near-cli-rs sends "near") or by the signed transaction itself, once it has gone as far
    /// as `wait_until` asks (nearcore's default: `EXECUTED_OPTIMISTIC`); with `receipts`, the
    /// receipts it caused too (`EXPERIMENTAL_tx_status`).
    fn tx_status(&mut self, params: Value, receipts: bool) -> Reply {
        let request = || -> Result<(CryptoHash, TxExecutionStatus), RpcError> {
            Ok(match params {
                Value::Array(items) => match items.first() {
                    Some(Value::String(s)) if items.len() <= 2 => match s.parse::<CryptoHash>() {
                        Ok(hash) => (hash, TxExecutionStatus::default()),
                        Err(_) => (parse_signed(Value::String(s.clone()))?.get_hash(), TxExecutionStatus::default()),
                    },
                    _ => return Err(RpcError::parse_error("Expected [tx_hash, sender_account_id]".into())),
                },
                Value::Object(mut o) => {
                    let wait_until = match o.remove("wait_until") {
                        Some(value) => parse::<TxExecutionStatus>(value)?,
                        None => TxExecutionStatus::default(),
                    };
                    match (o.remove("tx_hash"), o.remove("signed_tx_base64")) {
                        (Some(hash), _) => (parse::<CryptoHash>(hash)?, wait_until),
                        (None, Some(signed)) => (parse_signed(signed)?.get_hash(), wait_until),
                        _ => return Err(RpcError::parse_error("Expected tx_hash or signed_tx_base64".into())),
                    }
                }
                _ => return Err(RpcError::parse_error("Expected an object or an array".into())),
            })
        };
        let (hash, wait_until) = match request() {
            Ok(request) => request,
            Err(e) => return Reply::Now(Err(e)),
        };
        if !self.txs.contains_key(&hash) {
            let error = RpcTransactionError::UnknownTransaction { requested_transaction_hash: hash };
            return Reply::Now(Err(error.into()));
        }
        self.wait(Pending::new(hash, wait_until, receipts))
    }

    fn fast_forward(&mut self, params: Value) -> Result<Value, RpcError> {
        #[derive(serde::Deserialize)]
        struct Request {
            delta_height: u64,
        }
        let Request { delta_height } = parse(params)?;
        self.produce_blocks(delta_height);
        answer(json!({}))
    }

    /// A test control, like anvil's: the share of its expected blocks, chunks and endorsements
    /// a validator produces from now on (below 80% at an epoch's end, it is kicked out).
    fn set_validator_uptime(&mut self, params: Value) -> Result<Value, RpcError> {
        #[derive(serde::Deserialize)]
        struct Request {
            account_id: localnet::AccountId,
            uptime_percent: u8,
        }
        let Request { account_id, uptime_percent } = parse(params)?;
        if uptime_percent > 100 {
            return Err(RpcError::parse_error(format!("uptime_percent {uptime_percent} is over 100")));
        }
        if !self.net.validators().contains_key(&account_id) {
            return Err(RpcError::parse_error(format!("{account_id} is not a current validator")));
        }
        self.record(super::journal::Event::SetUptime {
            account_id: account_id.to_string(),
            numerator: uptime_percent.into(),
            denominator: 100,
        });
        answer(json!({}))
    }

    /// A test control: the next requests to `methods` (default: all but these controls) fail
    /// as a flaky RPC provider's do, in this order: `errors` refused with an internal error
    /// before they are handled; `drops` handled, their answer cut off; `timeouts` handled and
    /// never answered (dropped a minute later).
    fn inject_faults(&mut self, params: Value) -> Result<Value, RpcError> {
        self.faults = parse(params)?;
        answer(json!({}))
    }

    /// Overwrites contract state, as nearcore's sandbox does; localnet takes `Data` records.
    fn patch_state(&mut self, params: Value) -> Result<Value, RpcError> {
        #[derive(serde::Deserialize)]
        struct Data {
            account_id: localnet::AccountId,
            data_key: StoreKey,
            value: StoreValue,
        }
        #[derive(serde::Deserialize)]
        enum Record {
            Data(Data),
        }
        #[derive(serde::Deserialize)]
        struct Request {
            records: Vec<Record>,
        }
        let Request { records } = parse(params)?;
        for Record::Data(data) in &records {
            if self.net.view_account(&data.account_id).is_none() {
                let (block_height, block_hash) = (self.net.block_height(), self.net.latest_block_hash());
                let requested_account_id = data.account_id.clone();
                return Err(RpcQueryError::UnknownAccount { requested_account_id, block_height, block_hash }.into());
            }
        }
        use base64::Engine;
        let encode = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        for Record::Data(data) in records {
            let (key, value) = (encode(data.data_key.as_ref()), encode(data.value.as_ref()));
            self.record(super::journal::Event::PatchState {
                account_id: data.account_id.to_string(),
                key_base64: key,
                value_base64: value,
            });
        }
        answer(json!({}))
    }

    /// The response for transaction `hash` as far as it has gone (`None`: never seen), with
    /// the receipts it caused if asked.
    pub fn outcome(&mut self, hash: &CryptoHash, receipts: bool) -> Option<RpcTransactionResponse> {
        let tx = self.txs.get_mut(hash)?;
        if tx.result.is_none()
            && let Some(result) = tx.handle.as_mut().and_then(|h| h.outcome())
        {
            tx.result = Some(result);
            tx.handle = None;
        }
        use localnet::near_primitives::views::FinalExecutionOutcomeViewEnum as Outcome;
        Some(match &tx.result {
            Some(result) => RpcTransactionResponse {
                final_execution_outcome: Some(if receipts {
                    Outcome::FinalExecutionOutcomeWithReceipt(views::final_outcome_with_receipts(
                        &self.net, &tx.signed, result,
                    ))
                } else {
                    Outcome::FinalExecutionOutcome(views::final_outcome(&self.net, &tx.signed, result))
                }),
                final_execution_status: TxExecutionStatus::Final,
            },
            None => RpcTransactionResponse {
                final_execution_outcome: None,
                final_execution_status: TxExecutionStatus::Included,
            },
        })
    }
}

/// The most data a query may carry with its path (nearcore's `QUERY_DATA_MAX_SIZE`).
const QUERY_DATA_MAX_SIZE: usize = 10 * 1024 * 1024;

/// nearcore's soft-deprecated positional query, `[path, data]`: `account/<id>`,
/// `access_key/<id>[/<public key>]`, `code/<id>`, `contract/<id>` (data: a key prefix) and
/// `call/<id>/<method>` (data: the arguments), data in base58, at the optimistic head.
fn legacy_query(items: Vec<Value>) -> Result<RpcQueryRequest, RpcError> {
    let (path, data) = match items.as_slice() {
        [Value::String(path), Value::String(data)] => (path.as_str(), data.as_str()),
        _ => return Err(RpcError::parse_error("Expected [path, data] or an object".into())),
    };
    let data = || {
        let bytes = bs58::decode(data).into_vec().map_err(|e| RpcError::parse_error(e.to_string()))?;
        if path.len() + bytes.len() > QUERY_DATA_MAX_SIZE {
            return Err(RpcError::parse_error(format!("Query data size {} is too large", path.len() + bytes.len())));
        }
        Ok(bytes)
    };
    let mut parts = path.splitn(3, '/');
    let missing = || RpcError::parse_error("Not enough query parameters provided".into());
    let command = parts.next().ok_or_else(missing)?;
    let account_id: localnet::AccountId =
        parts.next().ok_or_else(missing)?.parse().map_err(|e| RpcError::parse_error(format!("{e}")))?;
    let extra = parts.next();
    let request = match (command, extra) {
        ("account", _) => QueryRequest::ViewAccount { account_id },
        ("access_key", None) => QueryRequest::ViewAccessKeyList { account_id, after_key: None, limit: None },
        ("access_key", Some(key)) => QueryRequest::ViewAccessKey {
            account_id,
            public_key: key.parse().map_err(|_| RpcError::parse_error("Invalid public key".into()))?,
        },
        ("code", _) => QueryRequest::ViewCode { account_id },
        ("contract", _) => QueryRequest::ViewState {
            account_id,
            prefix: data()?.into(),
            include_proof: false,
            after_key: None,
            limit: None,
        },
        ("call", Some(method)) => {
            QueryRequest::CallFunction { account_id, method_name: method.to_string(), args: data()?.into() }
        }
        ("call", None) => return Err(RpcError::parse_error("Method name is missing".into())),
        (other, _) => return Err(RpcError::parse_error(format!("Unknown path {other}"))),
    };
    Ok(RpcQueryRequest { block_reference: BlockReference::Finality(Finality::None), request })
}

/// A base64 borsh `SignedTransaction`, as clients send it.
pub fn parse_signed(value: Value) -> Result<SignedTransaction, RpcError> {
    use base64::Engine;
    let Value::String(text) = value else {
        return Err(RpcError::parse_error("Expected a base64 string".into()));
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .map_err(|e| RpcError::parse_error(format!("Failed to decode transaction: {e}")))?;
    borsh::from_slice::<SignedTransaction>(&bytes)
        .map_err(|e| RpcError::parse_error(format!("Failed to decode transaction: {e}")))
}
