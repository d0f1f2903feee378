using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

/// <summary>One hostile input: its file name, how to write it, and the words its refusal must contain.</summary>
internal sealed record HostileCase(string FileName, Action<string> Write, string Expected);

/// <summary>
/// Small files that once cost memory, time or a stack trace (issue 16), generated at test time: pickles that
/// amplify through the memo, nest deeply or push too much, compressed and oversized storages, expanded views,
/// things that are not regular files, and safetensors headers that lie about the file.
/// </summary>
internal static class HostileCheckpointCorpus
{
    public static IReadOnlyList<HostileCase> Cases { get; } =
    [
        new("tuple-key-doubling.pth", TupleKeyDoubling, "longer than 4096 characters"),
        new("nested-lists.pth", path => Zip(path, NestedLists(2_000)), "nested deeper than 1000"),
        new("pushes.pth", path => Zip(path, Repeat(0x32, 10_000_001)), "pushes more than 10000000 values"),
        new("memo.pth", path => Zip(path, Repeat(0x94, 10_000_001)), "memoizes more than 10000000 values"),
        new("long-global-line.pth", path => Zip(path, new PickleBuilder().Proto().Global(new string('m', 1 << 20), "x").Stop().ToArray()),
            "text field longer than 1024 bytes"),
        new("long-stack-global.pth", path => Zip(path, new PickleBuilder().Proto().StackGlobal(new string('o', 1 << 20), "system").Stop().ToArray()),
            "not on the allowed list"),
        new("deflated-storage.pth", path => DeflatedStorage(path, 4L << 20), "more than the whole file"),
        new("deflated-small-storage.pth", path => DeflatedStorage(path, 1024), "is compressed"),
        new("stride0-view.pth", path => OneView(path, ones(1), [1L << 28], [0]), "views add up to"),
        new("view-past-storage.pth", path => OneView(path, ones(4), [100], [1]), "reaches element 99"),
        new("storage-claims-32GiB.pth", path => ClaimedStorage(path, 1L << 33), "more than the whole file"),
        new("storage-claims-4TiB.pth", path => ClaimedStorage(path, 1L << 40), "more than the whole file"),
        new("fifo.pth", MakeFifo, "not a regular file"),
        new("fifo-link.pth", path => { MakeFifo(path + ".fifo"); File.CreateSymbolicLink(path, path + ".fifo"); }, "not a regular file"),
        new("directory.pth", path => Directory.CreateDirectory(path), "is a directory"),
        new("dev-zero.pth", path => File.CreateSymbolicLink(path, "/dev/zero"), "not a regular file"),
        new("empty.pth", path => File.WriteAllBytes(path, []), "empty"),
        new("header-claims-1TiB.safetensors", path => SafeTensorsFile(path, 1UL << 40, "{}"), "exceeds the file size"),
        new("offsets-past-end.safetensors",
            path => SafeTensorsFile(path, null, """{"w":{"dtype":"F32","shape":[268435456],"data_offsets":[0,1073741824]}}"""),
            "past the end of the file"),
        new("fifo.safetensors", MakeFifo, "not a regular file"),
    ];

    private static void Zip(string path, byte[] pickle) => TorchZipWriter.WriteZip(path, "archive", pickle, new Dictionary<string, byte[]>());

    /// <summary>A 474-byte kind of pickle: a dict key tuple that doubles at each of 24 levels by reusing the memo.</summary>
    private static void TupleKeyDoubling(string path)
    {
        const byte pop = (byte)'0', tuple2 = 0x86;
        var p = new PickleBuilder().Proto().EmptyDict().EmptyTuple().Put(0).Op(pop);
        for (byte level = 1; level <= 24; level++) p.Get((byte)(level - 1)).Get((byte)(level - 1)).Op(tuple2).Put(level).Op(pop);
        Zip(path, p.Get(24).None().SetItem().Stop().ToArray());
    }

    /// <summary>Lists nested <paramref name="depth"/> deep: depth EMPTY_LISTs then APPENDs folding each into the one beneath.</summary>
    private static byte[] NestedLists(int depth)
    {
        var p = new PickleBuilder().Proto();
        for (var i = 0; i < depth; i++) p.EmptyList();
        for (var i = 1; i < depth; i++) p.Op((byte)'a');
        return p.Stop().ToArray();
    }

    /// <summary>None, then <paramref name="count"/> times the one-byte <paramref name="opcode"/> (DUP or MEMOIZE).</summary>
    private static byte[] Repeat(byte opcode, int count)
    {
        var p = new PickleBuilder().Proto().None();
        p.Raw(Enumerable.Repeat(opcode, count).ToArray());
        return p.Stop().ToArray();
    }

    private static PickleBuilder StateDictOf(TorchZipWriter w, Action<TorchZipWriter> tensor)
    {
        w.OrderedDict();
        w.Pickle.Mark().Str("weight");
        tensor(w);
        return w.Pickle.SetItems();
    }

    /// <summary>
    /// <paramref name="numel"/> zeros deflated to a few bytes (torch.save never compresses; a hostile file did, 4 MB
    /// to 4 GiB), next to an 8 KB string so that a small storage still fits the file's size.
    /// </summary>
    private static void DeflatedStorage(string path, long numel)
    {
        var w = new TorchZipWriter();
        w.Pickle.EmptyDict().Str("model");
        StateDictOf(w, z => z.Tensor(zeros(numel)));
        w.Pickle.SetItem().Str("padding").Str(new string('p', 8192)).SetItem();
        w.Save(path, storageCompression: CompressionLevel.SmallestSize);
    }

    private static void OneView(string path, Tensor storage, long[] size, long[] stride)
    {
        var w = new TorchZipWriter();
        StateDictOf(w, z => z.View(storage, 0, size, stride));
        w.Save(path);
    }

    /// <summary>A storage whose pickle claims <paramref name="numel"/> float32 elements (tens of GiB), as the zip record would.</summary>
    private static void ClaimedStorage(string path, long numel)
    {
        var p = new PickleBuilder().Proto();
        p.Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark().Str("weight");
        p.Global("torch._utils", "_rebuild_tensor_v2").Mark();
        p.Mark().Str("storage").Global("torch", "FloatStorage").Str("0").Str("cpu").Int(numel).Tuple().BinPersId();
        p.Int(0).IntTuple([numel]).IntTuple([1]).Bool(false);
        p.Global("collections", "OrderedDict").EmptyTuple().Reduce();
        p.Tuple().Reduce().SetItems();
        TorchZipWriter.WriteZip(path, "archive", p.Stop().ToArray(), new Dictionary<string, byte[]> { ["0"] = new byte[4] });
    }

    private static void SafeTensorsFile(string path, ulong? claimedHeaderLength, string header)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, claimedHeaderLength ?? (ulong)json.Length);
        File.WriteAllBytes(path, [.. length, .. json]);
    }

    internal static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]) ?? throw new InvalidOperationException("cannot run mkfifo");
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }
}
