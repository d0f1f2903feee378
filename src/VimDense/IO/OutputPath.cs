namespace VimDense.IO;

/// <summary>
/// Checks an output path when a command starts, before any work that its failure would throw away: a file path
/// that is a directory, a folder path that is a file, a missing parent, or a folder the process cannot write to
/// (found by creating and removing a probe file) is reported as one line naming the path.
/// </summary>
public static class OutputPath
{
    /// <summary>Checks that <paramref name="path"/> can be written as a file (its folder exists and is writable).</summary>
    /// <param name="what">What the file is, for the message ("features .npy").</param>
    public static void CheckFile(string path, string what)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"{path}: is a directory; expected the path of a {what} file to write");
        var dir = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{path}: output folder {dir} does not exist");
        Probe(dir, path);
    }

    /// <summary>Creates <paramref name="dir"/> when absent and checks that it is a writable folder.</summary>
    public static void CheckFolder(string dir, string what)
    {
        if (File.Exists(dir)) throw new IOException($"{dir}: is a file; expected a folder for the {what}");
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{dir}: cannot create the {what} folder ({e.Message})", e);
        }
        Probe(dir, dir);
    }

    private static void Probe(string dir, string shown)
    {
        var probe = Path.Combine(dir, $".vimdense-write-probe-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{shown}: cannot write to {dir} ({e.Message.Replace(probe, "a probe file", StringComparison.Ordinal)})", e);
        }
    }
}
