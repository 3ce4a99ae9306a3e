//! `lst node` spoken to by near-jsonrpc-client 0.23, the client near-cli-rs is built on: the
//! seed flow of NEAR's staking docs (deposit_and_stake 10 NEAR with 30 Tgas by a new account,
//! unstake_all, 4+ epochs with the built-in keeper cranking, withdraw_all) and nearcore's error
//! shapes.

use localnet::near_primitives::account::{AccessKey, AccessKeyPermission};
use localnet::near_primitives::action::{
    Action, AddKeyAction, CreateAccountAction, FunctionCallAction, TransferAction,
};
use localnet::near_primitives::errors::{InvalidTxError, TxExecutionError};
use localnet::near_primitives::hash::CryptoHash;
use localnet::near_primitives::transaction::{SignedTransaction, Transaction, TransactionV0};
use localnet::near_primitives::types::{Balance, BlockId, BlockReference, Finality, FunctionArgs, Gas};
use localnet::near_primitives::views::{
    ActionView, FinalExecutionOutcomeViewEnum, FinalExecutionStatus, QueryRequest, ReceiptEnumView, TxExecutionStatus,
};
use localnet::{AccountId, NEAR, TGAS};
use near_crypto::{KeyType, SecretKey};
use near_jsonrpc_client::errors::{JsonRpcError, JsonRpcServerError};
use near_jsonrpc_client::{JsonRpcClient, methods};
use near_jsonrpc_primitives::types::query::{QueryResponseKind, RpcQueryError};
use near_jsonrpc_primitives::types::transactions::RpcTransactionError;
use serde_json::{Value, json};

mod common;

const EPOCH_LENGTH: u64 = 20;

struct Client {
    rpc: JsonRpcClient,
    port: u16,
}

impl Client {
    fn start() -> (Client, AccountId, SecretKey) {
        Client::start_with(None)
    }

    fn start_with(state: Option<std::path::PathBuf>) -> (Client, AccountId, SecretKey) {
        let options = common::options(EPOCH_LENGTH, state);
        let (port, mut accounts) = lst::node::spawn(options);
        let url = format!("http://127.0.0.1:{port}");
        let (dev, key) = accounts.remove(0);
        (Client { rpc: JsonRpcClient::connect(&url), port }, dev, key)
    }

    async fn query(&self, request: QueryRequest) -> QueryResponseKind {
        let block_reference = BlockReference::Finality(Finality::Final);
        self.rpc.call(methods::query::RpcQueryRequest { block_reference, request }).await.unwrap().kind
    }

    async fn view(&self, method: &str, args: Value) -> Value {
        let request = QueryRequest::CallFunction {
            account_id: "lst.near".parse().unwrap(),
            method_name: method.into(),
            args: FunctionArgs::from(args.to_string().into_bytes()),
        };
        match self.query(request).await {
            QueryResponseKind::CallResult(r) => serde_json::from_slice(&r.result).unwrap(),
            other => panic!("not a call result: {other:?}"),
        }
    }

    async fn balance(&self, account_id: &AccountId) -> u128 {
        match self.query(QueryRequest::ViewAccount { account_id: account_id.clone() }).await {
            QueryResponseKind::ViewAccount(view) => view.amount.as_yoctonear(),
            other => panic!("not an account: {other:?}"),
        }
    }

    /// The key's nonce and the latest block hash, as a client reads them before signing.
    async fn next_nonce(&self, account_id: &AccountId, key: &SecretKey) -> (u64, CryptoHash) {
        let request = QueryRequest::ViewAccessKey { account_id: account_id.clone(), public_key: key.public_key() };
        let block_reference = BlockReference::Finality(Finality::Final);
        let response = self.rpc.call(methods::query::RpcQueryRequest { block_reference, request }).await.unwrap();
        match response.kind {
            QueryResponseKind::AccessKey(view) => (view.nonce + 1, response.block_hash),
            other => panic!("not an access key: {other:?}"),
        }
    }

    async fn sign(
        &self,
        signer: &AccountId,
        key: &SecretKey,
        receiver: &AccountId,
        actions: Vec<Action>,
    ) -> SignedTransaction {
        let (nonce, block_hash) = self.next_nonce(signer, key).await;
        sign(signer, key, nonce, receiver, block_hash, actions)
    }

