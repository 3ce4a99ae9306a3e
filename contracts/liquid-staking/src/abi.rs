//! The types of the contract's JSON interface, as the NEAR ABI describes them.
//!
//! Each method in `interface.rs` names its arguments' and result's wire types from here (or a
//! primitive): `U128` for a yocto amount or token count written as a decimal string,
//! `AccountId`, and named objects such as [`HumanReadableAccount`]. The same declaration is read
//! twice: by the contract, where each wire type knows how to read or write its value
//! ([`crate::json::Arg`], [`crate::json::Ret`]), and by `build.rs`, where it knows its JSON
//! schema ([`Schema`]) for the ABI the contract embeds. The schemas follow what cargo-near's
//! schemars output gives the same types: integers with their format, `Option<T>` as the type or
//! null, named types as `$ref`s into the root schema's definitions.
//!
//! Plain data and text: this module uses nothing from the contract or near-sdk, so the build
//! script can compile it on its own.

use std::collections::BTreeMap;

/// Named schemas the ABI's root schema defines, by name; with their descriptions or without
/// (the copy embedded in the wasm leaves docs out, as cargo-near does without `--doc`).
pub struct Definitions {
    pub docs: bool,
    pub schemas: BTreeMap<&'static str, String>,
}

impl Definitions {
    /// `"description":"...",` when docs are kept.
    fn description(&self, doc: &str) -> String {
        if self.docs { format!(r#""description":"{doc}","#) } else { String::new() }
    }
}

/// A wire type's JSON schema.
pub trait Schema {
    /// The schema where the type is used (a `$ref` for a named type).
    fn schema(defs: &mut Definitions) -> String;
    /// Whether an argument of this type may be left out.
    const OPTIONAL: bool = false;
}

/// Named object types: a `$ref` where used, their properties in the definitions.
pub trait Object {
    const NAME: &'static str;
    const DOC: &'static str;
    fn properties(defs: &mut Definitions) -> Vec<(&'static str, String, bool)>;
}

impl<T: Object> Schema for T {
    fn schema(defs: &mut Definitions) -> String {
        if !defs.schemas.contains_key(T::NAME) {
            // Reserved first, so a type that contains itself terminates.
            defs.schemas.insert(T::NAME, String::new());
            let properties = T::properties(defs);
            let required: Vec<String> = properties
                .iter()
                .filter(|(_, _, optional)| !optional)
                .map(|(name, _, _)| format!("\"{name}\""))
                .collect();
            let fields: Vec<String> =
                properties.iter().map(|(name, schema, _)| format!("\"{name}\":{schema}")).collect();
            let definition = format!(
                r#"{{{}"type":"object","required":[{}],"properties":{{{}}}}}"#,
                defs.description(T::DOC),
                required.join(","),
                fields.join(",")
            );
            defs.schemas.insert(T::NAME, definition);
        }
        format!(r##"{{"$ref":"#/definitions/{}"}}"##, T::NAME)
    }
}

/// A schema of one JSON type (`"type":"..."` and more), so `Option` can add `null` to it.
fn primitive(json_type: &str, rest: &str) -> String {
    format!(r#"{{"type":"{json_type}"{rest}}}"#)
}

impl Schema for u64 {
    fn schema(_: &mut Definitions) -> String {
        primitive("integer", r#","format":"uint64","minimum":0.0"#)
    }
}

impl Schema for u32 {
    fn schema(_: &mut Definitions) -> String {
        primitive("integer", r#","format":"uint32","minimum":0.0"#)
    }
}

impl Schema for u8 {
    fn schema(_: &mut Definitions) -> String {
        primitive("integer", r#","format":"uint8","minimum":0.0"#)
    }
}

impl Schema for bool {
    fn schema(_: &mut Definitions) -> String {
        primitive("boolean", "")
    }
}

impl Schema for String {
    fn schema(_: &mut Definitions) -> String {
        primitive("string", "")
    }
}

/// The type or `null`: `{"type":["string","null"]}` for a primitive, `anyOf` for a reference.
impl<T: Schema> Schema for Option<T> {
    const OPTIONAL: bool = true;

    fn schema(defs: &mut Definitions) -> String {
        let inner = T::schema(defs);
        match inner.strip_prefix(r#"{"type":""#).and_then(|rest| rest.split_once('"')) {
            Some((json_type, rest)) => format!(r#"{{"type":["{json_type}","null"]{rest}"#),
            None => format!(r#"{{"anyOf":[{inner},{{"type":"null"}}]}}"#),
        }
    }
}

impl<T: Schema> Schema for Vec<T> {
    fn schema(defs: &mut Definitions) -> String {
        format!(r#"{{"type":"array","items":{}}}"#, T::schema(defs))
    }
}

/// A yocto amount or a token count: a decimal string (NEP-141's `U128`), inline as near-sdk's.
pub struct U128;

impl Schema for U128 {
    fn schema(_: &mut Definitions) -> String {
        primitive("string", "")
    }
}

/// A NEAR account id.
pub struct AccountId;

impl Schema for AccountId {
    fn schema(defs: &mut Definitions) -> String {
        let doc = defs.description("A NEAR account id: 2 to 64 characters of a-z, 0-9 and separators . _ -");
        defs.schemas.insert("AccountId", format!(r#"{{{doc}"type":"string"}}"#));
        r##"{"$ref":"#/definitions/AccountId"}"##.into()
    }
}

/// Any JSON value (a parameter change's value: a number or a fraction).
pub struct AnyValue;

impl Schema for AnyValue {
    fn schema(_: &mut Definitions) -> String {
        "{}".into()
    }
}

/// The result of a method that returns a promise: what the promise resolves to.
pub struct Promise<T>(core::marker::PhantomData<T>);

impl<T: Schema> Schema for Promise<T> {
    fn schema(defs: &mut Definitions) -> String {
        T::schema(defs)
    }
}

/// A wire type as near-sdk's serde reads it: the type a `#[near]` method would declare. Only the
/// `sdk-codecs` measurement build has it (see `crate::sdk_codecs`), a wasm build: `build.rs`,
/// which includes this file for the schemas, knows nothing of near-sdk.
#[cfg(all(feature = "sdk-codecs", target_arch = "wasm32"))]
pub trait Serde {
    type Wire: near_sdk::serde::de::DeserializeOwned;
}

#[cfg(all(feature = "sdk-codecs", target_arch = "wasm32"))]
mod serde_wire {
    use super::{AccountId, AnyValue, Serde, U128};

    macro_rules! same {
        ($($t:ty),*) => {$(
            impl Serde for $t {
                type Wire = $t;
            }
        )*};
    }

    same!(bool, u8, u32, u64, String, near_sdk::AccountId);

    impl Serde for AccountId {
        type Wire = near_sdk::AccountId;
    }

    impl Serde for U128 {
        type Wire = near_sdk::json_types::U128;
    }

    impl Serde for AnyValue {
        type Wire = near_sdk::serde_json::Value;
    }

    impl<T: Serde> Serde for Option<T> {
        type Wire = Option<T::Wire>;
    }

    impl<T: Serde> Serde for Vec<T> {
        type Wire = Vec<T::Wire>;
    }
}

/// Declares named object types: a marker struct each, with its documented properties (and, in
/// the `sdk-codecs` build, the struct serde reads it into).
macro_rules! objects {
    ($( #[doc = $doc:literal] $name:ident { $( $field:ident : $ty:ty ),* $(,)? } )*) => {$(
        #[doc = $doc]
        pub struct $name;

        #[cfg(all(feature = "sdk-codecs", target_arch = "wasm32"))]
        const _: () = {
            #[allow(dead_code)]
            #[derive(near_sdk::serde::Deserialize)]
            #[serde(crate = "near_sdk::serde")]
            pub struct Wire {
                $( pub $field: <$ty as Serde>::Wire, )*
            }

            impl Serde for $name {
                type Wire = Wire;
            }
        };

        impl Object for $name {
            const NAME: &'static str = stringify!($name);
            const DOC: &'static str = $doc.trim_ascii();
            fn properties(defs: &mut Definitions) -> Vec<(&'static str, String, bool)> {
                vec![$( (stringify!($field), <$ty as Schema>::schema(defs), <$ty as Schema>::OPTIONAL) ),*]
            }
        }
    )*};
}

objects! {
    /// A holder in the core staking pool's shape (`get_account`, `get_accounts`).
    HumanReadableAccount {
        account_id: AccountId,
        unstaked_balance: U128,
        staked_balance: U128,
        can_withdraw: bool,
    }
    /// A holder's balances: tokens, their NEAR value, NEAR owed (unstaked and deposited), unlock epoch.
    Holder {
        account_id: AccountId,
        shares: U128,
        staked_balance: U128,
        unstaked_balance: U128,
        deposited_balance: U128,
        unlock_epoch: u32,
        can_withdraw: bool,
        expected_epoch: Option<u64>,
    }
    /// A ratio, such as the owner's share of rewards (the core staking pool's shape).
    RewardFeeFraction {
        numerator: u32,
        denominator: u32,
    }
    /// NEP-148 token metadata.
    FungibleTokenMetadata {
        spec: String,
        name: String,
        symbol: String,
        icon: Option<String>,
        reference: Option<String>,
        reference_hash: Option<String>,
        decimals: u8,
    }
    /// The instant-unstake pool's parameters; a missing field takes its default.
    InstantUnstakeConfig {
        target: Option<U128>,
        min_fee_bps: Option<u64>,
        max_fee_bps: Option<u64>,
        treasury_share_bps: Option<u64>,
        unstake_threshold: Option<U128>,
    }
    /// The parameters in force.
    PoolConfig {
        owner_id: AccountId,
        treasury_id: AccountId,
        reward_fee: RewardFeeFraction,
        manager_id: AccountId,
        whitelist_id: Option<AccountId>,
        max_reward_rate: RewardFeeFraction,
        drain_after_epochs: u64,
    }
    /// Who holds each role.
    Roles {
        owner_id: AccountId,
        pending_owner_id: Option<AccountId>,
        manager_id: AccountId,
        guardian_id: AccountId,
        treasury_id: AccountId,
    }
    /// A parameter change waiting for its epoch.
    PendingChange {
        parameter: String,
        value: AnyValue,
        epoch: u64,
    }
    /// Parameter changes waiting for their epoch, the pause and the state layout version.
    PendingChanges {
        changes: Vec<PendingChange>,
        paused_until: Option<u64>,
        state_version: u32,
    }
    /// The accounting buckets (yocto).
    Totals {
        total_shares: U128,
        total_staked: U128,
        buffered: U128,
        reserve: U128,
        deposits: U128,
        unstaked: U128,
        storage_deposits: U128,
        holders: u32,
        delegated: U128,
        unstaking: U128,
        to_unstake: U128,
        claims_unstaking: U128,
        due_short: U128,
        stuck: U128,
        pending_rewards: U128,
        liquidity: U128,
        liquidity_fees: U128,
        treasury_fees: U128,
    }
    /// The claims unlocking in one epoch: owed, NEAR ready, queued and unstaking, and the epoch they are expected to be paid.
    ClaimTranche {
        unlock_epoch: u64,
        owed: U128,
        ready: U128,
        queued: U128,
        unstaking: U128,
        expected_epoch: u64,
    }
    /// The claim book: claims due and paid for, what due claims miss in the reserve, and the tranches.
    ClaimBook {
        epoch: u64,
        matured: U128,
        due_short: U128,
        tranches: Vec<ClaimTranche>,
    }
    /// The buckets, assets against liabilities, the account balance against what the buckets hold.
    Solvency {
        totals: Totals,
        assets: U128,
        liabilities: U128,
        balance: U128,
        tracked: U128,
        solvent: bool,
    }
    /// The epoch crank's progress and the gas a call needs to do all the work there is.
    CrankStatus {
        epoch: u64,
        validators: u32,
        faulty: u32,
        synced: u32,
        rewards_done: bool,
        locked: u32,
        work_left: bool,
        retry_at: Option<u64>,
        crank_gas: u64,
        buffered: U128,
        to_unstake: U128,
        pending_rewards: U128,
        unstake_capacity: U128,
        late_from_block: Option<u64>,
        unstake_epoch: Option<u64>,
    }
    /// The instant-unstake pool: its NEAR, fees, tokens, claim, shares, parameters and fee now.
    LiquidityPool {
        near: U128,
        fees: U128,
        treasury_fees: U128,
        tokens: U128,
        claim: U128,
        claim_unlock_epoch: u64,
        lp_shares: U128,
        value: U128,
        target: U128,
        min_fee_bps: u32,
        max_fee_bps: u32,
        treasury_share_bps: u32,
        unstake_threshold: U128,
        fee_bps_now: u64,
    }
    /// What selling tokens now pays: their value, the fee and the NEAR received.
    InstantUnstakeQuote {
        value: U128,
        fee: U128,
        near: U128,
    }
    /// An operation on a validator's pool still waiting for its answer.
    PendingOperation {
        operation: String,
        amount: U128,
        since_block: u64,
        reconciling: bool,
    }
    /// A validator: weight, target, balances at its pool, unlock epoch and status.
    Validator {
        account_id: AccountId,
        weight: u32,
        base_stake: U128,
        target: U128,
        staked: U128,
        unstaked: U128,
        unbooked: U128,
        unlock_epoch: u64,
        status: String,
        locked: Option<PendingOperation>,
    }
    /// The price of one token after an epoch's rewards, and the block time.
    PricePoint {
        epoch: u64,
        timestamp_ms: u64,
        price: U128,
    }
    /// NEP-145: what an account paid for storage and what it could withdraw.
    StorageBalance {
        total: U128,
        available: U128,
    }
    /// NEP-145: what registering costs.
    StorageBalanceBounds {
        min: U128,
        max: Option<U128>,
    }
    /// NEP-330: a standard the contract implements.
    Standard {
        standard: String,
        version: String,
    }
    /// NEP-330: the contract's version, source link and standards.
    ContractSourceMetadata {
        version: Option<String>,
        link: Option<String>,
        standards: Vec<Standard>,
    }
}
