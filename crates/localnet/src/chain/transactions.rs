//! Transactions: nearcore's checks of a transaction against its signer (actions, balance, access
//! key, nonce, allowance, storage) and its conversion into the first receipt.

use super::*;

impl Chain {
    /// nearcore's checks of a transaction against the signer's account now, in its order;
    /// returns the signer's balance after paying for it and the signing key as it is after the
    /// transaction. `signed`: the key and nonce it was signed with (a test's transaction uses
    /// the account's test key, with the next nonce, when it has one); `height`: the block that
    /// includes it (the next one, for a check before submission).
    pub(super) fn check_transaction(
        &self,
        signer: &AccountId,
        receiver: &AccountId,
        actions: &[Action],
        signed: Option<&(PublicKey, u64)>,
        height: u64,
    ) -> Result<(u128, Option<(PublicKey, AccessKey)>), InvalidTxError> {
        validate_actions(actions).map_err(InvalidTxError::ActionsValidation)?;
        let (_, cost) = self.transaction_cost(signer == receiver, receiver, actions);
        let account = self
            .accounts
            .get(signer)
            .ok_or_else(|| InvalidTxError::SignerDoesNotExist { signer_id: signer.clone() })?;
        let mut key = match signed {
            Some((public_key, nonce)) => {
                let key = tx::check_nonce(signer, public_key, account.keys.get(public_key), *nonce, height)?;
                Some((public_key.clone(), key))
            }
            None => {
                let public_key = account_key(signer);
                let key = account.keys.get(&public_key).map(|k| AccessKey { nonce: k.nonce + 1, ..k.clone() });
                key.map(|key| (public_key, key))
            }
        };
        if account.amount < cost {
            let (balance, cost) = (balance(account.amount), balance(cost));
            return Err(InvalidTxError::NotEnoughBalance { signer_id: signer.clone(), balance, cost });
        }
        if let (Some((public_key, key)), Some(_)) = (&mut key, signed) {
            tx::spend_allowance(signer, public_key, key, cost)?;
        }
        let left = account.amount - cost;
        if let Some(lacking) = storage_shortfall(account.storage_usage, left + account.locked) {
            return Err(InvalidTxError::LackBalanceForState { signer_id: signer.clone(), amount: balance(lacking) });
        }
        if let (Some((_, key)), Some(_)) = (&key, signed) {
            tx::check_permission(key, receiver, actions)?;
        }
        Ok((left, key))
    }

    /// Includes transaction `tx` in the current block: charges the signer, and runs its receipt
    /// now if it is to the signer itself, else in the next block.
    pub(super) fn include(&mut self, queued: Queued) -> Result<(), InvalidTxError> {
        let Queued { tx, hash, signer, receiver, actions, signed } = queued;
        let (signer, receiver) = (&signer, &receiver);
        let (left, key) = self.check_transaction(signer, receiver, &actions, signed.as_ref(), self.height)?;
        let sir = signer == receiver;
        let (conversion_gas, _) = self.transaction_cost(sir, receiver, &actions);
        let account = self.accounts.get_mut(signer).expect("signer exists");
        account.amount = left;
        let signer_public_key = key.as_ref().map_or_else(|| account_key(signer), |(public_key, _)| public_key.clone());
        if let Some((public_key, key)) = key {
            account.keys.insert(public_key, key);
        }
        let tx_hash = hash.unwrap_or_else(|| CryptoHash::hash_bytes(format!("tx{tx}").as_bytes()));
        let receipt = ActionReceipt {
            id: child_id(&tx_hash, 0),
            predecessor: signer.clone(),
            receiver: receiver.clone(),
            signer: signer.clone(),
            signer_public_key,
            gas_price: self.purchase_price(),
            refund_to: signer.clone(),
            output_data_receivers: vec![],
            input_data_ids: vec![],
            actions,
            tx,
        };
        let record = self.txs.get_mut(&tx).expect("submitted");
        record.included = self.height;
        record.conversion_gas = conversion_gas;
        record.tokens_burnt = conversion_gas as u128 * self.config.gas_price;
        record.hash = tx_hash;
        record.first = receipt.id;
        if sir {
            self.apply(Receipt::Action(receipt));
        } else {
            self.next_block.push(Receipt::Action(receipt));
        }
        Ok(())
    }
}