    async fn send(&self, signed: SignedTransaction) -> FinalExecutionStatus {
        let request = methods::send_tx::RpcSendTransactionRequest {
            signed_transaction: signed,
            wait_until: TxExecutionStatus::Final,
        };
        let response = self.rpc.call(request).await.unwrap();
        assert_eq!(response.final_execution_status, TxExecutionStatus::Final);
        response.final_execution_outcome.unwrap().into_outcome().status
    }

    /// A raw JSON-RPC call, for what the typed client does not send.
    fn raw(&self, body: &str) -> Value {
        common::post(self.port, body)
    }
}

fn sign(
    signer: &AccountId,
    key: &SecretKey,
    nonce: u64,
    receiver: &AccountId,
    block_hash: CryptoHash,
    actions: Vec<Action>,
) -> SignedTransaction {
    let transaction = Transaction::V0(TransactionV0 {
        signer_id: signer.clone(),
        public_key: key.public_key(),
        nonce,
        receiver_id: receiver.clone(),
        block_hash,
        actions,
    });
    let (hash, _) = transaction.get_hash_and_size();
    SignedTransaction::new(key.sign(hash.as_ref()), transaction)
}

fn call(method: &str, args: Value, deposit: u128) -> Action {
    Action::FunctionCall(Box::new(FunctionCallAction {
        method_name: method.into(),
        args: args.to_string().into_bytes(),
        gas: Gas::from_gas(30 * TGAS),
        deposit: Balance::from_yoctonear(deposit),
    }))
}

