/** Where the app runs: the network, the contract and the RPC, from `/app-config.json` (which
 * `lst node --app` serves with its dev accounts), so one build serves any deployment. */

export interface DevAccount {
  account_id: string;
  secret_key: string;
}

export interface AppConfig {
  network: "localnet" | "testnet" | "mainnet";
  contract_id: string;
  /** `null`: the page's own origin (the app served by `lst node`). */
  rpc_url: string | null;
  epoch_length: number;
  block_time_ms: number;
  /** A local chain's accounts, signed for in the page; never offered on a real network. */
  dev_accounts: DevAccount[];
}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch("/app-config.json");
  if (!response.ok) throw new Error(`no app configuration (${response.status})`);
  const config = (await response.json()) as AppConfig;
  if (config.network !== "localnet") config.dev_accounts = [];
  return config;
}
