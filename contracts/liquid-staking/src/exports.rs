//! The contract's interface: every method it exports, each parsing its JSON arguments and
//! writing its JSON result around the logic in the other modules.

use crate::config::{
    Change, Config, DEFAULT_DRAIN_AFTER_EPOCHS, DEFAULT_EPOCH_BLOCKS, DEFAULT_REWARD_RATE, Fraction, LiquidityConfig,
    TokenMetadata,
};
use crate::errors;
use crate::json::{self, Args};
use crate::promise;
use crate::state::Totals;
use crate::{access, crank, governance, history, liquidity, staking, state, storage, token, validators, views};
use near_sdk::Gas;
use near_sdk::env;

/// Exports `fn $name()` as a contract method (an unmangled symbol in the wasm), with near-sdk's
/// panic hook so a Rust panic reports its message.
macro_rules! export {
    ($($(#[$doc:meta])* fn $name:ident() $body:block)*) => {$(
        $(#[$doc])*
        #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
        pub extern "C" fn $name() {
            env::setup_panic_hook();
            $body
        }
    )*};
}

fn ret_u128(value: u128) {
    json::ret(&json::u128(value));
}

fn ret_bool(value: bool) {
    json::ret(if value { "true" } else { "false" });
}

/// Standards this contract implements (NEP-330's `contract_source_metadata`).
const SOURCE_METADATA: &str = concat!(
    r#"{"version":""#,
    env!("CARGO_PKG_VERSION"),
    r#"","link":null,"standards":[{"standard":"nep141","version":"1.0.0"},"#,
    r#"{"standard":"nep145","version":"1.0.0"},{"standard":"nep148","version":"1.0.0"},"#,
    r#"{"standard":"nep297","version":"1.0.0"},{"standard":"nep330","version":"1.2.0"}]}"#
);

export! {
    /// `new(owner_id, treasury_id, reward_fee, metadata, manager_id?, whitelist_id?,
    /// max_reward_rate?, drain_after_epochs?, instant_unstake?: {target, min_fee_bps,
    /// max_fee_bps, treasury_share_bps, unstake_threshold})`, with the seed stake attached.
    fn new() {
        let args = Args::input();
        let owner_id = args.account("owner_id");
        let config = Config {
            treasury_id: args.account("treasury_id"),
            reward_fee: Fraction::from_args(&args.object("reward_fee")),
            manager_id: args.opt_account("manager_id").unwrap_or_else(|| owner_id.clone()),
            whitelist_id: args.opt_account("whitelist_id"),
            max_reward_rate: args.opt_object("max_reward_rate").map_or(DEFAULT_REWARD_RATE, |f| Fraction::from_args(&f)),
            drain_after_epochs: args.opt_u64("drain_after_epochs").unwrap_or(DEFAULT_DRAIN_AFTER_EPOCHS),
            epoch_blocks: args.opt_u64("epoch_blocks").unwrap_or(DEFAULT_EPOCH_BLOCKS),
            guardian_id: args.opt_account("guardian_id").unwrap_or_else(|| owner_id.clone()),
            pending_owner_id: None,
            guardian_paused_at: None,
            owner_paused_until: 0,
            scheduled: vec![],
            owner_id,
        };
        let instant_unstake = args.opt_object("instant_unstake").map(|a| LiquidityConfig::from_args(&a));
        governance::init(config, TokenMetadata::from_args(&args.object("metadata")), instant_unstake.unwrap_or_default());
    }

    // Validators and the epoch crank.

    /// Manager, 1 yocto: `add_validator(account_id, weight, base_stake?)`. With a whitelist, the
    /// validator is added once the whitelist confirms it.
    fn add_validator() {
        access::assert_manager(&Config::load());
        let args = Args::input();
        let (account_id, weight) = (args.account("account_id"), args.u32("weight"));
        let base_stake = args.opt_u128("base_stake").unwrap_or(0);
        match Config::load().whitelist_id {
            None => validators::add(account_id, weight, base_stake),
            Some(whitelist) => {
                let check = format!(r#"{{"staking_pool_account_id":"{account_id}"}}"#);
                let then = format!(r#"{{"account_id":"{account_id}","weight":{weight},"base_stake":"{base_stake}"}}"#);
                let call = promise::call(&whitelist, "is_whitelisted", check.as_bytes(), 0, Gas::from_tgas(5));
                let then = promise::then_self(call, "on_whitelist_check", then.as_bytes(), Gas::from_tgas(5));
                env::promise_return(then);
            }
        }
    }

    /// Callback of `add_validator`: adds the validator if the whitelist answered `true`.
    fn on_whitelist_check() {
        access::assert_self(errors::access::WHITELIST_CALLBACK_PRIVATE);
        let whitelisted = env::promise_result_checked(0, 8).is_ok_and(|answer| answer == b"true");
        if whitelisted {
            let args = Args::input();
            validators::add(args.account("account_id"), args.u32("weight"), args.u128("base_stake"));
        }
        ret_bool(whitelisted);
    }

    /// Manager, 1 yocto: `update_validator(account_id, weight, base_stake?)`.
    fn update_validator() {
        access::assert_manager(&Config::load());
        let args = Args::input();
        validators::update(&args.account("account_id"), args.u32("weight"), args.opt_u128("base_stake").unwrap_or(0));
    }

    /// Manager, 1 yocto: removes a validator that holds nothing.
    fn remove_validator() {
        access::assert_manager(&Config::load());
        validators::remove(&Args::input().account("account_id"));
    }

    /// Anyone: works on the validators that need it; returns how many it worked on.
    fn crank() {
        json::ret(&crank::crank().to_string());
    }

    fn on_sync() {
        crank::on_sync();
    }

    fn on_action() {
        crank::on_action();
    }

    fn on_reconcile() {
        crank::on_reconcile();
    }

    // Governance.

    /// Owner, 1 yocto: `set_reward_fee({numerator, denominator})`, from 2 epochs on.
    fn set_reward_fee() {
        governance::schedule(Change::RewardFee(Fraction::from_args(&Args::input())));
    }

    /// Owner, 1 yocto: `set_max_reward_rate({numerator, denominator})`, from 2 epochs on.
    fn set_max_reward_rate() {
        governance::schedule(Change::MaxRewardRate(Fraction::from_args(&Args::input())));
    }

    /// Owner, 1 yocto: `set_drain_after_epochs(epochs)`, from 2 epochs on.
    fn set_drain_after_epochs() {
        governance::schedule(Change::DrainAfterEpochs(Args::input().u64("epochs")));
    }

    /// Owner, 1 yocto: `set_instant_unstake({target?, min_fee_bps?, ...})`, from 2 epochs on.
    fn set_instant_unstake() {
        governance::schedule_instant_unstake(LiquidityConfig::from_args(&Args::input()));
    }

    /// Owner, 1 yocto: `set_role(role, account_id)` for the manager, guardian or treasury.
    fn set_role() {
        let args = Args::input();
        governance::set_role(&args.string("role"), args.account("account_id"));
    }

    /// Owner, 1 yocto: `propose_owner(account_id)`.
    fn propose_owner() {
        governance::propose_owner(Args::input().account("account_id"));
    }

    /// The proposed owner, 1 yocto.
    fn accept_owner() {
        governance::accept_owner();
    }

    /// Guardian or owner, 1 yocto.
    fn pause() {
        governance::pause();
    }

    /// Owner, 1 yocto: `extend_pause(until_epoch)`.
    fn extend_pause() {
        governance::extend_pause(Args::input().u64("until_epoch"));
    }

    /// Guardian or owner, 1 yocto.
    fn unpause() {
        governance::unpause();
    }

    /// Owner, 1 yocto, the new wasm as the input: deploys it and migrates the state atomically.
    fn upgrade() {
        governance::upgrade();
    }

    /// Called by `upgrade` only.
    fn migrate() {
        governance::migrate();
    }

    fn get_roles() {
        json::ret(&governance::roles_json());
    }

    fn get_pending_changes() {
        json::ret(&governance::pending_json());
    }

    // Instant unstake.

    /// `instant_unstake(amount, min_expected_near)`: sells `amount` tokens for NEAR now, at the
    /// price less the pool's fee; returns the NEAR paid.
    fn instant_unstake() {
        let args = Args::input();
        ret_u128(liquidity::instant_unstake(args.u128("amount"), args.opt_u128("min_expected_near").unwrap_or(0)));
    }

    /// Payable: `add_liquidity(min_shares)`; returns the LP shares minted.
    fn add_liquidity() {
        ret_u128(liquidity::add_liquidity(Args::input().opt_u128("min_shares").unwrap_or(0)));
    }

    /// 1 yocto: `remove_liquidity(shares, min_near)`; returns the NEAR paid.
    fn remove_liquidity() {
        let args = Args::input();
        ret_u128(liquidity::remove_liquidity(args.u128("shares"), args.opt_u128("min_near").unwrap_or(0)));
    }

    fn get_liquidity_pool() {
        json::ret(&liquidity::pool_json());
    }

    /// `quote_instant_unstake(amount)`: `{value, fee, near}` of selling `amount` tokens now.
    fn quote_instant_unstake() {
        json::ret(&liquidity::quote_json(Args::input().u128("amount")));
    }

    fn get_liquidity_shares() {
        ret_u128(state::lp_shares_of(&Args::input().account("account_id")));
    }

    fn get_validators() {
        let args = Args::input();
        json::ret(&validators::views(args.u64("from_index"), args.u64("limit")));
    }

    fn get_crank_status() {
        json::ret(&crank::status_json());
    }

    // The staking-pool interface.

    /// Payable.
    fn deposit() {
        staking::deposit();
    }

    /// Payable; returns the tokens minted.
    fn deposit_and_stake() {
        ret_u128(staking::deposit_and_stake());
    }

    fn stake() {
        staking::stake(Args::input().u128("amount"));
    }

    fn stake_all() {
        staking::stake_all();
    }

    fn unstake() {
        staking::unstake(Args::input().u128("amount"));
    }

    fn unstake_all() {
        staking::unstake_all();
    }

    fn withdraw() {
        staking::withdraw(Args::input().u128("amount"));
    }

    fn withdraw_all() {
        staking::withdraw_all();
    }

    /// Rewards are collected for everyone by the epoch crank, so a single holder's ping has
    /// nothing to do; it exists because the staking-pool interface has it.
    fn ping() {}

    fn get_account() {
        json::ret(&views::account(&Args::input().account("account_id")));
    }

    fn get_account_staked_balance() {
        ret_u128(views::staked(&Args::input().account("account_id")));
    }

    fn get_account_unstaked_balance() {
        ret_u128(views::unstaked(&Args::input().account("account_id")));
    }

    fn get_account_total_balance() {
        let account_id = Args::input().account("account_id");
        ret_u128(views::staked(&account_id) + views::unstaked(&account_id));
    }

    fn is_account_unstaked_balance_available() {
        ret_bool(views::is_unstaked_available(&Args::input().account("account_id")));
    }

    fn get_total_staked_balance() {
        ret_u128(Totals::load().total_staked);
    }

    fn get_owner_id() {
        json::ret(&json::string(Config::load().owner_id.as_str()));
    }

    fn get_reward_fee_fraction() {
        json::ret(&Config::load().reward_fee.json());
    }

    /// The pool delegates to many validators and has no staking key of its own: it answers the
    /// all-zero ed25519 key.
    fn get_staking_key() {
        json::ret("\"ed25519:11111111111111111111111111111111\"");
    }

    fn is_staking_paused() {
        ret_bool(access::paused(Totals::load().paused_until));
    }

    fn get_number_of_accounts() {
        json::ret(&Totals::load().holders.to_string());
    }

    fn get_accounts() {
        let args = Args::input();
        json::ret(&views::accounts(args.u64("from_index"), args.u64("limit")));
    }

    fn get_holder() {
        json::ret(&views::holder(&Args::input().account("account_id")));
    }

    fn get_config() {
        json::ret(&views::config_json());
    }

    fn get_solvency() {
        json::ret(&views::solvency());
    }

    /// `get_price_history(limit?)`: the price after each of the last `limit` (at most 64)
    /// epochs' rewards, oldest first.
    fn get_price_history() {
        json::ret(&history::json(Args::input().opt_u64("limit").unwrap_or(history::EPOCHS)));
    }

    // NEP-141, NEP-148.

    /// Exactly 1 yocto attached.
    fn ft_transfer() {
        let args = Args::input();
        token::ft_transfer(&args.account("receiver_id"), args.u128("amount"), args.opt_string("memo").as_deref());
    }

    /// Exactly 1 yocto attached; returns what the receiver used.
    fn ft_transfer_call() {
        let args = Args::input();
        let promise = token::ft_transfer_call(
            &args.account("receiver_id"),
            args.u128("amount"),
            args.opt_string("memo").as_deref(),
            &args.string("msg"),
        );
        env::promise_return(promise);
    }

    /// The callback of `ft_transfer_call` (only the contract may call it).
    fn ft_resolve_transfer() {
        access::assert_self(errors::access::RESOLVE_TRANSFER_PRIVATE);
        let args = Args::input();
        ret_u128(token::ft_resolve_transfer(&args.account("sender_id"), &args.account("receiver_id"), args.u128("amount")));
    }

    fn ft_total_supply() {
        ret_u128(Totals::load().total_shares);
    }

    fn ft_balance_of() {
        ret_u128(token::ft_balance_of(&Args::input().account("account_id")));
    }

    fn ft_metadata() {
        json::ret(&views::metadata_json(&token::ft_metadata()));
    }

    /// The NEAR value of one token, in yocto.
    fn ft_price() {
        ret_u128(token::ft_price());
    }

    // NEP-145.

    /// Payable.
    fn storage_deposit() {
        let account_id = Args::input().opt_account("account_id").unwrap_or_else(env::predecessor_account_id);
        storage::storage_deposit(&account_id);
        json::ret(&storage::balance_json(&account_id));
    }

    /// Exactly 1 yocto attached.
    fn storage_withdraw() {
        storage::storage_withdraw(Args::input().opt_u128("amount"));
        json::ret(&storage::balance_json(&env::predecessor_account_id()));
    }

    /// Exactly 1 yocto attached.
    fn storage_unregister() {
        ret_bool(storage::storage_unregister(Args::input().opt_bool("force") == Some(true)));
    }

    fn storage_balance_of() {
        let account_id = Args::input().account("account_id");
        match crate::state::holder(&account_id) {
            Some(_) => json::ret(&storage::balance_json(&account_id)),
            None => json::ret("null"),
        }
    }

    fn storage_balance_bounds() {
        json::ret(&storage::storage_balance_bounds_json());
    }

    // NEP-330.

    fn contract_source_metadata() {
        json::ret(SOURCE_METADATA);
    }
}