#[tokio::test(flavor = "current_thread")]
async fn the_seed_flow_runs_through_near_jsonrpc_client() {
    let (client, dev, dev_key) = Client::start();
    let status = client.rpc.call(methods::status::RpcStatusRequest).await.unwrap();
    assert_eq!(status.chain_id, "localnet");
    // The latest block, by height and by hash.
    let (height, hash) = (status.sync_info.latest_block_height, status.sync_info.latest_block_hash);
    for block_id in [BlockId::Height(height), BlockId::Hash(hash)] {
        let request = methods::block::RpcBlockRequest { block_reference: BlockReference::BlockId(block_id) };
        let block = client.rpc.call(request).await.unwrap();
        assert_eq!((block.header.height, block.header.hash), (height, hash));
    }

    // A new account, created by the dev account with a full-access key of its own.
    let user: AccountId = "user.dev-0.near".parse().unwrap();
    let user_key = SecretKey::from_seed(KeyType::ED25519, "user");
    let create = vec![
        Action::CreateAccount(CreateAccountAction {}),
        Action::Transfer(TransferAction { deposit: Balance::from_yoctonear(20 * NEAR) }),
        Action::AddKey(Box::new(AddKeyAction {
            public_key: user_key.public_key(),
            access_key: AccessKey { nonce: 0, permission: AccessKeyPermission::FullAccess },
        })),
    ];
    let signed = client.sign(&dev, &dev_key, &user, create).await;
    assert!(matches!(client.send(signed).await, FinalExecutionStatus::SuccessValue(_)));
    assert_eq!(client.balance(&user).await, 20 * NEAR);

    let lst: AccountId = "lst.near".parse().unwrap();
    let signed = client.sign(&user, &user_key, &lst, vec![call("deposit_and_stake", json!({}), 10 * NEAR)]).await;
    let hash = signed.get_hash();
    assert!(matches!(client.send(signed).await, FinalExecutionStatus::SuccessValue(_)), "deposit_and_stake");
    // The same transaction with its receipts, as explorers and near-cli-rs's `transaction
    // view-status` read it: each receipt of the outcome, the first carrying the signed call.
    let request = methods::tx_status::RpcTransactionStatusRequest {
        transaction_info: methods::tx_status::TransactionInfo::TransactionId {
            tx_hash: hash,
            sender_account_id: user.clone(),
        },
        wait_until: TxExecutionStatus::Final,
    };
    let Some(FinalExecutionOutcomeViewEnum::FinalExecutionOutcomeWithReceipt(with_receipts)) =
        client.rpc.call(request).await.unwrap().final_execution_outcome
    else {
        panic!("an outcome with receipts")
    };
    let ids: Vec<_> = with_receipts.receipts.iter().map(|r| r.receipt_id).collect();
    let outcome_ids: Vec<_> = with_receipts.final_outcome.receipts_outcome.iter().map(|o| o.id).collect();
    assert_eq!(ids, outcome_ids);
    let first = &with_receipts.receipts[0];
    assert_eq!((first.predecessor_id.as_str(), first.receiver_id.as_str()), (user.as_str(), "lst.near"));
    let ReceiptEnumView::Action { signer_id, actions, input_data_ids, .. } = &first.receipt else {
        panic!("an action receipt")
    };
    assert_eq!((signer_id, input_data_ids.len()), (&user, 0));
    assert_eq!(
        actions,
        &vec![ActionView::FunctionCall {
            method_name: "deposit_and_stake".into(),
            args: b"{}".to_vec().into(),
            gas: Gas::from_gas(30 * TGAS),
            deposit: Balance::from_yoctonear(10 * NEAR),
        }]
    );
    // The unused gas goes back to the signer in a refund from the system account.
    assert!(with_receipts.receipts.iter().any(|r| r.predecessor_id.as_str() == "system" && r.receiver_id == user));
    // Its name before nearcore 2.14 answers the same.
    let params = json!({"tx_hash": hash, "sender_account_id": user, "wait_until": "FINAL"});
    let experimental = client
        .raw(&json!({"jsonrpc": "2.0", "id": 1, "method": "EXPERIMENTAL_tx_status", "params": params}).to_string());
    let mut expected = serde_json::to_value(&with_receipts).unwrap();
    expected["final_execution_status"] = json!("FINAL");
    assert_eq!(experimental["result"], expected);
    let account = client.view("get_account", json!({"account_id": user})).await;
    let staked: u128 = account["staked_balance"].as_str().unwrap().parse().unwrap();
    // A first deposit pays for the holder's storage out of the 10 NEAR (about 0.001 NEAR).
    assert!(staked < 10 * NEAR && staked > 10 * NEAR - NEAR / 100, "{account}");

    let signed = client.sign(&user, &user_key, &lst, vec![call("unstake_all", json!({}), 0)]).await;
    assert!(matches!(client.send(signed).await, FinalExecutionStatus::SuccessValue(_)), "unstake_all");
    let unstaked: u128 = client
        .view("get_account_unstaked_balance", json!({"account_id": user}))
        .await
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(unstaked, staked);
    assert_eq!(client.view("is_account_unstaked_balance_available", json!({"account_id": user})).await, json!(false));

    // Four epochs and more, with the node's keeper cranking at each.
    let request = methods::sandbox_fast_forward::RpcSandboxFastForwardRequest { delta_height: 5 * EPOCH_LENGTH };
    client.rpc.call(request).await.unwrap();
    assert_eq!(client.view("is_account_unstaked_balance_available", json!({"account_id": user})).await, json!(true));
    let before = client.balance(&user).await;
    let signed = client.sign(&user, &user_key, &lst, vec![call("withdraw_all", json!({}), 0)]).await;
    assert!(matches!(client.send(signed).await, FinalExecutionStatus::SuccessValue(_)), "withdraw_all");
    let after = client.balance(&user).await;
    assert!(after > before + unstaked - NEAR / 100, "{before} -> {after}");
    assert_eq!(client.view("get_account_unstaked_balance", json!({"account_id": user})).await, json!("0"));
}

