namespace VimDense.Tests.Eng;

/// <summary>eng/torchsharp-glibcxx/patch-output.sh run from bash, the way a user or eng/device/make-bundle.sh runs it.</summary>
public class GlibcxxPatchScriptTests
{
    [Fact]
    public void SurvivesALibraryListingLongerThanAPipeBuffer()
    {
        // A fake ldconfig whose match comes first and whose listing goes on far past the 64 KiB pipe buffer: a
        // reader that stops at the first match makes the writer die of SIGPIPE, and pipefail turns that into 141.
        var dir = TestPaths.NewTempDir("vimdense-glibcxx");
        var fake = Path.Combine(dir, "ldconfig");
        File.WriteAllText(fake, """
            #!/usr/bin/env bash
            echo "	libstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6"
            for i in $(seq 1 20000); do echo "	libfiller$i.so (libc6,x86-64) => /usr/lib/libfiller$i.so"; done
            """.Replace("\r", ""));
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var output = Path.Combine(dir, "out");
        Directory.CreateDirectory(output);

        var (code, _, stderr) = ShellRunner.Run("eng/torchsharp-glibcxx/patch-output.sh", [output],
            new Dictionary<string, string> { ["VD_LDCONFIG"] = fake });

        Assert.True(code == 0, $"patch-output.sh exited {code}: {stderr}");
    }
}
