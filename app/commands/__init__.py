"""One module per `policyqa` subcommand: `add_parser(subparsers)` and `run(args, settings)`."""