#[tokio::test(flavor = "current_thread")]
async fn errors_have_nearcore_shapes() {
    let (client, dev, dev_key) = Client::start();
    // A nonce already used: INVALID_TRANSACTION with both nonces.
    let (nonce, block_hash) = client.next_nonce(&dev, &dev_key).await;
    let transfer = |n: u64, amount: u128| {
        let action = Action::Transfer(TransferAction { deposit: Balance::from_yoctonear(amount) });
        sign(&dev, &dev_key, n, &"near".parse().unwrap(), block_hash, vec![action])
    };
    client.send(transfer(nonce, 1)).await;
    let request = methods::send_tx::RpcSendTransactionRequest {
        signed_transaction: transfer(nonce, 2),
        wait_until: TxExecutionStatus::Final,
    };
    match client.rpc.call(request).await {
        Err(JsonRpcError::ServerError(JsonRpcServerError::HandlerError(RpcTransactionError::InvalidTransaction {
            context,
        }))) => assert_eq!(context, InvalidTxError::InvalidNonce { tx_nonce: nonce, ak_nonce: nonce }),
        other => panic!("expected InvalidNonce, got {other:?}"),
    }
    // The same error as JSON: nearcore's name, cause, code, message and data.
    let tx = transfer(nonce, 3);
    let body = json!({"jsonrpc": "2.0", "id": "x", "method": "broadcast_tx_commit", "params": [base64(&tx)]});
    let response = client.raw(&body.to_string());
    let error = &response["error"];
    assert_eq!(error["name"], "HANDLER_ERROR");
    assert_eq!(error["cause"]["name"], "INVALID_TRANSACTION");
    assert_eq!(error["code"], -32000);
    assert_eq!(error["message"], "Server error");
    let expected = TxExecutionError::InvalidTxError(InvalidTxError::InvalidNonce { tx_nonce: nonce, ak_nonce: nonce });
    assert_eq!(error["data"], json!({"TxExecutionError": expected}));

    // An account that does not exist: UNKNOWN_ACCOUNT.
    let request = methods::query::RpcQueryRequest {
        block_reference: BlockReference::Finality(Finality::Final),
        request: QueryRequest::ViewAccount { account_id: "nobody.near".parse().unwrap() },
    };
    match client.rpc.call(request).await {
        Err(JsonRpcError::ServerError(JsonRpcServerError::HandlerError(RpcQueryError::UnknownAccount {
            requested_account_id,
            ..
        }))) => assert_eq!(requested_account_id.as_str(), "nobody.near"),
        other => panic!("expected UNKNOWN_ACCOUNT, got {other:?}"),
    }

    // Unknown methods and malformed JSON, answered with HTTP 200 and nearcore's errors.
    let response = client.raw(r#"{"jsonrpc":"2.0","id":1,"method":"no_such_method","params":{}}"#);
    assert_eq!(
        response["error"]["cause"],
        json!({"name": "METHOD_NOT_FOUND", "info": {"method_name": "no_such_method"}})
    );
    assert_eq!(response["error"]["code"], -32601);
    let response = client.raw("{not json");
    assert_eq!(response["error"]["name"], "REQUEST_VALIDATION_ERROR");
    assert_eq!(response["error"]["cause"]["name"], "PARSE_ERROR");
    // None of that changed anything: the nonce is the one the first transfer used.
    assert_eq!(client.next_nonce(&dev, &dev_key).await.0, nonce + 1);
}

/// A node restarted on the same state directory has every account, balance, key nonce and
/// claim of the one before, and its transactions.
#[tokio::test(flavor = "current_thread")]
async fn a_restarted_node_continues_from_its_state_directory() {
    let dir = std::env::temp_dir().join(format!("lst-node-state-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (first, dev, dev_key) = Client::start_with(Some(dir.clone()));
    let lst: AccountId = "lst.near".parse().unwrap();
    let signed = first.sign(&dev, &dev_key, &lst, vec![call("deposit_and_stake", json!({}), 10 * NEAR)]).await;
    let hash = signed.get_hash();
    first.send(signed).await;
    let signed = first.sign(&dev, &dev_key, &lst, vec![call("unstake", json!({"amount": NEAR.to_string()}), 0)]).await;
    first.send(signed).await;
    let request = methods::sandbox_fast_forward::RpcSandboxFastForwardRequest { delta_height: 7 };
    first.rpc.call(request).await.unwrap();
    let account = json!({"account_id": dev});
    let before = (
        first.balance(&dev).await,
        first.next_nonce(&dev, &dev_key).await,
        first.view("get_account", account.clone()).await,
        first.view("get_total_staked_balance", json!({})).await,
    );

    let (second, _, _) = Client::start_with(Some(dir.clone()));
    let after = (
        second.balance(&dev).await,
        second.next_nonce(&dev, &dev_key).await,
        second.view("get_account", account).await,
        second.view("get_total_staked_balance", json!({})).await,
    );
    assert_eq!(after, before);
    let request = methods::tx::RpcTransactionStatusRequest {
        transaction_info: methods::tx::TransactionInfo::TransactionId {
            tx_hash: hash,
            sender_account_id: "near".parse().unwrap(),
        },
        wait_until: TxExecutionStatus::Final,
    };
    let status = second.rpc.call(request).await.unwrap();
    assert!(matches!(
        status.final_execution_outcome.unwrap().into_outcome().status,
        FinalExecutionStatus::SuccessValue(_)
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Bad input gets nearcore's errors and changes nothing; the node keeps serving.
#[tokio::test(flavor = "current_thread")]
async fn bad_input_changes_nothing() {
    let (client, dev, dev_key) = Client::start();
    let height = |c: &Client| {
        c.raw(r#"{"jsonrpc":"2.0","id":0,"method":"block","params":{"finality":"final"}}"#)["result"]["header"]["height"].as_u64().unwrap()
    };
    let before = (height(&client), client.balance(&dev).await, client.next_nonce(&dev, &dev_key).await);
    let bad = [
        r#"{"jsonrpc":"2.0","id":1,"method":"send_tx","params":{"signed_tx_base64":"%%%"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"send_tx","params":{"signed_tx_base64":"AAAA"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"broadcast_tx_commit","params":[42]}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"query","params":{"request_type":"view_account"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"query","params":{"request_type":"view_account","account_id":"x","finality":"final"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"block","params":{"block_id":999999}}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"sandbox_fast_forward","params":{"delta_height":"many"}}"#,
        r#"[1,2,3]"#,
    ];
    for body in bad {
        let response = client.raw(body);
        assert!(response["error"]["name"].is_string(), "{body}: {response}");
        assert!(response["error"]["cause"]["name"].is_string(), "{body}: {response}");
    }
    // An invalid signature: INVALID_TRANSACTION.
    let (nonce, block_hash) = client.next_nonce(&dev, &dev_key).await;
    let mut forged = sign(&dev, &dev_key, nonce, &dev, block_hash, vec![call("x", json!({}), 0)]);
    forged.signature = SecretKey::from_seed(KeyType::ED25519, "other").sign(forged.get_hash().as_ref());
    let response = client.raw(
        &json!({"jsonrpc": "2.0", "id": 2, "method": "broadcast_tx_commit", "params": [base64(&forged)]}).to_string(),
    );
    assert_eq!(response["error"]["cause"]["name"], "INVALID_TRANSACTION");
    assert_eq!(response["error"]["data"], json!({"TxExecutionError": {"InvalidTxError": "InvalidSignature"}}));
    // An oversized body.
    let huge = format!(r#"{{"jsonrpc":"2.0","id":3,"method":"status","params":["{}"]}}"#, "a".repeat(11 * 1024 * 1024));
    assert_eq!(client.raw(&huge)["error"]["cause"]["name"], "PARSE_ERROR");
    let after = (height(&client), client.balance(&dev).await, client.next_nonce(&dev, &dev_key).await);
    assert_eq!(after, before);
}

fn base64(tx: &SignedTransaction) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(localnet::near_primitives::borsh::to_vec(tx).unwrap())
}

/// A bounded load on loopback: 8 clients at once, 250 requests each (queries, blocks, bad
/// JSON, unknown methods); every request is answered and the node keeps serving.
#[tokio::test(flavor = "current_thread")]
async fn the_node_keeps_serving_under_load() {
    let (client, dev, dev_key) = Client::start();
    let port = client.port;
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let dev = dev.clone();
            std::thread::spawn(move || {
                let bodies = [
                    json!({"jsonrpc": "2.0", "id": w, "method": "query", "params": {"request_type": "view_account", "account_id": dev, "finality": "final"}}).to_string(),
                    json!({"jsonrpc": "2.0", "id": w, "method": "block", "params": {"finality": "final"}}).to_string(),
                    "{broken".to_string(),
                    json!({"jsonrpc": "2.0", "id": w, "method": "nope", "params": []}).to_string(),
                ];
                let mut answered = 0;
                for i in 0..250 {
                    let response = common::post(port, &bodies[i % bodies.len()]);
                    if response.get("result").is_some() || response.get("error").is_some() {
                        answered += 1;
                    }
                }
                answered
            })
        })
        .collect();
    let answered: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert_eq!(answered, 8 * 250);
    // Still serving: a transaction goes through.
    let action = Action::Transfer(TransferAction { deposit: Balance::from_yoctonear(1) });
    let signed = client.sign(&dev, &dev_key, &"near".parse().unwrap(), vec![action]).await;
    assert!(matches!(client.send(signed).await, FinalExecutionStatus::SuccessValue(_)));
}

/// nearcore's positional `[path, data]` queries (data in base58), still sent by older clients.
#[tokio::test(flavor = "current_thread")]
async fn positional_queries_answer_like_object_queries() {
    let (client, dev, dev_key) = Client::start();
    let query = |path: String, data: &[u8]| {
        let body =
            json!({"jsonrpc": "2.0", "id": 1, "method": "query", "params": [path, bs58::encode(data).into_string()]});
        client.raw(&body.to_string())
    };
    let account = query(format!("account/{dev}"), b"");
    assert_eq!(account["result"]["amount"], client.balance(&dev).await.to_string());
    let key = query(format!("access_key/{dev}/{}", dev_key.public_key()), b"");
    assert_eq!(key["result"]["nonce"], client.next_nonce(&dev, &dev_key).await.0 - 1);
    let keys = query(format!("access_key/{dev}"), b"");
    assert_eq!(keys["result"]["keys"][0]["public_key"], dev_key.public_key().to_string());
    let staked = query("call/lst.near/get_total_staked_balance".into(), b"{}");
    let bytes: Vec<u8> = serde_json::from_value(staked["result"]["result"].clone()).unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&bytes).unwrap(),
        client.view("get_total_staked_balance", json!({})).await
    );
    assert_eq!(
        query("code/lst.near".into(), b"")["result"]["hash"],
        query("code/lst.near".into(), b"")["result"]["hash"]
    );
    assert!(query("code/lst.near".into(), b"")["result"]["code_base64"].as_str().unwrap().len() > 100_000);
    // Malformed paths: nearcore's parse errors.
    for (path, message) in [
        ("nope/lst.near", "Unknown path nope"),
        ("call/lst.near", "Method name is missing"),
        ("account", "Not enough query parameters provided"),
    ] {
        let error = &query(path.into(), b"")["error"];
        assert_eq!(error["cause"]["name"], "PARSE_ERROR", "{path}");
        assert!(error["data"].as_str().unwrap().contains(message), "{path}: {error}");
    }
}

/// `tx` waits until the transaction has gone as far as asked: a transaction sent with
/// `broadcast_tx_async` to a node producing a block every 100 ms is answered once it is final.
#[tokio::test(flavor = "current_thread")]
async fn tx_waits_for_the_status_asked() {
    let options =
        lst::node::Options { block_time: std::time::Duration::from_millis(100), ..common::options(EPOCH_LENGTH, None) };
    let (port, mut accounts) = lst::node::spawn(options);
    let client = Client { rpc: JsonRpcClient::connect(format!("http://127.0.0.1:{port}")), port };
    let (dev, dev_key) = accounts.remove(0);
    let lst: AccountId = "lst.near".parse().unwrap();
    let signed = client.sign(&dev, &dev_key, &lst, vec![call("deposit_and_stake", json!({}), 10 * NEAR)]).await;
    let hash = signed.get_hash();
    let request = methods::broadcast_tx_async::RpcBroadcastTxAsyncRequest { signed_transaction: signed };
    assert_eq!(client.rpc.call(request).await.unwrap(), hash);
    let request = methods::tx::RpcTransactionStatusRequest {
        transaction_info: methods::tx::TransactionInfo::TransactionId { tx_hash: hash, sender_account_id: dev.clone() },
        wait_until: TxExecutionStatus::Final,
    };
    let response = client.rpc.call(request).await.unwrap();
    assert_eq!(response.final_execution_status, TxExecutionStatus::Final);
    let outcome = response.final_execution_outcome.unwrap().into_outcome();
    assert!(matches!(outcome.status, FinalExecutionStatus::SuccessValue(_)), "{outcome:?}");
    // The deposit's receipt and its callbacks ran in later blocks than the transaction.
    let tx_block = outcome.transaction_outcome.block_hash;
    assert!(outcome.receipts_outcome.iter().all(|r| r.block_hash != tx_block));
}
