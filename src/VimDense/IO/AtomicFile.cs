using System.Text.RegularExpressions;

namespace VimDense.IO;

/// <summary>
/// Writes a file through a temporary sibling and a rename, so a crash or an error never leaves a
/// half-written file under the final name. A process killed during a write leaves its temporary
/// (".NAME.GUID.tmp"), which <see cref="RemoveStaleTemporaries"/> deletes when the next run starts.
/// </summary>
public static partial class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        // Checked before any work: renaming over a folder would fail only after the whole file was written.
        if (Directory.Exists(full)) throw new IOException($"{path}: is a directory; expected the path of a file to write");
        var dir = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{path}: output folder {dir} does not exist");
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException and not FileNotFoundException and not DirectoryNotFoundException and not EndOfStreamException
                                      or UnauthorizedAccessException)
        {
            // Disk full, permission denied: name the file the user asked for, not the temporary.
            throw new IOException($"{path}: cannot write ({e.Message.Replace(temp, "its temporary file", StringComparison.Ordinal)})", e);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>The text as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>Deletes the temporaries of interrupted writes in <paramref name="dir"/>; returns their paths.</summary>
    public static IReadOnlyList<string> RemoveStaleTemporaries(string dir)
    {
        if (!Directory.Exists(dir)) return [];
        var removed = new List<string>();
        foreach (var file in Directory.EnumerateFiles(dir, ".*.tmp"))
        {
            if (!TemporaryName().IsMatch(Path.GetFileName(file))) continue;
            File.Delete(file);
            removed.Add(file);
        }
        return removed;
    }

    [GeneratedRegex("^\\..+\\.[0-9a-f]{32}\\.tmp$")]
    private static partial Regex TemporaryName();
}
