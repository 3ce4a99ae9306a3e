//! Access keys, nonces and signatures as nearcore checks a signed transaction (near-primitives'
//! borsh, as wallets and near-cli-rs send it): the signature, a recent block hash, a nonce above
//! the key's and below the height's bound, and what a function-call key may sign and spend.
mod common;

use common::*;
use localnet::near_primitives::account::{AccessKey, AccessKeyPermission, FunctionCallPermission};
use localnet::near_primitives::action::{Action, AddKeyAction, FunctionCallAction, TransferAction};
use localnet::{Config, KeyPermission, Localnet, NEAR, PublicKey, TGAS};
use near_crypto::{KeyType, SecretKey};
use near_primitives_core::types::{Balance, Gas};

fn transfer(yocto: u128) -> Vec<Action> {
    vec![Action::Transfer(TransferAction { deposit: Balance::from_yoctonear(yocto) })]
}

fn nonce(net: &Localnet, account: &localnet::Account, key: &PublicKey) -> u64 {
    net.access_key(account.id(), key).expect("the key exists").nonce
}

#[test]
fn a_signed_transfer_runs_once_and_its_nonce_cannot_be_replayed() {
    let net = Localnet::new();
    let (alice, bob) = (net.create_account("alice", near(10)), net.create_account("bob", near(1)));
    let key = alice.secret_key();
    let ak_nonce = nonce(&net, &alice, &key.public_key());
    // A key added in block h starts at (h - 1) * 10^6.
    assert_eq!(ak_nonce % 1_000_000, 0);
    let signed = alice.sign(&key, ak_nonce + 1, bob.id(), transfer(NEAR));
    let out = net.submit_signed(&signed).wait();
    assert!(out.is_success(), "{:?}", out.failure());
    assert_eq!(bob.balance(), near(2));
    assert_eq!(nonce(&net, &alice, &key.public_key()), ak_nonce + 1);
    let replay = net.submit_signed(&signed).wait();
    let used = ak_nonce + 1;
    assert_eq!(replay.error(), Some(&invalid_tx(InvalidTxError::InvalidNonce { tx_nonce: used, ak_nonce: used })));
    // nearcore's message.
    let expected = format!("Transaction nonce {used} must be larger than nonce of the used access key {used}");
    assert_eq!(replay.failure(), Some(expected.as_str()));
    assert_eq!(bob.balance(), near(2));
    // A test's own transactions use the next nonce of the same key.
    alice.transfer(bob.id(), 1);
    assert_eq!(nonce(&net, &alice, &key.public_key()), used + 1);
}

#[test]
fn bad_signatures_unknown_keys_and_block_hashes_are_refused_and_change_nothing() {
    let net = Localnet::with_config(Config { transaction_validity_period: 10, ..Default::default() });
    let (alice, bob) = (net.create_account("alice", near(10)), net.create_account("bob", near(1)));
    let key = alice.secret_key();
    let next = nonce(&net, &alice, &key.public_key()) + 1;
    let before = alice.balance();
    let refused = |signed| net.submit_signed(&signed).wait().error().cloned();

    // Signed by another key than the one it names.
    let mut forged = alice.sign(&key, next, bob.id(), transfer(NEAR));
    forged.signature = bob.secret_key().sign(forged.get_hash().as_ref());
    assert_eq!(refused(forged), Some(invalid_tx(InvalidTxError::InvalidSignature)));

    let stranger = SecretKey::from_seed(KeyType::ED25519, "stranger");
    let public_key = Box::new(stranger.public_key());
    let missing = InvalidAccessKeyError::AccessKeyNotFound { account_id: alice.id().clone(), public_key };
    let expected = invalid_tx(InvalidTxError::InvalidAccessKeyError(missing));
    assert_eq!(refused(alice.sign(&stranger, next, bob.id(), transfer(NEAR))), Some(expected));

    // The height bounds the nonce: below (h + 1) * 10^6 for the block that includes it.
    let bound = (net.block_height() + 1) * 1_000_000;
    let expected = invalid_tx(InvalidTxError::NonceTooLarge { tx_nonce: bound, upper_bound: bound });
    assert_eq!(refused(alice.sign(&key, bound, bob.id(), transfer(NEAR))), Some(expected));

    let mut elsewhere = alice.sign(&key, next, bob.id(), transfer(NEAR));
    elsewhere.transaction = match elsewhere.transaction {
        localnet::near_primitives::transaction::Transaction::V0(mut t) => {
            t.block_hash = near_primitives_core::hash::CryptoHash::hash_bytes(b"another chain");
            localnet::near_primitives::transaction::Transaction::V0(t)
        }
        other => other,
    };
    let elsewhere =
        SignedTransaction::new(key.sign(elsewhere.transaction.get_hash_and_size().0.as_ref()), elsewhere.transaction);
    assert_eq!(refused(elsewhere), Some(invalid_tx(InvalidTxError::InvalidChain)));

    let old = alice.sign(&key, next, bob.id(), transfer(NEAR));
    net.fast_forward(11);
    assert_eq!(refused(old), Some(invalid_tx(InvalidTxError::Expired)));
    assert_eq!(alice.balance(), before);
    assert_eq!(nonce(&net, &alice, &key.public_key()), next - 1);
}

