namespace VimDense.IO;

/// <summary>
/// Checks an input path before it is opened: only a regular file with data is read. Opening a FIFO blocks until
/// some writer appears, and a device (/dev/zero) never ends, so both are refused from their metadata alone.
/// </summary>
public static class InputFile
{
    /// <summary>The file's size, after refusing missing paths, directories and anything that is not a regular file.</summary>
    /// <param name="what">What the file should be, for the messages ("checkpoint", "safetensors").</param>
    public static long CheckRegular(string path, string what)
    {
        if (Directory.Exists(path)) throw new UserInputException($"{path}: is a directory; expected a {what} file"); // follows links
        var info = new FileInfo(path);
        // A FileInfo describes a symbolic link itself (its size is the target's name); what matters is the target.
        if (info.LinkTarget is not null) info = info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
        if (!info.Exists) throw new FileNotFoundException($"{path}: {what} file not found", path);
        // stat reports size 0 for FIFOs, sockets and character or block devices: none of them is read.
        var length = info.Length;
        if (length == 0)
            throw new InvalidDataException($"{path}: empty, or not a regular file (FIFO, device, socket); expected a {what} file");
        return length;
    }

    /// <summary>Opens the file for reading after <see cref="CheckRegular"/>; a stream that cannot seek is refused too.</summary>
    public static FileStream OpenRead(string path, string what)
    {
        CheckRegular(path, what);
        var stream = File.OpenRead(path);
        if (stream.CanSeek && stream.Length > 0) return stream;
        stream.Dispose();
        throw new InvalidDataException($"{path}: not a regular file; expected a {what} file");
    }
}
