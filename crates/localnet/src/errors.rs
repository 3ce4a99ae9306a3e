//! Errors as nearcore reports them. localnet uses near-primitives' own error types, so a
//! failure's message (`Display`) is nearcore's text and its JSON is what nearcore's RPC sends.

pub use near_primitives::errors::{
    ActionError, ActionErrorKind, ActionsValidationError, CompilationError, FunctionCallError, InvalidAccessKeyError,
    InvalidTxError, MethodResolveError, ReceiptValidationError, TxExecutionError,
};
use near_primitives_core::types::{AccountId, Balance};
use near_vm_runner::logic::errors as vm;

/// A balance in an error.
pub fn balance(yocto: u128) -> Balance {
    Balance::from_yoctonear(yocto)
}

/// A function call's failure with a message (a contract's panic, the VM's text, or what
/// localnet injects).
pub fn execution_error(message: impl Into<String>) -> ActionErrorKind {
    ActionErrorKind::FunctionCallError(FunctionCallError::ExecutionError(message.into()))
}

/// The account a receipt is for does not exist.
pub fn no_account(account_id: &AccountId) -> ActionErrorKind {
    ActionErrorKind::AccountDoesNotExist { account_id: account_id.clone() }
}

/// A call to an account without code.
pub fn no_code(account_id: &AccountId) -> ActionErrorKind {
    let error = CompilationError::CodeDoesNotExist { account_id: account_id.clone() };
    ActionErrorKind::FunctionCallError(FunctionCallError::CompilationError(error))
}

/// The VM's error for an aborted call, in nearcore's serializable form, as nearcore's runtime
/// converts it: compilation and method errors keep their structure, everything else (traps,
/// host errors such as a panic or running out of gas) becomes an execution error with the
/// VM's text.
pub fn function_call_error(error: &vm::FunctionCallError) -> FunctionCallError {
    match error {
        vm::FunctionCallError::CompilationError(e) => FunctionCallError::CompilationError(compilation_error(e)),
        vm::FunctionCallError::MethodResolveError(e) => FunctionCallError::MethodResolveError(match e {
            vm::MethodResolveError::MethodEmptyName => MethodResolveError::MethodEmptyName,
            vm::MethodResolveError::MethodNotFound => MethodResolveError::MethodNotFound,
            vm::MethodResolveError::MethodInvalidSignature => MethodResolveError::MethodInvalidSignature,
        }),
        other => FunctionCallError::ExecutionError(other.to_string()),
    }
}

fn compilation_error(error: &vm::CompilationError) -> CompilationError {
    match error {
        vm::CompilationError::CodeDoesNotExist { account_id } => {
            CompilationError::CodeDoesNotExist { account_id: account_id.parse().expect("the VM names a valid account") }
        }
        // The two enums share their variants and borsh discriminants.
        vm::CompilationError::PrepareError(e) => {
            let bytes = borsh::to_vec(e).expect("serializes");
            CompilationError::PrepareError(borsh::from_slice(&bytes).expect("the same variant"))
        }
        vm::CompilationError::WasmerCompileError { msg } | vm::CompilationError::WasmtimeCompileError { msg } => {
            CompilationError::WasmerCompileError { msg: msg.clone() }
        }
    }
}

/// A failed transaction or receipt: nearcore's error and the message a person reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    error: Box<TxExecutionError>,
    message: String,
}

impl Failure {
    pub fn new(error: TxExecutionError) -> Self {
        let message = match &error {
            TxExecutionError::ActionError(ActionError {
                kind: ActionErrorKind::FunctionCallError(FunctionCallError::ExecutionError(message)),
                ..
            }) => message.clone(),
            other => other.to_string(),
        };
        Failure { error: Box::new(error), message }
    }

    /// nearcore's error.
    pub fn error(&self) -> &TxExecutionError {
        &self.error
    }

    /// The contract's own message for a call that failed while running (its panic, or the
    /// VM's text such as "Exceeded the prepaid gas."); nearcore's message for anything else.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<InvalidTxError> for Failure {
    fn from(error: InvalidTxError) -> Self {
        Failure::new(TxExecutionError::InvalidTxError(error))
    }
}

impl From<ActionError> for Failure {
    fn from(error: ActionError) -> Self {
        Failure::new(TxExecutionError::ActionError(error))
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}
