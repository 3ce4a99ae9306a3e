//! Result routing: a receipt's outputs (new receipts with their data dependencies, promise
//! results for its callers, balance refunds) and a transaction's final status.

use super::*;

/// Follows returned promises from the transaction's receipt to its final value or failure.
pub(super) fn final_status(receipts: &[ReceiptOutcome], first: CryptoHash) -> Result<Vec<u8>, Failure> {
    let mut id = first;
    loop {
        let outcome = receipts.iter().find(|r| r.id == id).expect("the transaction's receipts all ran");
        match &outcome.status {
            Status::Value(v) => return Ok(v.clone()),
            Status::Failure(e) => return Err(e.clone()),
            Status::Receipt(next) => id = *next,
        }
    }
}

impl Chain {
    /// Sends a balance refund from the system account (nothing when the amount is 0).
    pub(super) fn refund(&mut self, parent: &ActionReceipt, to: AccountId, amount: u128) {
        if amount == 0 {
            return;
        }
        let index = self.next_block.len() as u64 + 1_000_000;
        self.next_block.push(Receipt::Action(ActionReceipt {
            id: child_id(&parent.id, index),
            predecessor: system(),
            receiver: to,
            signer: system(),
            signer_public_key: PublicKey::empty(KeyType::ED25519),
            gas_price: 0,
            refund_to: system(),
            output_data_receivers: vec![],
            input_data_ids: vec![],
            actions: vec![Action::Transfer(amount)],
            tx: parent.tx,
        }));
    }

    /// Commits a receipt's outputs: on success its new receipts, proposals and the promise
    /// results its callers wait for; on failure only failed results for those callers.
    pub(super) fn route_results(&mut self, r: &ActionReceipt, applied: &mut Applied) -> Status {
        let result = std::mem::replace(&mut applied.result, Ok(ReturnData::None));
        let send_data = |chain: &mut Chain, data: Option<Vec<u8>>| {
            for (data_id, _) in &r.output_data_receivers {
                chain.next_block.push(Receipt::Data(DataReceipt { data_id: *data_id, data: data.clone(), tx: r.tx }));
            }
        };
        let return_data = match result {
            Err(e) => {
                send_data(self, None);
                return Status::Failure(e.into());
            }
            Ok(data) => data,
        };
        for (account, stake) in applied.proposals.drain(..) {
            self.staking.propose(&account, stake);
        }
        for (to, amount) in applied.transfers.drain(..) {
            self.refund(r, to, amount);
        }
        // Build the new receipts: ids, data dependencies, then hand over our callers.
        let new = std::mem::take(&mut applied.new_receipts);
        let ids: Vec<CryptoHash> = (0..new.len() as u64).map(|i| child_id(&r.id, i)).collect();
        let mut receipts: Vec<ActionReceipt> = new
            .iter()
            .zip(&ids)
            .map(|(n, id)| ActionReceipt {
                id: *id,
                predecessor: r.receiver.clone(),
                receiver: n.receiver.clone(),
                signer: r.signer.clone(),
                signer_public_key: r.signer_public_key.clone(),
                gas_price: r.gas_price,
                refund_to: n.refund_to.clone().unwrap_or_else(|| r.receiver.clone()),
                output_data_receivers: vec![],
                input_data_ids: vec![],
                actions: n.actions.clone(),
                tx: r.tx,
            })
            .collect();
        for (i, n) in new.iter().enumerate() {
            for &dep in &n.dependencies {
                let data_id = child_id(&ids[i], 2_000_000 + dep);
                receipts[dep as usize].output_data_receivers.push((data_id, n.receiver.clone()));
                receipts[i].input_data_ids.push(data_id);
            }
        }
        let status = match return_data {
            ReturnData::ReceiptIndex(i) => {
                receipts[i as usize].output_data_receivers.extend(r.output_data_receivers.iter().cloned());
                Status::Receipt(ids[i as usize])
            }
            ReturnData::Value(v) => {
                send_data(self, Some(v.clone()));
                Status::Value(v)
            }
            ReturnData::None => {
                send_data(self, Some(vec![]));
                Status::Value(vec![])
            }
        };
        self.next_block.extend(receipts.into_iter().map(Receipt::Action));
        status
    }
}
