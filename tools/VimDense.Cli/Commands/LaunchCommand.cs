using System.CommandLine;
using VimDense.Cli.Distributed;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense launch --nproc N [--hosts h1:4,h2:4] [--threads T] [--mca KEY=VALUE ...] -- train CONFIG ...`: runs a
/// vimdense command as N data-parallel ranks through mpirun (see <see cref="MpiRun"/>). Plain
/// `mpirun -np N --bind-to none tools/vimdense train CONFIG` does the same by hand. Exits with mpirun's code.
/// </summary>
public sealed class LaunchCommand : ICliCommand
{
    public Command Build()
    {
        var nproc = new Option<int>("--nproc") { Description = "Number of processes (ranks) in all", Required = true };
        var hosts = new Option<string?>("--hosts") { Description = "Machines and their ranks, e.g. node1:4,node2:4 (default: this machine)" };
        var threads = new Option<int?>("--threads") { Description = "Torch threads per rank (default: cores / ranks per machine)" };
        var mca = new Option<string[]>("--mca") { Description = "Open MPI setting KEY=VALUE, e.g. btl=tcp,self (repeatable)", AllowMultipleArgumentsPerToken = false };
        var command = new Argument<string[]>("command") { Description = "The vimdense command each rank runs (after --), e.g. train CONFIG", Arity = ArgumentArity.OneOrMore };
        var launch = new Command("launch", "Run a command (e.g. train) as data-parallel ranks through mpirun");
        foreach (var option in new Option[] { nproc, hosts, threads, mca }) launch.Options.Add(option);
        launch.Arguments.Add(command);
        launch.SetAction(parse =>
        {
            if (parse.GetValue(threads) is < 1) throw new UserInputException("--threads: expected at least 1");
            var run = new MpiRun(parse.GetValue(nproc), parse.GetValue(hosts), parse.GetValue(threads), parse.GetValue(mca));
            return run.Run(parse.GetValue(command)!, line => Console.Error.WriteLine($"launch: {line}"));
        });
        return launch;
    }
}
