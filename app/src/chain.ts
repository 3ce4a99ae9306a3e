/** The contract's views through near-api-js 7.3.1, at the latest block. */

import { JsonRpcProvider } from "near-api-js";
import type { AppConfig } from "./config";

export interface Holder {
  shares: string;
  staked_balance: string;
  unstaked_balance: string;
  deposited_balance: string;
  unlock_epoch: number;
  can_withdraw: boolean;
  /** When its unstaked NEAR is expected to be paid (later than `unlock_epoch` when late). */
  expected_epoch: number | null;
}

export interface CrankStatus {
  epoch: number;
  work_left: boolean;
  unstake_epoch: number | null;
}

export interface ValidatorEntry {
  account_id: string;
  weight: number;
  staked: string;
  target: string;
  status: string;
}

export interface Quote {
  value: string;
  fee: string;
  near: string;
}

export class Chain {
  readonly provider: JsonRpcProvider;
  readonly contractId: string;

  constructor(readonly config: AppConfig) {
    this.provider = new JsonRpcProvider({ url: config.rpc_url ?? location.origin });
    this.contractId = config.contract_id;
  }

  view<T>(method: string, args: Record<string, unknown> = {}): Promise<T> {
    return this.provider.callFunction({ contractId: this.contractId, method, args }) as Promise<T>;
  }

  async balance(accountId: string): Promise<bigint> {
    const view = await this.provider.viewAccount({ accountId });
    return view.amount;
  }

  /** The latest block's height and time (ms). */
  async head(): Promise<{ height: number; timeMs: number }> {
    const block = await this.provider.viewBlock({ finality: "final" });
    return { height: block.header.height, timeMs: Number(BigInt(block.header.timestamp_nanosec) / 1_000_000n) };
  }
}
