//! `lst`: the liquid staking protocol on the embedded runtime.
//!
//! `lst demo` runs the whole protocol for about 30 epochs and checks every promise it made;
//! `lst build` builds the production wasm to deploy; `lst gas` prints the gas report.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "lst", about = "Liquid staking for NEAR, on an embedded NEAR runtime")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the protocol with validators, users and a keeper, printing a row per epoch, and
    /// checks that every user received what the contract promised.
    Demo {
        #[arg(long, default_value_t = 25)]
        users: usize,
        #[arg(long, default_value_t = 6)]
        validators: usize,
        #[arg(long, default_value_t = 30)]
        epochs: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Builds the production wasm of both contracts (optimized: the files to deploy) and prints
    /// each file's path, size and code hash (base58 sha256, as NEAR shows it).
    Build,
    /// Prints the gas burnt by every method and by the epoch crank, and the wasm sizes.
    Gas {
        #[arg(long, value_enum, default_value_t = Format::Markdown)]
        format: Format,
    },
    /// Measures where holders' yield goes in a steady and a stressed scenario: rewards paid,
    /// what reached holders through the price, the fee, and the drag by cause.
    Yield,
    /// Runs a local NEAR JSON-RPC node with the protocol deployed, for near-cli-rs,
    /// near-api-js and wallets.
    Node {
        #[arg(long, default_value_t = 3030)]
        port: u16,
        /// Time between blocks in milliseconds; 0: each transaction is mined at once.
        #[arg(long, default_value_t = 1000)]
        block_time_ms: u64,
        #[arg(long, default_value_t = 60)]
        epoch_length: u64,
        #[arg(long, default_value_t = 3)]
        validators: usize,
        #[arg(long, default_value_t = 4)]
        accounts: usize,
        /// Do not run the built-in keeper (the crank is then up to you).
        #[arg(long)]
        no_keeper: bool,
        /// Where to write the dev accounts' keys as near-cli-rs legacy keychain files.
        #[arg(long, default_value = ".lst-node/credentials")]
        credentials: std::path::PathBuf,
        /// Keeps the chain in this directory: a restart continues where it stopped.
        #[arg(long)]
        state: Option<std::path::PathBuf>,
        /// Also writes a whole near-cli-rs configuration (this node as `localnet`, the keychain
        /// above) to this file, e.g. for `NEAR_CLI_CONFIG`-style use or to copy from.
        #[arg(long)]
        cli_config: Option<std::path::PathBuf>,
        /// Serves the web app at `/`: a built app (a directory with index.html), or the app's
        /// sources, installed and built first when needed (without a directory: this
        /// repository's `app/`). See app/README.
        #[arg(long, num_args = 0..=1, default_missing_value = lst::node::app_build::DEFAULT_APP)]
        app: Option<std::path::PathBuf>,
    },
    /// Runs the protocol's crank on a NEAR network (testnet, mainnet or `lst node`) and
    /// monitors its validators; `lst keeper report` prints the validator report once.
    Keeper(KeeperArgs),
}

#[derive(clap::Args)]
struct KeeperArgs {
    #[command(subcommand)]
    command: Option<KeeperCommand>,
    /// The network's JSON-RPC endpoint.
    #[arg(long, global = true)]
    rpc: Option<String>,
    /// The liquid staking contract.
    #[arg(long, global = true)]
    contract: Option<localnet::AccountId>,
    /// The account that signs the cranks (default: the key file's).
    #[arg(long)]
    account: Option<localnet::AccountId>,
    /// A near-cli-rs key file (`account_id`, `public_key`, `private_key`).
    #[arg(long)]
    key_file: Option<std::path::PathBuf>,
    /// Serves Prometheus metrics on this address (e.g. 127.0.0.1:9184) at `/metrics`.
    #[arg(long)]
    metrics: Option<String>,
    /// Cranks until no work is left now, then exits.
    #[arg(long)]
    once: bool,
    /// Reads and decides, logs what it would send, sends nothing.
    #[arg(long)]
    dry_run: bool,
    /// Milliseconds between looks at the contract while there is no work.
    #[arg(long, default_value_t = 1000)]
    poll_ms: u64,
    /// Deadline of each RPC call, in milliseconds.
    #[arg(long, default_value_t = 10_000, global = true)]
    timeout_ms: u64,
    /// Uptime (percent) under which a validator is flagged.
    #[arg(long, default_value_t = 95.0, global = true)]
    min_uptime: f64,
}