use localnet::near_primitives::transaction::SignedTransaction;

#[test]
fn a_function_call_key_signs_only_its_calls_and_pays_from_its_allowance() {
    let net = Localnet::new();
    let counter = deploy(&net, "counter", near(10));
    let alice = net.create_account("alice", near(10));
    let full = alice.secret_key();
    let limited = SecretKey::from_seed(KeyType::ED25519, "alice's app");
    let allowance = NEAR / 10;
    let permission = FunctionCallPermission {
        allowance: Some(Balance::from_yoctonear(allowance)),
        receiver_id: counter.id().to_string(),
        method_names: vec!["increment".into()],
    };
    let add = Action::AddKey(Box::new(AddKeyAction {
        public_key: limited.public_key(),
        access_key: AccessKey { nonce: 0, permission: AccessKeyPermission::FunctionCall(permission) },
    }));
    let next = nonce(&net, &alice, &full.public_key()) + 1;
    let out = net.submit_signed(&alice.sign(&full, next, alice.id(), vec![add])).wait();
    assert!(out.is_success(), "{:?}", out.failure());
    let added = net.access_key(alice.id(), &limited.public_key()).unwrap();
    // Added in the block that ran the AddKey: its nonce range starts there.
    assert_eq!(added.nonce, (out.receipts[0].block_height - 1) * 1_000_000);
    assert_eq!(
        added.permission,
        KeyPermission::FunctionCall {
            allowance: Some(allowance),
            receiver_id: counter.id().to_string(),
            method_names: vec!["increment".into()]
        }
    );

    let call = |method: &str, deposit: u128, gas: u64| {
        vec![Action::FunctionCall(Box::new(FunctionCallAction {
            method_name: method.into(),
            args: br#"{"by":1}"#.to_vec(),
            gas: Gas::from_gas(gas),
            deposit: Balance::from_yoctonear(deposit),
        }))]
    };
    let mut n = added.nonce;
    let mut sign = |receiver: &localnet::AccountId, actions| {
        n += 1;
        alice.sign(&limited, n, receiver, actions)
    };
    // The allowed call: the signer's balance and the key's allowance pay the same cost.
    let (balance, submitted) =
        (alice.balance(), net.submit_signed(&sign(counter.id(), call("increment", 0, 5 * TGAS))));
    net.produce_block();
    let paid = balance - alice.balance();
    let KeyPermission::FunctionCall { allowance: Some(left), .. } =
        net.access_key(alice.id(), &limited.public_key()).unwrap().permission
    else {
        panic!("the key keeps its allowance")
    };
    assert_eq!(left, allowance - paid);
    assert!(submitted.wait().is_success());
    assert_eq!(counter.view("get").json::<i64>(), 1);

    let refused = |signed: SignedTransaction| net.submit_signed(&signed).wait().error().cloned();
    let key_error = |e: InvalidAccessKeyError| Some(invalid_tx(InvalidTxError::InvalidAccessKeyError(e)));
    assert_eq!(refused(sign(counter.id(), transfer(1))), key_error(InvalidAccessKeyError::RequiresFullAccess));
    assert_eq!(
        refused(sign(counter.id(), call("increment", 1, 5 * TGAS))),
        key_error(InvalidAccessKeyError::DepositWithFunctionCall)
    );
    assert_eq!(
        refused(sign(counter.id(), call("donate", 0, 5 * TGAS))),
        key_error(InvalidAccessKeyError::MethodNameMismatch { method_name: "donate".into() })
    );
    assert_eq!(
        refused(sign(alice.id(), call("increment", 0, 5 * TGAS))),
        key_error(InvalidAccessKeyError::ReceiverMismatch {
            tx_receiver: id("alice.near"),
            ak_receiver: "counter.near".into()
        })
    );
    // 300 Tgas at 10^9 yocto/gas is 0.3 NEAR: more than the allowance left.
    let Some(TxExecutionError::InvalidTxError(InvalidTxError::InvalidAccessKeyError(
        InvalidAccessKeyError::NotEnoughAllowance { account_id, public_key, allowance, cost },
    ))) = refused(sign(counter.id(), call("increment", 0, 300 * TGAS)))
    else {
        panic!("refused for its allowance")
    };
    assert_eq!((account_id, *public_key, allowance), (id("alice.near"), limited.public_key(), yocto(left)));
    assert!(cost.as_yoctonear() > 300 * TGAS as u128 * 1_000_000_000, "{cost}");
    assert_eq!(counter.view("get").json::<i64>(), 1);
}
