using VimDense.Checkpoints;
using VimDense.IO;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

/// <summary>
/// Every case of <see cref="HostileCheckpointCorpus"/> is refused with one short line naming the file and the limit,
/// quickly and in bounded memory, by the library readers and by the CLI's `convert` and `features --checkpoint`,
/// which leave no output file behind.
/// </summary>
public class HostileCheckpointCorpusTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ReaderTimeLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CliTimeLimit = TimeSpan.FromSeconds(120);
    // The CLI with libtorch and a vim_tiny model loaded stays well below this; a hostile file once took 4.4 GB.
    private const long CliPeakLimitBytes = 1536L << 20;
    private const int MaxMessageLength = 600; // the refusal of a global lists the allowed ones

    [Fact]
    public void TheReadersRefuseEveryCase()
    {
        var dir = TestPaths.NewTempDir("vimdense-hostile");
        foreach (var hostile in HostileCheckpointCorpus.Cases)
        {
            var path = Path.Combine(dir, hostile.FileName);
            hostile.Write(path);
            var read = Task.Run(() => Read(path));
            Assert.True(read.Wait(ReaderTimeLimit), $"{hostile.FileName}: the reader took longer than {ReaderTimeLimit}");
            var error = read.Result;
            Assert.True(error is UserInputException or InvalidDataException or FileNotFoundException,
                $"{hostile.FileName}: {error?.GetType().Name ?? "no error"}: {error?.Message}");
            AssertOneShortLine(error!.Message, path, hostile);
        }
        output.WriteLine($"hostile corpus: {HostileCheckpointCorpus.Cases.Count} cases refused by the library readers");
    }

    [Fact]
    public void TheCliRefusesEveryCase()
    {
        var dir = TestPaths.NewTempDir("vimdense-hostile-cli");
        var images = Path.Combine(dir, "images.npy");
        using (var input = zeros(1, 3, 32, 32)) NpyFile.Write(images, input);
        var runs = 0;
        long highest = 0;
        foreach (var hostile in HostileCheckpointCorpus.Cases)
        {
            var path = Path.Combine(dir, hostile.FileName);
            hostile.Write(path);
            var commands = new List<(string[] Args, string Output)>();
            var features = Path.Combine(dir, "features.npy");
            commands.Add((["features", "--model", "vim_tiny", "--checkpoint", path, "--input", images, "--output", features], features));
            var converted = Path.Combine(dir, "converted.safetensors");
            if (path.EndsWith(".pth", StringComparison.Ordinal)) commands.Add((["convert", path, converted], converted));
            foreach (var (args, outputPath) in commands)
            {
                var before = Directory.GetFileSystemEntries(dir).Order().ToList();
                var (code, stdout, stderr, peak, elapsed) = RunMeasured(args);
                var what = $"{args[0]} {hostile.FileName}";
                Assert.True(code == 1, $"{what}: exit {code}, stderr: {Clip(stderr)}");
                Assert.Equal("", stdout);
                Assert.StartsWith("vimdense: ", stderr);
                AssertOneShortLine(stderr.TrimEnd('\n')["vimdense: ".Length..], path, hostile);
                Assert.DoesNotContain("   at ", stderr);
                Assert.True(elapsed < CliTimeLimit, $"{what}: took {elapsed}");
                Assert.True(peak < CliPeakLimitBytes, $"{what}: peak resident memory {peak >> 20} MiB");
                Assert.False(File.Exists(outputPath), $"{what}: left {outputPath} behind");
                Assert.Equal(before, Directory.GetFileSystemEntries(dir).Order().ToList());
                highest = Math.Max(highest, peak);
                runs++;
            }
        }
        output.WriteLine($"hostile corpus: {HostileCheckpointCorpus.Cases.Count} cases, {runs} CLI runs refused, peak resident memory {highest >> 20} MiB");
    }

    private static Exception? Read(string path)
    {
        try
        {
            if (path.EndsWith(".safetensors", StringComparison.Ordinal)) SafeTensors.Load(path);
            else TorchCheckpoint.Load(path);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static void AssertOneShortLine(string message, string path, HostileCase hostile)
    {
        Assert.True(message.StartsWith(path, StringComparison.Ordinal), $"{hostile.FileName}: does not start with the path: {Clip(message)}");
        Assert.DoesNotContain('\n', message);
        Assert.True(message.Length - path.Length <= MaxMessageLength, $"{hostile.FileName}: a {message.Length}-character message: {Clip(message)}");
        Assert.True(message.Contains(hostile.Expected, StringComparison.Ordinal), $"{hostile.FileName}: expected '{hostile.Expected}' in: {Clip(message)}");
    }

    private static string Clip(string text) => text.Length <= 2000 ? text : text[..2000] + "...";

    private static (int Code, string Stdout, string Stderr, long PeakBytes, TimeSpan Elapsed) RunMeasured(string[] args) =>
        CliRunner.RunMeasured(args, CliTimeLimit);
}