#[derive(Subcommand)]
enum KeeperCommand {
    /// Prints each validator's stake, status, uptime, flags and suggested weight.
    Report {
        /// As JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Markdown,
    Json,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Demo { users, validators, epochs, seed } => {
            let summary = lst::demo::run(&lst::demo::Options { users, validators, epochs, seed });
            println!(
                "\nfinal price {:.8} NEAR per token, APY so far {:.2}%, {} withdrawals and {} instant unstakes checked",
                summary.final_price as f64 / 1e24,
                summary.apy * 100.0,
                summary.withdrawals,
                summary.instant_unstakes
            );
            println!("{}", summary.yields.0.summary(summary.yields.1));
            let u = &summary.unlocks;
            println!(
                "unstakes: {}, promised in exactly 4 epochs: {:.1}% ({} late in their epoch, promised 5), longest promise \
                 {} epochs, withdrawals refused on or after their promised epoch: {}",
                u.unstakes,
                u.four_epoch_share(),
                u.late,
                u.longest,
                u.refused_when_due
            );
            if summary.failures.is_empty() {
                println!("every user received exactly what the contract promised, and the pool stayed solvent");
                ExitCode::SUCCESS
            } else {
                for failure in &summary.failures {
                    eprintln!("FAILED: {failure}");
                }
                ExitCode::FAILURE
            }
        }
        Command::Build => {
            for contract in ["liquid-staking", "staking-pool"] {
                let wasm = localnet::build::contract_wasm(contract);
                let hash = near_primitives_core::hash::CryptoHash::hash_bytes(&wasm);
                let path = localnet::build::contract_wasm_path(contract);
                println!("{contract}: {} ({} bytes, code hash {hash})", path.display(), wasm.len());
            }
            ExitCode::SUCCESS
        }
        Command::Node {
            port,
            block_time_ms,
            epoch_length,
            validators,
            accounts,
            no_keeper,
            credentials,
            state,
            cli_config,
            app,
        } => {
            let app = match app.as_deref().map(lst::node::app_build::prepare).transpose() {
                Ok(app) => app,
                Err(e) => {
                    eprintln!("lst node: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let options = lst::node::Options {
                port,
                block_time: std::time::Duration::from_millis(block_time_ms),
                epoch_length,
                validators,
                accounts,
                keeper: !no_keeper,
                state,
                app,
            };
            let server = match lst::node::bind(port) {
                Ok(server) => server,
                Err(e) => {
                    eprintln!("cannot listen on 127.0.0.1:{port}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            eprintln!("lst node: building the contracts and deploying the protocol (the first run compiles them) ...");
            let (node, restored) = match lst::node::Node::open(options) {
                Ok(opened) => opened,
                Err(e) => {
                    eprintln!("cannot open the state directory: {e}");
                    return ExitCode::FAILURE;
                }
            };
            if let Some(path) = &cli_config
                && let Err(e) = std::fs::write(path, node.cli_config_file(&credentials))
            {
                eprintln!("cannot write the near-cli-rs configuration to {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            match node.write_credentials(&credentials) {
                Ok(()) => print!("{}{restored}", node.banner(&credentials)),
                Err(e) => {
                    eprintln!("cannot write the keychain files under {}: {e}", credentials.display());
                    return ExitCode::FAILURE;
                }
            }
            node.serve(server);
            ExitCode::SUCCESS
        }
        Command::Keeper(args) => keeper(args),
        Command::Yield => {
            print!("{}", lst::yields::report());
            ExitCode::SUCCESS
        }
        Command::Gas { format } => {
            let report = lst::gas::report();
            match format {
                Format::Markdown => print!("{}", report.markdown()),
                Format::Json => println!("{:#}", report.json()),
            }
            ExitCode::SUCCESS
        }
    }
}

fn keeper(args: KeeperArgs) -> ExitCode {
    use lst::keeper;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "lst=info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let (Some(rpc), Some(contract)) = (args.rpc, args.contract) else {
        eprintln!("lst keeper needs --rpc URL and --contract ID");
        return ExitCode::FAILURE;
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let timeout = std::time::Duration::from_millis(args.timeout_ms);
    let min_uptime = args.min_uptime / 100.0;
    if let Some(KeeperCommand::Report { json }) = args.command {
        let chain = keeper::chain::Chain::new(&rpc, timeout);
        return match runtime.block_on(keeper::monitor::report(&chain, &contract, min_uptime)) {
            Ok(reports) if json => {
                println!("{}", serde_json::to_string_pretty(&reports).expect("serializable"));
                ExitCode::SUCCESS
            }
            Ok(reports) => {
                print!("{}", keeper::monitor::table(&reports));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("cannot read the validators: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let Some(key_file) = args.key_file else {
        eprintln!("lst keeper needs --key-file PATH (a near-cli-rs key file)");
        return ExitCode::FAILURE;
    };
    let (key_account, key) = match keeper::read_key_file(&key_file) {
        Ok(read) => read,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(account) = args.account.or(key_account) else {
        eprintln!("{} names no account: pass --account", key_file.display());
        return ExitCode::FAILURE;
    };
    let options = keeper::Options {
        rpc,
        contract,
        account,
        key,
        once: args.once,
        dry_run: args.dry_run,
        poll: std::time::Duration::from_millis(args.poll_ms),
        timeout,
        min_uptime,
    };
    let metrics = keeper::metrics::Metrics::default();
    if let Some(addr) = &args.metrics {
        match metrics.serve(addr) {
            Ok(bound) => eprintln!("lst keeper: metrics on http://{bound}/metrics"),
            Err(e) => {
                eprintln!("cannot serve metrics on {addr}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    runtime.block_on(async {
        let stop = keeper::stop_on_signals();
        keeper::Keeper::new(options, metrics).run(stop).await;
    });
    ExitCode::SUCCESS
}
