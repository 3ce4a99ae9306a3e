// The contract's interface: every method it exports, with its kind (view, call, payable,
// private or init), its arguments' wire types (`crate::abi`), its result and its body.
//
// This file is one `export!` invocation, read twice. `exports.rs` includes it to generate each
// exported function: the arguments are read by name from the call's JSON into the variables the
// body uses (an argument misspelt in the body does not compile) and the result is written back.
// `build.rs` includes it to render the same declarations as the NEAR ABI the contract embeds
// (`__contract_abi`); there the bodies are never compiled.

export! {
    /// Initialises the pool; the attached deposit (at least 1 NEAR) is the seed stake.
    init fn new(
        owner_id: AccountId,
        treasury_id: AccountId,
        reward_fee: RewardFeeFraction,
        metadata: FungibleTokenMetadata,
        manager_id: Option<AccountId>,
        guardian_id: Option<AccountId>,
        whitelist_id: Option<AccountId>,
        max_reward_rate: Option<RewardFeeFraction>,
        drain_after_epochs: Option<u64>,
        epoch_blocks: Option<u64>,
        instant_unstake: Option<InstantUnstakeConfig>,
    ) {
        let config = Config {
            manager_id: manager_id.unwrap_or_else(|| owner_id.clone()),
            guardian_id: guardian_id.unwrap_or_else(|| owner_id.clone()),
            owner_id,
            treasury_id,
            reward_fee,
            whitelist_id,
            max_reward_rate: max_reward_rate.unwrap_or(DEFAULT_REWARD_RATE),
            drain_after_epochs: drain_after_epochs.unwrap_or(DEFAULT_DRAIN_AFTER_EPOCHS),
            epoch_blocks: epoch_blocks.unwrap_or(DEFAULT_EPOCH_BLOCKS),
            pending_owner_id: None,
            guardian_paused_at: None,
            owner_paused_until: 0,
            scheduled: vec![],
        };
        governance::init(config, metadata, instant_unstake.unwrap_or_default());
    }

    // The staking-pool interface.

    /// Parks the attached NEAR for the caller, unstaked and withdrawable at any time.
    payable fn deposit() {
        staking::deposit();
    }

    /// Stakes the attached NEAR; returns the tokens minted.
    payable fn deposit_and_stake() -> U128 {
        staking::deposit_and_stake()
    }

    /// Stakes `amount` of the caller's unstaked NEAR.
    call fn stake(amount: U128) {
        staking::stake(amount);
    }

    /// Stakes all of the caller's unstaked NEAR.
    call fn stake_all() {
        staking::stake_all();
    }

    /// Unstakes `amount` NEAR worth of the caller's tokens, withdrawable after 4 epochs.
    call fn unstake(amount: U128) {
        staking::unstake(amount);
    }

    /// Unstakes all of the caller's tokens.
    call fn unstake_all() {
        staking::unstake_all();
    }

    /// Withdraws `amount` of the caller's unstaked NEAR (deposits first).
    call fn withdraw(amount: U128) {
        staking::withdraw(amount);
    }

    /// Withdraws all the caller can withdraw now.
    call fn withdraw_all() {
        staking::withdraw_all();
    }

    /// Rewards are collected for everyone by the epoch crank, so a single holder's ping has
    /// nothing to do; it exists because the staking-pool interface has it.
    call fn ping() {}

    /// The core staking pool's account view.
    view fn get_account(account_id: AccountId) -> HumanReadableAccount {
        views::account(&account_id)
    }

    view fn get_account_staked_balance(account_id: AccountId) -> U128 {
        views::staked(&account_id)
    }

    view fn get_account_unstaked_balance(account_id: AccountId) -> U128 {
        views::unstaked(&account_id)
    }

    view fn get_account_total_balance(account_id: AccountId) -> U128 {
        views::staked(&account_id) + views::unstaked(&account_id)
    }

    view fn is_account_unstaked_balance_available(account_id: AccountId) -> bool {
        views::is_unstaked_available(&account_id)
    }

    view fn get_total_staked_balance() -> U128 {
        Totals::load().total_staked
    }

    view fn get_owner_id() -> AccountId {
        Config::load().owner_id
    }

    view fn get_reward_fee_fraction() -> RewardFeeFraction {
        Config::load().reward_fee.json()
    }

    /// The pool delegates to many validators and has no staking key of its own: it answers the
    /// all-zero ed25519 key.
    view fn get_staking_key() -> String {
        "ed25519:11111111111111111111111111111111".to_string()
    }

    view fn is_staking_paused() -> bool {
        access::paused(Totals::load().paused_until)
    }

    view fn get_number_of_accounts() -> u32 {
        Totals::load().holders
    }

    /// Holders `from_index .. from_index + limit`, in the core staking pool's account shape.
    view fn get_accounts(from_index: u64, limit: u64) -> Vec<HumanReadableAccount> {
        views::accounts(from_index, limit)
    }

    /// A holder's tokens, their NEAR value, NEAR owed and its unlock epoch.
    view fn get_holder(account_id: AccountId) -> Holder {
        views::holder(&account_id)
    }

    view fn get_config() -> PoolConfig {
        views::config_json()
    }

    /// The accounting buckets and whether every invariant holds.
    view fn get_solvency() -> Solvency {
        views::solvency()
    }

    /// Holders' claims by unlock epoch, where each epoch's NEAR is, and when it is expected.
    view fn get_claims() -> ClaimBook {
        views::claims_json()
    }

    /// The price after each of the last `limit` (at most 64) epochs' rewards, oldest first.
    view fn get_price_history(limit: Option<u64>) -> Vec<PricePoint> {
        history::json(limit.unwrap_or(history::EPOCHS))
    }

    // NEP-141, NEP-148.

    /// Exactly 1 yocto attached.
    payable fn ft_transfer(receiver_id: AccountId, amount: U128, memo: Option<String>) {
        token::ft_transfer(&receiver_id, amount, memo.as_deref());
    }

    /// Exactly 1 yocto attached; returns what the receiver used.
    payable fn ft_transfer_call(receiver_id: AccountId, amount: U128, memo: Option<String>, msg: String) -> Promise<U128> {
        token::ft_transfer_call(&receiver_id, amount, memo.as_deref(), &msg)
    }

    /// The callback of `ft_transfer_call`.
    private fn ft_resolve_transfer(sender_id: AccountId, receiver_id: AccountId, amount: U128) -> U128 {
        access::assert_self(errors::access::RESOLVE_TRANSFER_PRIVATE);
        token::ft_resolve_transfer(&sender_id, &receiver_id, amount)
    }

    view fn ft_total_supply() -> U128 {
        Totals::load().total_shares
    }

    view fn ft_balance_of(account_id: AccountId) -> U128 {
        token::ft_balance_of(&account_id)
    }

    view fn ft_metadata() -> FungibleTokenMetadata {
        views::metadata_json(&token::ft_metadata())
    }

    /// The NEAR value of one token, in yocto.
    view fn ft_price() -> U128 {
        token::ft_price()
    }

    // NEP-145.

    /// Registers `account_id` (the caller if omitted) for exactly its storage cost and refunds
    /// the rest; storage is fixed, so `registration_only` changes nothing.
    payable fn storage_deposit(account_id: Option<AccountId>, registration_only: Option<bool>) -> StorageBalance {
        let _ = registration_only;
        let account_id = account_id.unwrap_or_else(env::predecessor_account_id);
        storage::storage_deposit(&account_id);
        storage::balance_json(&account_id)
    }

    /// Exactly 1 yocto attached; nothing is ever available to withdraw.
    payable fn storage_withdraw(amount: Option<U128>) -> StorageBalance {
        storage::storage_withdraw(amount);
        storage::balance_json(&env::predecessor_account_id())
    }

    /// Exactly 1 yocto attached: unregisters the caller and returns its storage deposit.
    payable fn storage_unregister(force: Option<bool>) -> bool {
        storage::storage_unregister(force == Some(true))
    }

    view fn storage_balance_of(account_id: AccountId) -> Option<StorageBalance> {
        match state::holder(&account_id) {
            Some(_) => storage::balance_json(&account_id),
            None => "null".to_string(),
        }
    }

    view fn storage_balance_bounds() -> StorageBalanceBounds {
        storage::storage_balance_bounds_json()
    }

    // NEP-330.

    view fn contract_source_metadata() -> ContractSourceMetadata {
        SOURCE_METADATA.to_string()
    }

    // Instant unstake.

    /// Sells `amount` tokens for NEAR now, at the price less the pool's fee; returns the NEAR
    /// paid, refusing less than `min_expected_near`.
    call fn instant_unstake(amount: U128, min_expected_near: Option<U128>) -> U128 {
        liquidity::instant_unstake(amount, min_expected_near.unwrap_or(0))
    }

    /// Adds the attached NEAR to the instant-unstake pool; returns the LP shares minted,
    /// refusing fewer than `min_shares`.
    payable fn add_liquidity(min_shares: Option<U128>) -> U128 {
        liquidity::add_liquidity(min_shares.unwrap_or(0))
    }

    /// Exactly 1 yocto attached: burns `shares` LP shares for their NEAR and tokens; returns the
    /// NEAR paid, refusing less than `min_near`.
    payable fn remove_liquidity(shares: U128, min_near: Option<U128>) -> U128 {
        liquidity::remove_liquidity(shares, min_near.unwrap_or(0))
    }

    view fn get_liquidity_pool() -> LiquidityPool {
        liquidity::pool_json()
    }

    /// Exactly what `instant_unstake(amount)` would pay now.
    view fn quote_instant_unstake(amount: U128) -> InstantUnstakeQuote {
        liquidity::quote_json(amount)
    }

    view fn get_liquidity_shares(account_id: AccountId) -> U128 {
        state::lp_shares_of(&account_id)
    }

    // Validators and the epoch crank.

    /// Manager, 1 yocto. With a whitelist, the validator is added once the whitelist confirms it.
    payable fn add_validator(account_id: AccountId, weight: u32, base_stake: Option<U128>) {
        access::assert_manager(&Config::load());
        let base_stake = base_stake.unwrap_or(0);
        match Config::load().whitelist_id {
            None => validators::add(account_id, weight, base_stake),
            Some(whitelist) => {
                let id = account_id.as_str();
                let check = text::join(&[r#"{"staking_pool_account_id":""#, id, r#""}"#]);
                let weight = text::decimal(weight as u128);
                let base_stake = json::u128(base_stake);
                let then = text::join(&[r#"{"account_id":""#, id, r#"","weight":"#, &weight, r#","base_stake":"#, &base_stake, "}"]);
                let call = promise::call(&whitelist, "is_whitelisted", check.as_bytes(), 0, gas::WHITELIST_CHECK);
                let then = promise::then_self(call, "on_whitelist_check", then.as_bytes(), gas::ON_WHITELIST_CHECK);
                env::promise_return(then);
            }
        }
    }

    /// The callback of `add_validator`: adds the validator if the whitelist answered `true`.
    private fn on_whitelist_check(account_id: AccountId, weight: u32, base_stake: U128) -> bool {
        access::assert_self(errors::access::WHITELIST_CALLBACK_PRIVATE);
        let whitelisted = env::promise_result_checked(0, 8).is_ok_and(|answer| answer == b"true");
        if whitelisted {
            validators::add(account_id, weight, base_stake);
        }
        whitelisted
    }

    /// Manager, 1 yocto.
    payable fn update_validator(account_id: AccountId, weight: u32, base_stake: Option<U128>) {
        access::assert_manager(&Config::load());
        validators::update(&account_id, weight, base_stake.unwrap_or(0));
    }

    /// Manager, 1 yocto: clears a validator's faulty mark after review.
    payable fn clear_faulty(account_id: AccountId) {
        access::assert_manager(&Config::load());
        validators::clear_faulty(&account_id);
    }

    /// Manager, 1 yocto: removes a validator that holds nothing.
    payable fn remove_validator(account_id: AccountId) {
        access::assert_manager(&Config::load());
        validators::remove(&account_id);
    }

    /// Validators `from_index .. from_index + limit`.
    view fn get_validators(from_index: u64, limit: u64) -> Vec<Validator> {
        validators::views(from_index, limit)
    }

    /// Anyone: works on the validators that need it; returns how many it worked on.
    call fn crank() -> u32 {
        crank::crank()
    }

    private fn on_sync() {
        crank::on_sync();
    }

    private fn on_action() {
        crank::on_action();
    }

    private fn on_reconcile() {
        crank::on_reconcile();
    }

    view fn get_crank_status() -> CrankStatus {
        crank::status_json()
    }

    // Governance.

    /// Owner, 1 yocto: the reward fee from 2 epochs on.
    payable fn set_reward_fee(numerator: u32, denominator: u32) {
        governance::schedule(Change::RewardFee(Fraction { numerator, denominator }));
    }

    /// Owner, 1 yocto: the most the price may rise in an epoch, from 2 epochs on.
    payable fn set_max_reward_rate(numerator: u32, denominator: u32) {
        governance::schedule(Change::MaxRewardRate(Fraction { numerator, denominator }));
    }

    /// Owner, 1 yocto: epochs out of the validator set before a validator is drained, from 2
    /// epochs on.
    payable fn set_drain_after_epochs(epochs: u64) {
        governance::schedule(Change::DrainAfterEpochs(epochs));
    }

    /// Owner, 1 yocto: the instant-unstake pool's parameters (a missing one takes its default),
    /// from 2 epochs on.
    payable fn set_instant_unstake(
        target: Option<U128>,
        min_fee_bps: Option<u64>,
        max_fee_bps: Option<u64>,
        treasury_share_bps: Option<u64>,
        unstake_threshold: Option<U128>,
    ) {
        let config = LiquidityConfig::new(target, min_fee_bps, max_fee_bps, treasury_share_bps, unstake_threshold);
        governance::schedule_instant_unstake(config);
    }

    /// Owner, 1 yocto: the manager, the guardian or the treasury, at once.
    payable fn set_role(role: String, account_id: AccountId) {
        governance::set_role(&role, account_id);
    }

    /// Owner, 1 yocto: the first step of handing over ownership.
    payable fn propose_owner(account_id: AccountId) {
        governance::propose_owner(account_id);
    }

    /// The proposed owner, 1 yocto: the second step.
    payable fn accept_owner() {
        governance::accept_owner();
    }

    /// Guardian or owner, 1 yocto.
    payable fn pause() {
        governance::pause();
    }

    /// Owner, 1 yocto: pauses until `until_epoch`, at most 100 epochs ahead.
    payable fn extend_pause(until_epoch: u64) {
        governance::extend_pause(until_epoch);
    }

    /// Guardian or owner, 1 yocto.
    payable fn unpause() {
        governance::unpause();
    }

    /// Owner, 1 yocto, the new wasm as the call's input (not JSON): deploys it and migrates the
    /// state in the same receipt.
    payable fn upgrade() {
        governance::upgrade();
    }

    /// Called by `upgrade` only.
    private fn migrate() {
        governance::migrate();
    }

    view fn get_roles() -> Roles {
        governance::roles_json()
    }

    /// Parameter changes waiting for their epoch, and the pause.
    view fn get_pending_changes() -> PendingChanges {
        governance::pending_json()
    }
}
