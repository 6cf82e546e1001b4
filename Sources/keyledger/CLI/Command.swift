import Foundation

/// A subcommand of `keyledger`.
protocol Command {
    static var spec: CommandSpec { get }
    /// Runs the command and returns its exit status.
    static func run(_ arguments: ParsedArguments) throws -> Int32
}

/// Every command, in the order help lists them.
let allCommands: [Command.Type] = [
    DemoCommand.self,
    InitCommand.self,
    AppendCommand.self,
    LogCommand.self,
    VerifyCommand.self,
    SigningKeyRotateCommand.self,
    SigningKeyShowCommand.self,
    CheckpointCommand.self,
    CheckpointVerifyCommand.self,
    CheckpointCosignCommand.self,
    CheckpointKeyShowCommand.self,
    CheckpointKeyRotateCommand.self,
    ProveInclusionCommand.self,
    ProveConsistencyCommand.self,
    ProveVerifyCommand.self,
    ChangeOpenCommand.self,
    ChangeApproveCommand.self,
    ChangeAttestCommand.self,
    ChangeStartCommand.self,
    ChangeCompleteCommand.self,
    ChangeAbortCommand.self,
    ChangeRollbackCommand.self,
    ChangeShowCommand.self,
    KeyGenerateCommand.self,
    KeyImportCommand.self,
    KeyPublishCommand.self,
    KeyRetireCommand.self,
    KeyListCommand.self,
    KeyShowCommand.self,
    JWKSRenderCommand.self,
    JWKSCheckCommand.self,
    ReportCommand.self,
    TokenIssueCommand.self,
    TokenVerifyCommand.self,
]
