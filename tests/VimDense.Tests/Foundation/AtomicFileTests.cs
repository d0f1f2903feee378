using VimDense.IO;

namespace VimDense.Tests.Foundation;

/// <summary>
/// A write that fails (disk full, as simulated here by the writer throwing what .NET throws for ENOSPC) leaves the
/// previous file intact and no temporary behind, and its error names the file asked for; an output path that is a
/// directory is refused before anything is written, as is a folder that cannot be written.
/// </summary>
public class AtomicFileTests
{
    [Fact]
    public void AFailedWriteKeepsThePreviousFileAndNamesTheTarget()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "iter_4.safetensors");
        File.WriteAllText(path, "previous");
        var error = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[4096]);
            throw new IOException($"No space left on device : '{((FileStream)stream).Name}'");
        }));
        Assert.StartsWith($"{path}: cannot write (No space left on device : 'its temporary file')", error.Message);
        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir));
    }

    [Fact]
    public void AnOutputThatIsADirectoryIsRefusedBeforeWriting()
    {
        var dir = TestPaths.NewTempDir();
        var written = false;
        var error = Assert.Throws<IOException>(() => AtomicFile.Write(dir, _ => written = true));
        Assert.Contains("is a directory", error.Message);
        Assert.False(written);
        Assert.Contains("is a directory", Assert.Throws<IOException>(() => OutputPath.CheckFile(dir, "PNG")).Message);
        var file = Path.Combine(dir, "a-file");
        File.WriteAllText(file, "");
        Assert.Contains($"{file}: is a file; expected a folder", Assert.Throws<IOException>(() => OutputPath.CheckFolder(file, "work directory")).Message);
        Assert.Throws<DirectoryNotFoundException>(() => OutputPath.CheckFile(Path.Combine(dir, "no", "x.png"), "PNG"));
        Assert.Empty(Directory.GetFiles(dir, ".vimdense-write-probe-*"));
    }
}
