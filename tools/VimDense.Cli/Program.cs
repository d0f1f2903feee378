return VimDense.Cli.CliApp.Run(args);
